import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { DomainTable } from './schema.ts';

export type DomainRow = Selectable<DomainTable>;

export function listDomains(db: Executor): Promise<DomainRow[]> {
  return db.selectFrom('domains').selectAll().orderBy('name').execute();
}

export function findDomainByName(db: Executor, name: string): Promise<DomainRow | undefined> {
  return db.selectFrom('domains').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function insertDomain(
  db: Executor,
  row: Omit<DomainRow, 'id' | 'created_at'>,
  now = Date.now(),
): Promise<DomainRow> {
  return db
    .insertInto('domains')
    .values({ ...row, created_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setDefaultDomain(db: Executor, id: number): Promise<void> {
  await db.updateTable('domains').set({ is_default: 0 }).where('id', '!=', id).execute();
  await db.updateTable('domains').set({ is_default: 1 }).where('id', '=', id).execute();
}

export async function deleteDomain(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('domains').where('id', '=', id).execute();
}

export function countUsersInDomain(db: Executor, id: number): Promise<number> {
  return db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('domain_id', '=', id)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}
