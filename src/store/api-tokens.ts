import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { ApiTokenTable } from './schema.ts';

export type ApiTokenRow = Selectable<ApiTokenTable>;

export function insertApiToken(
  db: Executor,
  row: { name: string; token_hash: string; user_id: number; expires_at: number | null },
  now = Date.now(),
): Promise<ApiTokenRow> {
  return db
    .insertInto('api_tokens')
    .values({ ...row, created_at: now, last_used_at: null, revoked_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findApiTokenByHash(db: Executor, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export function listApiTokens(db: Executor): Promise<(ApiTokenRow & { address: string })[]> {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('api_tokens')
    .select('users.address')
    .orderBy('api_tokens.id')
    .execute();
}

export async function touchApiToken(db: Executor, id: number, now = Date.now()): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function revokeApiToken(db: Executor, id: number, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
