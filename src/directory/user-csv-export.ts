import { stringify } from 'csv-stringify/sync';
import { formatSize } from '../config/schema.ts';
import { CooError, type ErrorDetail } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Services } from '../services.ts';
import { listOrgUnits } from '../store/org-units.ts';
import { listAllUsers } from '../store/user-import.ts';
import type { UserRow } from '../store/users.ts';
import { OrgTree } from './org-tree.ts';
import { describeCharacter, encodeShiftJis, firstUnencodable } from './shift-jis.ts';
import { UNLIMITED_QUOTA, USER_CSV_COLUMNS } from './user-csv-lines.ts';
import { formatValidityDate } from './user-fields.ts';

export interface ExportOptions {
  /** 'utf-8' (the default, with a BOM so Excel reads it as UTF-8) or 'shift_jis'. */
  encoding?: 'utf-8' | 'shift_jis';
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// RFC 4180 §2: records end with CRLF, which is also what Excel writes.
const RECORD_DELIMITER = '\r\n';

/**
 * Every user as CSV, in the columns importUsers reads, sorted by address, the
 * password column always empty. Importing the result into an empty directory
 * and exporting again gives the same bytes.
 */
export async function exportUsers(services: Services, options: ExportOptions = {}): Promise<Buffer> {
  const db = services.store.db;
  const users = await listAllUsers(db);
  const tree = new OrgTree(await listOrgUnits(db));
  // Sorted here, not by the database: PostgreSQL's collation may order
  // punctuation differently from SQLite's byte order.
  users.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const paths = new Map<number, string>();
  const unitPath = (id: number) => paths.get(id) ?? paths.set(id, tree.pathOf(id)).get(id) ?? '';
  const records = users.map((user) =>
    exportRecord(user, user.unit_id === null ? '' : unitPath(user.unit_id)),
  );
  if (options.encoding === 'shift_jis') return encodeRecords(records, users);
  return Buffer.concat([
    UTF8_BOM,
    Buffer.from(stringifyRecords([[...USER_CSV_COLUMNS], ...records]), 'utf8'),
  ]);
}

function exportRecord(user: UserRow, unit: string): string[] {
  const quota =
    user.quota_bytes === null ? '' : user.quota_bytes === 0 ? UNLIMITED_QUOTA : formatSize(user.quota_bytes);
  const validUntil = formatValidityDate(user.valid_until, 'end');
  return [
    user.address,
    user.display_name,
    user.name_reading,
    unit,
    user.title,
    user.phone,
    quota,
    validUntil,
    '',
  ];
}

function stringifyRecords(records: string[][]): string {
  return stringify(records, { record_delimiter: RECORD_DELIMITER });
}

/** Shift_JIS lacks many characters (emoji, some kanji variants): each is an error naming its line, never a "?". */
function encodeRecords(records: string[][], users: UserRow[]): Buffer {
  const header = stringifyRecords([[...USER_CSV_COLUMNS]]);
  const texts = records.map((record) => stringifyRecords([record]));
  const errors: ErrorDetail[] = [];
  let line = 2;
  for (const [i, text] of texts.entries()) {
    const character = firstUnencodable(text);
    if (character !== undefined) {
      const column = USER_CSV_COLUMNS[records[i]?.findIndex((field) => field.includes(character)) ?? 0];
      errors.push({
        line,
        message: `${users[i]?.address ?? ''}: ${describeCharacter(character)} in ${column ?? 'a field'} has no Shift_JIS encoding`,
      });
    }
    line += text.split('\n').length - 1;
  }
  if (errors.length > 0) {
    const first = errors[0]?.message ?? '';
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more lines)` : '';
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `cannot export as Shift_JIS: line ${errors[0]?.line ?? 0}: ${first}${more}; export as UTF-8 instead`,
      errors,
    );
  }
  return encodeShiftJis(header + texts.join(''));
}
