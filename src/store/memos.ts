import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor, Tx } from './database.ts';
import type { MemoRecipientTable, MemoTable } from './schema-memos.ts';

/** The SQL of memos, their recipients and read confirmations. The sync queries are in memos-sync.ts. */

export type MemoRow = Selectable<MemoTable>;
export type NewMemoRow = Omit<Insertable<MemoTable>, 'id'>;
export type RecipientRow = Selectable<MemoRecipientTable>;

/** A memo with its sender's directory fields. */
export interface MemoWithSender extends MemoRow {
  sender_address: string;
  sender_name: string;
}

// Recipient rows have 6 columns; 1000 rows per statement stay far inside the
// bound-parameter limits of SQLite (32766) and PostgreSQL (65535).
const CHUNK_ROWS = 1000;

/**
 * Increments the memo counters of these users (creating them at 1) and
 * returns the new values. Each row stays locked until commit, and the ids
 * are taken in ascending order (sorted here, one statement per chunk), so
 * two transactions touching overlapping users queue instead of deadlocking.
 */
export async function advanceMemoCounters(tx: Tx, userIds: readonly number[]): Promise<Map<number, number>> {
  const ids = [...new Set(userIds)].sort((a, b) => a - b);
  const counters = new Map<number, number>();
  for (let i = 0; i < ids.length; i += CHUNK_ROWS) {
    const rows = await tx
      .insertInto('memo_sync_counters')
      .values(ids.slice(i, i + CHUNK_ROWS).map((id) => ({ user_id: id, seq: 1 })))
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ seq: sql<number>`memo_sync_counters.seq + 1` }))
      .returning(['user_id', 'seq'])
      .execute();
    for (const row of rows) counters.set(row.user_id, Number(row.seq));
  }
  return counters;
}

export async function readMemoCounter(db: Executor, userId: number): Promise<number> {
  const row = await db
    .selectFrom('memo_sync_counters')
    .select('seq')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? Number(row.seq) : 0;
}

export function insertMemo(tx: Tx, row: NewMemoRow): Promise<MemoRow> {
  return tx.insertInto('memos').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function setMemoAttachments(tx: Tx, id: number, attachments: string): Promise<void> {
  await tx.updateTable('memos').set({ attachments }).where('id', '=', id).execute();
}

export async function insertRecipients(
  tx: Tx,
  rows: readonly Insertable<MemoRecipientTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    await tx
      .insertInto('memo_recipients')
      .values(rows.slice(i, i + CHUNK_ROWS))
      .execute();
  }
}

function memosWithSender(db: Executor) {
  return db
    .selectFrom('memos as m')
    .innerJoin('users as s', 's.id', 'm.sender_id')
    .selectAll('m')
    .select(['s.address as sender_address', 's.display_name as sender_name']);
}

export function findMemo(db: Executor, id: number): Promise<MemoWithSender | undefined> {
  return memosWithSender(db).where('m.id', '=', id).executeTakeFirst();
}

export function findRecipient(
  db: Executor,
  memoId: number,
  userId: number,
): Promise<RecipientRow | undefined> {
  return db
    .selectFrom('memo_recipients')
    .selectAll()
    .where('memo_id', '=', memoId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Records the first read; false (nothing changed) when it was read already. */
export async function markRead(
  tx: Tx,
  memoId: number,
  userId: number,
  change: { readAt: number; recipientChangeSeq: number; senderChangeSeq: number },
): Promise<boolean> {
  const result = await tx
    .updateTable('memo_recipients')
    .set({
      read_at: change.readAt,
      recipient_change_seq: change.recipientChangeSeq,
      sender_change_seq: change.senderChangeSeq,
    })
    .where('memo_id', '=', memoId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** How many recipients have read each memo. */
export async function countReads(db: Executor, memoIds: readonly number[]): Promise<Map<number, number>> {
  if (memoIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('memo_recipients')
    .select('memo_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('memo_id', 'in', memoIds)
    .where('read_at', 'is not', null)
    .groupBy('memo_id')
    .execute();
  return new Map(rows.map((r) => [r.memo_id, Number(r.n)]));
}

/** A page of a user's inbox, newest first, memo ids below `before`. */
export function listInbox(
  db: Executor,
  userId: number,
  before: number | undefined,
  limit: number,
): Promise<(MemoWithSender & { read_at: number | null })[]> {
  let query = memosWithSender(db)
    .innerJoin('memo_recipients as r', 'r.memo_id', 'm.id')
    .select('r.read_at')
    .where('r.user_id', '=', userId);
  if (before !== undefined) query = query.where('m.id', '<', before);
  return query.orderBy('m.id', 'desc').limit(limit).execute();
}

export async function countUnreadInbox(db: Executor, userId: number): Promise<number> {
  const row = await db
    .selectFrom('memo_recipients')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A page of a sender's sent box, newest first, memo ids below `before`. */
export function listSent(
  db: Executor,
  senderId: number,
  before: number | undefined,
  limit: number,
): Promise<MemoWithSender[]> {
  let query = memosWithSender(db).where('m.sender_id', '=', senderId);
  if (before !== undefined) query = query.where('m.id', '<', before);
  return query.orderBy('m.id', 'desc').limit(limit).execute();
}

/** Every recipient of a memo with their directory fields: read ones first, in reading order. */
export function listReceipts(
  db: Executor,
  memoId: number,
): Promise<{ user_id: number; address: string; display_name: string; read_at: number | null }[]> {
  return db
    .selectFrom('memo_recipients as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .select(['r.user_id', 'u.address', 'u.display_name', 'r.read_at'])
    .where('r.memo_id', '=', memoId)
    .orderBy(sql`case when r.read_at is null then 1 else 0 end`)
    .orderBy('r.read_at')
    .orderBy('u.address')
    .execute();
}

/** The enabled users directly in these org units (the caller expands sub-units). */
export async function listUserIdsInUnits(db: Executor, unitIds: readonly number[]): Promise<number[]> {
  if (unitIds.length === 0) return [];
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('unit_id', 'in', unitIds)
    .where('disabled', '=', 0)
    .execute();
  return rows.map((r) => r.id);
}
