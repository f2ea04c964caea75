import type { Executor } from './database.ts';
import type { MemoWithSender } from './memos.ts';

/**
 * What changed in a user's view of memos between two values of their memo
 * counter (after, upTo]: memos that arrived or were read (inbox), memos they
 * sent (sent box), and recipients who read memos they sent (receipts). Each
 * counter value stamps one row, so the three lists merge into one order.
 */

export type InboxChange = MemoWithSender & { read_at: number | null; change_seq: number };
export type SentChange = MemoWithSender & { change_seq: number };
export interface ReceiptChange {
  memo_id: number;
  user_id: number;
  read_at: number | null;
  change_seq: number;
}

export function listInboxChanges(
  db: Executor,
  userId: number,
  after: number,
  upTo: number,
  limit: number,
): Promise<InboxChange[]> {
  return db
    .selectFrom('memo_recipients as r')
    .innerJoin('memos as m', 'm.id', 'r.memo_id')
    .innerJoin('users as s', 's.id', 'm.sender_id')
    .selectAll('m')
    .select(['s.address as sender_address', 's.display_name as sender_name'])
    .select(['r.read_at', 'r.recipient_change_seq as change_seq'])
    .where('r.user_id', '=', userId)
    .where('r.recipient_change_seq', '>', after)
    .where('r.recipient_change_seq', '<=', upTo)
    .orderBy('r.recipient_change_seq')
    .limit(limit)
    .execute();
}

export function listSentChanges(
  db: Executor,
  senderId: number,
  after: number,
  upTo: number,
  limit: number,
): Promise<SentChange[]> {
  return db
    .selectFrom('memos as m')
    .innerJoin('users as s', 's.id', 'm.sender_id')
    .selectAll('m')
    .select(['s.address as sender_address', 's.display_name as sender_name'])
    .select('m.sender_change_seq as change_seq')
    .where('m.sender_id', '=', senderId)
    .where('m.sender_change_seq', '>', after)
    .where('m.sender_change_seq', '<=', upTo)
    .orderBy('m.sender_change_seq')
    .limit(limit)
    .execute();
}

export function listReceiptChanges(
  db: Executor,
  senderId: number,
  after: number,
  upTo: number,
  limit: number,
): Promise<ReceiptChange[]> {
  return db
    .selectFrom('memo_recipients')
    .select(['memo_id', 'user_id', 'read_at', 'sender_change_seq as change_seq'])
    .where('sender_id', '=', senderId)
    .where('sender_change_seq', '>', after)
    .where('sender_change_seq', '<=', upTo)
    .orderBy('sender_change_seq')
    .limit(limit)
    .execute();
}
