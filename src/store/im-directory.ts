import type { Executor } from './database.ts';

/** What the messenger's directory shows of a person, plus what decides whether to show them at all. */
export interface DirectoryPersonRow {
  id: number;
  address: string;
  display_name: string;
  name_reading: string;
  title: string;
  phone: string;
  unit_id: number | null;
  disabled: number;
  valid_from: number | null;
  valid_until: number | null;
}

/** Every user, with the columns the messenger's directory needs (a few thousand rows at most). */
export function listDirectoryPeople(db: Executor): Promise<DirectoryPersonRow[]> {
  return db
    .selectFrom('users')
    .select([
      'id',
      'address',
      'display_name',
      'name_reading',
      'title',
      'phone',
      'unit_id',
      'disabled',
      'valid_from',
      'valid_until',
    ])
    .orderBy('id')
    .execute();
}

/**
 * Changes whenever a user is added or changed: users are never deleted and
 * every write sets updated_at. Cheap enough to ask before each directory
 * request, so a cached copy of the people is never stale.
 */
export async function directoryPeopleVersion(db: Executor): Promise<string> {
  const row = await db
    .selectFrom('users')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')])
    .executeTakeFirstOrThrow();
  return `${Number(row.n)}:${Number(row.latest ?? 0)}`;
}
