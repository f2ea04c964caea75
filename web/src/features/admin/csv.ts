import type { ApiAuditEntry } from '../../../../src/protocol/admin-api.ts';

/**
 * CSV for spreadsheets (RFC 4180: CRLF, fields quoted when they hold a
 * comma, quote or line break), with a byte order mark so Excel reads it as
 * UTF-8. A cell that starts like a formula gets a leading apostrophe: an
 * audit log holds text that users typed, and Excel must not run it.
 */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  const safe = /^[=+@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const AUDIT_CSV_HEADER = [
  'seq',
  'at',
  'actor',
  'action',
  'target',
  'outcome',
  'protocol',
  'remote',
  'details',
  'hash',
] as const;

export function auditCsvRow(entry: ApiAuditEntry): string[] {
  return [
    String(entry.seq),
    entry.at,
    entry.actor,
    entry.action,
    entry.target,
    entry.outcome,
    entry.protocol,
    entry.remote,
    Object.keys(entry.details).length === 0 ? '' : JSON.stringify(entry.details),
    entry.hash,
  ];
}
