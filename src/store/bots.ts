import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { BotTable } from './schema-files.ts';

export type BotRow = Selectable<BotTable>;
export type BotWithUser = BotRow & { address: string; display_name: string; disabled: number };

export function insertBot(
  db: Executor,
  row: { name: string; token_hash: string; user_id: number; created_by: string },
  now = Date.now(),
): Promise<BotRow> {
  return db
    .insertInto('bots')
    .values({ ...row, created_at: now, last_used_at: null, removed_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A bot by name, removed or not. */
export function findBotByName(db: Executor, name: string): Promise<BotRow | undefined> {
  return db.selectFrom('bots').selectAll().where('name', '=', name).executeTakeFirst();
}

export function findBotByTokenHash(db: Executor, tokenHash: string): Promise<BotRow | undefined> {
  return db
    .selectFrom('bots')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
}

/** The bots not removed, with their accounts. */
export function listBots(db: Executor): Promise<BotWithUser[]> {
  return db
    .selectFrom('bots')
    .innerJoin('users', 'users.id', 'bots.user_id')
    .selectAll('bots')
    .select(['users.address', 'users.display_name', 'users.disabled'])
    .where('bots.removed_at', 'is', null)
    .orderBy('bots.name')
    .execute();
}

/** Gives a removed bot a new token and brings it back; false when it is not removed. */
export async function reviveBot(
  db: Executor,
  id: number,
  tokenHash: string,
  createdBy: string,
  now = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('bots')
    .set({
      token_hash: tokenHash,
      created_by: createdBy,
      created_at: now,
      last_used_at: null,
      removed_at: null,
    })
    .where('id', '=', id)
    .where('removed_at', 'is not', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Removes a bot: its token stops working at once. False when there is no such active bot. */
export async function removeBot(db: Executor, id: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('bots')
    .set({ token_hash: null, removed_at: now })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchBot(db: Executor, id: number, now = Date.now()): Promise<void> {
  await db.updateTable('bots').set({ last_used_at: now }).where('id', '=', id).execute();
}
