import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.ts';
import type { UserTable } from './schema.ts';

export type UserRow = Selectable<UserTable>;
export type NewUserRow = Omit<Insertable<UserTable>, 'id'>;
export type UserPatch = Omit<Updateable<UserTable>, 'id' | 'address' | 'created_at'>;

export function findUserByAddress(db: Executor, address: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('address', '=', address).executeTakeFirst();
}

export function findUserById(db: Executor, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(db: Executor, row: NewUserRow): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateUser(db: Executor, id: number, patch: UserPatch): Promise<void> {
  await db.updateTable('users').set(patch).where('id', '=', id).execute();
}

export interface UserQuery {
  /** Matches address, name, reading, title or phone, case-insensitively. */
  text?: string;
  unitIds?: number[];
  /** Users with no org unit. */
  withoutUnit?: boolean;
  limit?: number;
  offset?: number;
}

export function listUsers(db: Executor, query: UserQuery = {}): Promise<UserRow[]> {
  let q = db.selectFrom('users').selectAll();
  if (query.text) {
    const pattern = `%${escapeLike(query.text.toLowerCase())}%`;
    q = q.where((eb) =>
      eb.or(
        (['address', 'display_name', 'name_reading', 'title', 'phone'] as const).map((column) =>
          eb(eb.fn('lower', [column]), 'like', eb.val(pattern)),
        ),
      ),
    );
  }
  if (query.unitIds) q = q.where('unit_id', 'in', query.unitIds.length ? query.unitIds : [-1]);
  if (query.withoutUnit) q = q.where('unit_id', 'is', null);
  q = q.orderBy('address');
  if (query.limit !== undefined) q = q.limit(query.limit).offset(query.offset ?? 0);
  return q.execute();
}

export function countUsers(db: Executor): Promise<number> {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function countActiveAdmins(db: Executor, now = Date.now()): Promise<number> {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('is_admin', '=', 1)
    .where('disabled', '=', 0)
    .where((eb) => eb.or([eb('valid_until', 'is', null), eb('valid_until', '>', now)]))
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

function escapeLike(text: string): string {
  // Both databases treat backslash as the LIKE escape only when told; we avoid
  // wildcards in user text by replacing them with the single-char wildcard.
  return text.replace(/[%_]/g, '_');
}
