/**
 * Sizes, quotas and dates as the console shows and takes them. Sizes use
 * the server's units (K, M, G, T are powers of 1024), so what an admin types
 * means what `coo user` and the CSV import mean by it.
 */

const UNITS = [
  ['T', 1024 ** 4],
  ['G', 1024 ** 3],
  ['M', 1024 ** 2],
  ['K', 1024],
] as const;

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?$/i;
const FACTORS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "25M", "2G", "1.5GiB" or a byte count; undefined when malformed. */
export function parseSize(text: string): number | undefined {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const factor = FACTORS[(match[2] ?? '').charAt(0).toUpperCase()];
  if (factor === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The exact size in the largest unit that divides it: what parseSize reads back. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of UNITS) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** A size for reading: "1.4 GB", "820 KB", "12 B". */
export function formatBytes(bytes: number, locale: 'en' | 'ja'): string {
  const number = new Intl.NumberFormat(locale === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: 1 });
  for (const [unit, factor] of UNITS) {
    if (bytes >= factor) return `${number.format(bytes / factor)} ${unit}B`;
  }
  return `${number.format(bytes)} B`;
}

export const UNLIMITED = 'unlimited';

/** The quota field: blank is the server default (null), "unlimited" or 0 is no limit (0). */
export type QuotaInput = { ok: true; bytes: number | null } | { ok: false };

export function parseQuota(text: string): QuotaInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, bytes: null };
  if (trimmed.toLowerCase() === UNLIMITED || trimmed === '無制限') return { ok: true, bytes: 0 };
  const bytes = parseSize(trimmed);
  return bytes === undefined ? { ok: false } : { ok: true, bytes };
}

export function formatQuota(bytes: number | null): string {
  if (bytes === null) return '';
  if (bytes === 0) return UNLIMITED;
  return formatSize(bytes);
}

/** An instant as the local calendar day, for <input type="date">: "2027-03-31"; '' for none. */
export function toDateInput(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** What a validity period says about an account now. */
export function validityState(
  user: { validFrom: string | null; validUntil: string | null },
  now = Date.now(),
): 'valid' | 'expired' | 'not-yet' {
  if (user.validUntil && Date.parse(user.validUntil) < now) return 'expired';
  if (user.validFrom && Date.parse(user.validFrom) > now) return 'not-yet';
  return 'valid';
}

/** Days from now until an instant, rounded down; negative once past. */
export function daysUntil(iso: string, now = Date.now()): number {
  return Math.floor((Date.parse(iso) - now) / 86_400_000);
}
