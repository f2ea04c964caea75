import { z } from 'zod';
import { MEMO_LIMITS } from '../../protocol/im/memos.ts';
import { actorOfSession } from '../conversations/deps.ts';
import { entityId, pageLimit, requestId } from '../conversations/frame-schemas.ts';
import { frameHandler, type FrameHandler } from '../types.ts';
import type { MemoService } from './memo-service.ts';

const targets = z.array(entityId).max(MEMO_LIMITS.targetsPerMemo);
const page = { before: entityId.optional(), limit: pageLimit };

/** `memo.send|read|inbox|sent|receipts` (docs/protocol/memos.md). */
export function memoHandlers(memos: MemoService): FrameHandler[] {
  return [
    frameHandler({
      type: 'memo.send',
      schema: z.object({
        t: z.literal('memo.send'),
        id: requestId,
        subject: z
          .string()
          .max(MEMO_LIMITS.subjectChars * 2)
          .optional(),
        body: z.string().max(MEMO_LIMITS.bodyChars * 2),
        to: z.object({ userIds: targets.optional(), unitIds: targets.optional() }),
        attachments: z.array(z.string().min(1).max(100)).max(MEMO_LIMITS.attachmentsPerMemo).optional(),
      }),
      handle: (connection, frame) => memos.send(actorOfSession(connection.session), frame),
    }),
    frameHandler({
      type: 'memo.read',
      schema: z.object({ t: z.literal('memo.read'), id: requestId, memoId: entityId }),
      handle: (connection, frame) => memos.read(actorOfSession(connection.session), frame.memoId),
    }),
    frameHandler({
      type: 'memo.inbox',
      schema: z.object({ t: z.literal('memo.inbox'), id: requestId, ...page }),
      handle: (connection, frame) =>
        memos.inbox(actorOfSession(connection.session), { before: frame.before, limit: frame.limit }),
    }),
    frameHandler({
      type: 'memo.sent',
      schema: z.object({ t: z.literal('memo.sent'), id: requestId, ...page }),
      handle: (connection, frame) =>
        memos.sent(actorOfSession(connection.session), { before: frame.before, limit: frame.limit }),
    }),
    frameHandler({
      type: 'memo.receipts',
      schema: z.object({ t: z.literal('memo.receipts'), id: requestId, memoId: entityId }),
      handle: (connection, frame) => memos.receipts(actorOfSession(connection.session), frame.memoId),
    }),
  ];
}
