import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** The tables whose rows carry a send time and grow in id order: chat messages and memos. */
export type SentTable = 'messages' | 'memos';

/**
 * How many rows of `table` were sent at or after `since`. Neither table has
 * an index on sent_at, and a count over it would read every message ever
 * sent; ids grow with the send time, so the first id of the day is found by
 * a binary search over the primary key (a few dozen point reads) and only
 * the day's rows are counted.
 */
export async function countSentSince(db: Executor, table: SentTable, since: number): Promise<number> {
  const first = await firstIdSentSince(db, table, since);
  if (first === null) return 0;
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('id', '>=', first)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function firstIdSentSince(db: Executor, table: SentTable, since: number): Promise<number | null> {
  const bounds = await db
    .selectFrom(table)
    .select((eb) => [eb.fn.min('id').as('low'), eb.fn.max('id').as('high')])
    .executeTakeFirst();
  if (bounds?.low == null || bounds.high == null) return null;
  const newest = await sentAtOrAfter(db, table, Number(bounds.high), Number(bounds.high) + 1);
  if (!newest || newest.sentAt < since) return null;
  // Invariant: `best` was sent since `since`; any earlier such row has an id in [low, high).
  let best = newest.id;
  let low = Number(bounds.low);
  let high = best;
  while (low < high) {
    const middle = low + Math.floor((high - low) / 2);
    const row = await sentAtOrAfter(db, table, middle, high);
    if (!row) high = middle;
    else if (row.sentAt >= since) {
      best = row.id;
      high = row.id;
    } else low = row.id + 1;
  }
  return best;
}

/** The first row with an id in [from, before). */
async function sentAtOrAfter(
  db: Executor,
  table: SentTable,
  from: number,
  before: number,
): Promise<{ id: number; sentAt: number } | undefined> {
  const row = await db
    .selectFrom(table)
    .select(['id', 'sent_at'])
    .where('id', '>=', from)
    .where('id', '<', before)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row && { id: Number(row.id), sentAt: Number(row.sent_at) };
}

/** The size of the PostgreSQL database on disk, tables and indexes included. */
export async function postgresDatabaseBytes(db: Executor): Promise<number> {
  const result = await sql<{ n: number | string }>`select pg_database_size(current_database()) as n`.execute(
    db,
  );
  return Number(result.rows[0]?.n ?? 0);
}
