import { sql } from 'kysely';
import type { Executor, Tx } from './database.ts';
import type { OrgUnitRow } from './org-units.ts';
import type { NewUserRow } from './users.ts';

/**
 * The bulk writes of a CSV import: many rows per statement, so ten thousand
 * users cost a few dozen round trips instead of tens of thousands. Every
 * statement here runs unchanged on SQLite (3.35+: RETURNING, 3.33+: UPDATE
 * FROM) and PostgreSQL.
 */

/**
 * Rows per statement. SQLite allows 32766 bound parameters and PostgreSQL
 * 65535; the widest row here (a user) has 16 columns.
 */
export const IMPORT_CHUNK_ROWS = 500;

function chunks<T>(items: readonly T[], size = IMPORT_CHUNK_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Inserts units that share one level of the tree; returns them with their new ids. */
export async function insertOrgUnits(
  tx: Tx,
  rows: readonly { parent_id: number | null; name: string; position: number }[],
  now = Date.now(),
): Promise<OrgUnitRow[]> {
  const inserted: OrgUnitRow[] = [];
  for (const chunk of chunks(rows)) {
    const values = chunk.map((row) => ({ ...row, created_at: now }));
    inserted.push(...(await tx.insertInto('org_units').values(values).returningAll().execute()));
  }
  return inserted;
}

export async function insertUsers(tx: Tx, rows: readonly NewUserRow[]): Promise<void> {
  for (const chunk of chunks(rows)) await tx.insertInto('users').values(chunk).execute();
}

/** The columns an import may change on an existing user; a null password_hash keeps the stored one. */
export interface ImportedUserUpdate {
  id: number;
  display_name: string;
  name_reading: string;
  title: string;
  phone: string;
  unit_id: number | null;
  quota_bytes: number | null;
  valid_until: number | null;
  password_hash: string | null;
  updated_at: number;
}

/**
 * UPDATE … FROM (VALUES …): one statement per chunk whatever each row changes.
 * VALUES columns are named column1, column2, … on both databases; the casts
 * give PostgreSQL the types its untyped parameters lack.
 */
export async function updateImportedUsers(tx: Tx, updates: readonly ImportedUserUpdate[]): Promise<void> {
  for (const chunk of chunks(updates)) {
    const rows = chunk.map(
      (u) =>
        sql`(cast(${u.id} as integer), cast(${u.display_name} as text), cast(${u.name_reading} as text),
          cast(${u.title} as text), cast(${u.phone} as text), cast(${u.unit_id} as integer),
          cast(${u.quota_bytes} as bigint), cast(${u.valid_until} as bigint), cast(${u.password_hash} as text),
          cast(${u.updated_at} as bigint))`,
    );
    await sql`update users set
        display_name = v.column2, name_reading = v.column3, title = v.column4, phone = v.column5,
        unit_id = v.column6, quota_bytes = v.column7, valid_until = v.column8,
        password_hash = coalesce(v.column9, users.password_hash), updated_at = v.column10
      from (values ${sql.join(rows)}) as v
      where users.id = v.column1`.execute(tx);
  }
}

/** Every user, for an export or for an import to compare against; address order is applied by the caller. */
export function listAllUsers(db: Executor) {
  return db.selectFrom('users').selectAll().execute();
}
