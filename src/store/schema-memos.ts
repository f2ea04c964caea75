import type { Generated } from 'kysely';

/** Memos and their per-recipient read confirmations. */
export interface MemoTables {
  memos: MemoTable;
  memo_recipients: MemoRecipientTable;
  memo_sync_counters: MemoSyncCounterTable;
}

export interface MemoTable {
  id: Generated<number>;
  sender_id: number;
  subject: string;
  body: string;
  /** JSON array of attachment descriptions. */
  attachments: string;
  recipient_count: number;
  sent_at: number;
  /** The sender's memo counter when it was sent (for the sender's other devices). */
  sender_change_seq: number;
}

export interface MemoRecipientTable {
  memo_id: number;
  user_id: number;
  /** Copied from the memo, so a sender's receipts are found by index. */
  sender_id: number;
  read_at: number | null;
  /** The recipient's memo counter when the memo arrived, then when they read it. */
  recipient_change_seq: number;
  /** The sender's memo counter when this recipient read it; 0 until then. */
  sender_change_seq: number;
}

/**
 * One counter per user, incremented (row locked until commit) by every change
 * to what that user sees of memos: arrivals, own reads, receipts. A user's
 * changes commit in counter order, so the sync cursor is one number.
 */
export interface MemoSyncCounterTable {
  user_id: number;
  seq: number;
}
