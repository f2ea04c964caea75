import type { Executor } from './database.ts';
import { prepareQuery } from './prepared-query.ts';

// Read on every chat message (what the audit keeps of it): prepared (prepared-query.ts).
const settingByKey = prepareQuery((db, p: { key: string }) =>
  db.selectFrom('settings').select('value').where('key', '=', p.key),
);

export async function getSetting<T>(db: Executor, key: string): Promise<T | undefined> {
  const row = await settingByKey.takeFirst(db, { key });
  return row ? (JSON.parse(row.value) as T) : undefined;
}

export async function putSetting(db: Executor, key: string, value: unknown, now = Date.now()): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute();
}
