import { parse } from 'csv-parse/sync';

/** A problem on one line of a CSV file; the header is line 1. */
export interface LineError {
  line: number;
  message: string;
}

/** The character encodings a CSV file may come in. Excel in Japan writes Shift_JIS. */
export type CsvEncoding = 'utf-8' | 'shift_jis';

export type DecodedCsv = { ok: true; text: string; encoding: CsvEncoding } | { ok: false; error: LineError };

const BOM = '\uFEFF';

/**
 * Bytes to text. 'auto' takes UTF-8 when the bytes are valid UTF-8 (a file of
 * plain ASCII is both), else Shift_JIS. A byte sequence valid in neither is
 * an error naming the first line where it occurs, never a replacement
 * character written to the database.
 */
export function decodeCsv(input: Uint8Array, encoding: 'auto' | CsvEncoding): DecodedCsv {
  const candidates: CsvEncoding[] = encoding === 'auto' ? ['utf-8', 'shift_jis'] : [encoding];
  for (const candidate of candidates) {
    try {
      const text = new TextDecoder(candidate, { fatal: true, ignoreBOM: true }).decode(input);
      return { ok: true, text: text.startsWith(BOM) ? text.slice(1) : text, encoding: candidate };
    } catch {
      // try the next one
    }
  }
  const last = candidates.at(-1) ?? 'utf-8';
  const line = firstUndecodableLine(input, last);
  const names = candidates.map((c) => (c === 'utf-8' ? 'UTF-8' : 'Shift_JIS')).join(' or ');
  return { ok: false, error: { line, message: `line ${line} is not valid ${names} text` } };
}

/** 0x0A never occurs inside a multi-byte character in UTF-8 or Shift_JIS, so lines can be decoded apart. */
function firstUndecodableLine(input: Uint8Array, encoding: CsvEncoding): number {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let start = 0;
  for (let line = 1; start <= input.length; line++) {
    let end = input.indexOf(0x0a, start);
    if (end < 0) end = input.length;
    try {
      decoder.decode(input.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return 1;
}

export interface CsvRecord {
  /** The line the record starts on, the header being line 1. */
  line: number;
  fields: string[];
}

export type ParsedCsv = { ok: true; records: CsvRecord[] } | { ok: false; error: LineError };

/** RFC 4180 records with the line each starts on. Blank lines are skipped. */
export function parseCsvRecords(text: string): ParsedCsv {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof rows;
  } catch (error) {
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : 1;
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { line, message: `the CSV cannot be read: ${message}` } };
  }
  // info.lines is where a record ends; a quoted field may span lines.
  const records = rows.map(({ record, info }) => ({
    line: info.lines - record.reduce((n, field) => n + countNewlines(field), 0),
    fields: record,
  }));
  return { ok: true, records };
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
