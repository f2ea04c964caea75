import { z } from 'zod';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ServerFrame } from '../../protocol/im/frames.ts';
import { MEMO_LIMITS, type MemoSyncCursor } from '../../protocol/im/memos.ts';
import type { Db } from '../../store/database.ts';
import { countReads, readMemoCounter } from '../../store/memos.ts';
import { listInboxChanges, listReceiptChanges, listSentChanges } from '../../store/memos-sync.ts';
import type { ImSession, SyncSource } from '../types.ts';
import { toInboxMemo, toSentMemo } from './memo-views.ts';

const cursorSchema = z.object({ seq: z.number().int().min(0) });

type Change = { seq: number; frame: () => ServerFrame };

/**
 * The `memos` sync source. Every change to what a user sees of memos (a
 * memo arriving, their own read on another device, a recipient reading one
 * they sent) takes the next value of that user's memo counter, under its
 * row lock, so the user's changes commit in counter order and the cursor is
 * one number: the counter is read first, then the rows stamped after the
 * cursor up to it. Each frame is the current state — `memo` (inbox or sent
 * box; upsert it by id) or `memo.read` (a receipt). Past
 * MEMO_LIMITS.syncFrames the cursor stops at the last frame sent and a
 * `memo.more` frame asks the client to sync again.
 */
export class MemoSync implements SyncSource {
  readonly name = 'memos';
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async sync(session: ImSession, cursor: unknown): Promise<{ frames: ServerFrame[]; cursor: unknown }> {
    const seen = parseCursor(cursor);
    const upTo = await readMemoCounter(this.#db, session.userId);
    if (seen === undefined || upTo <= seen.seq)
      return { frames: [], cursor: { seq: upTo } satisfies MemoSyncCursor };
    const limit = MEMO_LIMITS.syncFrames;
    const userId = session.userId;
    const [inbox, sent, receipts] = await Promise.all([
      listInboxChanges(this.#db, userId, seen.seq, upTo, limit + 1),
      listSentChanges(this.#db, userId, seen.seq, upTo, limit + 1),
      listReceiptChanges(this.#db, userId, seen.seq, upTo, limit + 1),
    ]);
    const readCounts = await countReads(this.#db, [
      ...new Set([...sent.map((m) => m.id), ...receipts.map((r) => r.memo_id)]),
    ]);
    const changes: Change[] = [
      ...inbox.map((row) => ({
        seq: row.change_seq,
        frame: () => ({ t: 'memo', box: 'inbox', memo: toInboxMemo(row, row.read_at) }),
      })),
      ...sent.map((row) => ({
        seq: row.change_seq,
        frame: () => ({ t: 'memo', box: 'sent', memo: toSentMemo(row, readCounts.get(row.id) ?? 0) }),
      })),
      ...receipts.map((row) => ({
        seq: row.change_seq,
        frame: () => ({
          t: 'memo.read',
          memoId: row.memo_id,
          userId: row.user_id,
          readAt: row.read_at,
          readCount: readCounts.get(row.memo_id) ?? 0,
        }),
      })),
    ].sort((a, b) => a.seq - b.seq);
    if (changes.length <= limit) return { frames: changes.map((c) => c.frame()), cursor: { seq: upTo } };
    const taken = changes.slice(0, limit);
    const last = taken.at(-1)?.seq ?? seen.seq;
    return { frames: [...taken.map((c) => c.frame()), { t: 'memo.more' }], cursor: { seq: last } };
  }
}

function parseCursor(cursor: unknown): MemoSyncCursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) {
    throw new CooError(ErrorCode.INVALID_INPUT, 'the memos sync cursor is not one this server gave', [
      { field: 'cursors.memos', message: 'not a cursor of this server' },
    ]);
  }
  return parsed.data;
}
