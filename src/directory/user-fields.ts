import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';

const MAX_TEXT = 200;
const PHONE = /^[0-9+\-() .#*x]*$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The editable fields of a user; undefined means "leave as it is". */
export interface UserFields {
  displayName?: string;
  nameReading?: string;
  title?: string;
  phone?: string;
  /** Org unit path; null: no unit. */
  unit?: string | null;
  isAdmin?: boolean;
  validFrom?: number | null;
  validUntil?: number | null;
  /** Bytes; null: the server default; 0: no limit. */
  quotaBytes?: number | null;
}

function text(field: string, value: string, options: { required?: boolean; pattern?: RegExp } = {}): string {
  const trimmed = value.trim().normalize('NFC');
  if (options.required && trimmed === '') throw invalid(field, 'must not be empty');
  if ([...trimmed].length > MAX_TEXT) throw invalid(field, `is longer than ${MAX_TEXT} characters`);
  if (CONTROL.test(trimmed)) throw invalid(field, 'contains control characters');
  if (options.pattern && !options.pattern.test(trimmed))
    throw invalid(field, `"${trimmed}" has characters not allowed here`);
  return trimmed;
}

function invalid(field: string, problem: string): CooError {
  return new CooError(ErrorCode.INVALID_INPUT, `${field} ${problem}`, [{ field, message: problem }]);
}

/** Checks and normalises the fields that are set; throws INVALID_INPUT naming the field. */
export function checkUserFields(fields: UserFields): UserFields {
  const checked: UserFields = { ...fields };
  if (fields.displayName !== undefined)
    checked.displayName = text('name', fields.displayName, { required: true });
  if (fields.nameReading !== undefined) checked.nameReading = text('reading', fields.nameReading);
  if (fields.title !== undefined) checked.title = text('title', fields.title);
  if (fields.phone !== undefined) checked.phone = text('phone', fields.phone, { pattern: PHONE });
  if (fields.quotaBytes != null && (!Number.isSafeInteger(fields.quotaBytes) || fields.quotaBytes < 0)) {
    throw invalid('quota', 'must be a size of 0 or more');
  }
  for (const [field, value] of [
    ['valid-from', fields.validFrom],
    ['valid-until', fields.validUntil],
  ] as const) {
    if (value != null && !Number.isFinite(value)) throw invalid(field, 'is not a valid date');
  }
  return checked;
}

/** Parses "2027-03-31" (valid through the end of that day, server time) or an ISO date-time. */
export function parseValidityDate(field: string, value: string, edge: 'start' | 'end'): number | null {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'never' || trimmed === 'none') return null;
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (dateOnly) {
    const [y, m, d] = [Number(dateOnly[1]), Number(dateOnly[2]) - 1, Number(dateOnly[3])];
    const date = edge === 'start' ? new Date(y, m, d, 0, 0, 0, 0) : new Date(y, m, d, 23, 59, 59, 999);
    if (date.getFullYear() !== y || date.getMonth() !== m || date.getDate() !== d) {
      throw invalid(field, `"${value}" is not a valid date (expected YYYY-MM-DD)`);
    }
    return date.getTime();
  }
  const time = Date.parse(trimmed);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed) || Number.isNaN(time)) {
    throw invalid(field, `"${value}" is not a valid date (expected YYYY-MM-DD or an ISO date-time)`);
  }
  return time;
}

/** Formats a validity bound the way parseValidityDate reads it back to the same instant. */
export function formatValidityDate(time: number | null, edge: 'start' | 'end'): string {
  if (time === null) return '';
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const onEdge =
    edge === 'start'
      ? date.getHours() === 0 &&
        date.getMinutes() === 0 &&
        date.getSeconds() === 0 &&
        date.getMilliseconds() === 0
      : date.getHours() === 23 &&
        date.getMinutes() === 59 &&
        date.getSeconds() === 59 &&
        date.getMilliseconds() === 999;
  return onEdge ? day : date.toISOString();
}
