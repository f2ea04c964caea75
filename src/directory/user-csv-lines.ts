import { checkPasswordPolicy } from '../auth/password.ts';
import { parseSize } from '../config/schema.ts';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { parseAddress, type Address } from './address.ts';
import type { CsvRecord, LineError } from './csv-text.ts';
import { PATH_SEPARATOR, splitUnitPath } from './org-tree.ts';
import { checkUserFields, parseValidityDate, type UserFields } from './user-fields.ts';

/** The header row of a users CSV, in the order export writes it. */
export const USER_CSV_COLUMNS = [
  'address',
  'name',
  'reading',
  'unit',
  'title',
  'phone',
  'quota',
  'valid_until',
  'password',
] as const;
export type UserCsvColumn = (typeof USER_CSV_COLUMNS)[number];

const REQUIRED_COLUMNS: readonly UserCsvColumn[] = ['address', 'name'];

/** What the quota column says for "no limit"; a blank cell means the server default. */
export const UNLIMITED_QUOTA = 'unlimited';

/**
 * One checked line. A field is undefined when its column is absent from the
 * file: an existing user keeps that value, a new one gets the default.
 */
export interface ImportLine {
  line: number;
  address: Address;
  displayName: string;
  nameReading?: string;
  title?: string;
  phone?: string;
  /** Canonical unit path ("営業部/東京"); null: no unit. */
  unit?: string | null;
  /** Bytes; null: the server default; 0: no limit. */
  quotaBytes?: number | null;
  validUntil?: number | null;
  /** Plain text, policy checked; undefined: keep the stored one (none for a new user). */
  password?: string;
}

export type ColumnIndex = Map<UserCsvColumn, number>;

/** Maps each known column to its position; unknown, repeated or missing required columns are errors on line 1. */
export function readHeader(header: CsvRecord): { columns: ColumnIndex; errors: LineError[] } {
  const columns: ColumnIndex = new Map();
  const errors: LineError[] = [];
  const known = new Set<string>(USER_CSV_COLUMNS);
  for (const [index, raw] of header.fields.entries()) {
    const name = raw.trim().toLowerCase();
    if (name === '') {
      errors.push({ line: header.line, message: `column ${index + 1} has no name in the header` });
    } else if (!known.has(name)) {
      errors.push({
        line: header.line,
        message: `unknown column "${raw}" (the columns are ${USER_CSV_COLUMNS.join(', ')})`,
      });
    } else if (columns.has(name as UserCsvColumn)) {
      errors.push({ line: header.line, message: `column "${name}" appears twice` });
    } else {
      columns.set(name as UserCsvColumn, index);
    }
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!columns.has(required))
      errors.push({ line: header.line, message: `the required column "${required}" is missing` });
  }
  return { columns, errors };
}

/**
 * Checks one record on its own (no database): every problem becomes an error
 * naming the column, so an admin fixes a file in one pass, not one error at a time.
 */
export function checkLine(record: CsvRecord, columns: ColumnIndex, width: number): ImportLine | LineError[] {
  const line = record.line;
  if (record.fields.length !== width) {
    return [{ line, message: `has ${record.fields.length} fields but the header has ${width}` }];
  }
  const errors: LineError[] = [];
  const cell = (column: UserCsvColumn): string | undefined => {
    const index = columns.get(column);
    return index === undefined ? undefined : (record.fields[index] ?? '');
  };
  const attempt = <T>(column: UserCsvColumn, read: (value: string) => T): T | undefined => {
    const value = cell(column);
    if (value === undefined) return undefined;
    try {
      return read(value);
    } catch (error) {
      if (!(error instanceof CooError)) throw error;
      errors.push({ line, message: describe(column, error) });
      return undefined;
    }
  };
  const address = attempt('address', (value) => {
    if (value.trim() === '') throw new CooError(ErrorCode.INVALID_INPUT, 'is required');
    return parseAddress(value);
  });
  const displayName = attempt('name', (value) => checkUserFields({ displayName: value }).displayName ?? '');
  const text = (column: UserCsvColumn, field: keyof UserFields) =>
    attempt(column, (value) => checkUserFields({ [field]: value })[field] as string);
  const result: ImportLine = {
    line,
    address: address ?? { localPart: '', domain: '', address: '' },
    displayName: displayName ?? '',
    nameReading: text('reading', 'nameReading'),
    title: text('title', 'title'),
    phone: text('phone', 'phone'),
    unit: attempt('unit', (value) =>
      value.trim() === '' ? null : splitUnitPath(value).join(PATH_SEPARATOR),
    ),
    quotaBytes: attempt('quota', readQuota),
    validUntil: attempt('valid_until', (value) => parseValidityDate('valid_until', value, 'end')),
    password: attempt('password', (value) => {
      if (value === '') return undefined;
      checkPasswordPolicy(value);
      return value;
    }),
  };
  return errors.length > 0 ? errors : result;
}

function readQuota(value: string): number | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (trimmed.toLowerCase() === UNLIMITED_QUOTA) return 0;
  const bytes = parseSize(trimmed);
  if (bytes === undefined) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `"${value}" is not a size (e.g. "5G", "500M", "unlimited", or blank for the server default)`,
    );
  }
  return bytes;
}

/** "quota: …" — the column first, unless the message already starts with it. */
function describe(column: UserCsvColumn, error: CooError): string {
  const message = error.message;
  const field = column.replace('_', '-');
  if (message.startsWith(`${column} `) || message.startsWith(`${field} `))
    return `${column}: ${message.slice(column.length + 1)}`;
  return `${column}: ${message}`;
}
