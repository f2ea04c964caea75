import { z } from 'zod';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  CONVERSATION_LIMITS,
  type ConversationEvent,
  type ConversationSyncCursor,
} from '../../protocol/im/conversations.ts';
import type { ServerFrame } from '../../protocol/im/frames.ts';
import * as conversations from '../../store/conversations.ts';
import * as messages from '../../store/conversations-messages.ts';
import type { Db } from '../../store/database.ts';
import type { ImSession, SyncSource } from '../types.ts';
import { membersByConversation, toConversation, toMessage } from './views.ts';

/** More conversations than anyone is in; a bigger cursor is not one of ours. */
const MAX_CURSOR_ENTRIES = 100_000;

const cursorSchema = z.object({
  conversations: z
    .record(z.string().regex(/^[1-9][0-9]{0,15}$/), z.number().int().min(0))
    .refine((record) => Object.keys(record).length <= MAX_CURSOR_ENTRIES, 'too many entries'),
});

/**
 * The `conversations` sync source. The cursor holds, per conversation, the
 * last change number the client saw. Each conversation's changes take their
 * numbers under its row lock and commit in that order, so once a number is
 * visible every smaller one is committed: reading the counters first and
 * then the rows changed up to them can never skip a change that was still
 * in flight (a single global sequence could: a later number may commit
 * before an earlier one). The new cursor is the counters as first read.
 * A message sent after that read waits for the next sync, so each `message`
 * frame comes exactly once; an edit racing a sync may come twice (the same
 * state), never not at all.
 *
 * For each conversation that changed the client gets its current state
 * (`conversation`, change `synced`, with members, read markers and its
 * unread count), then each message sent (`message`), edited
 * (`message.edited`) or deleted (`message.deleted`) since — at most
 * CONVERSATION_LIMITS.syncMessagesPerConversation, the newest; more and the
 * frame says `truncated`. Conversations the user left or was removed from
 * since come as `conversation` with change `removed`, and leave the cursor.
 * No cursor means "from now": nothing old is sent.
 */
export class ConversationSync implements SyncSource {
  readonly name = 'conversations';
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async sync(session: ImSession, cursor: unknown): Promise<{ frames: ServerFrame[]; cursor: unknown }> {
    const seen = parseCursor(cursor);
    const memberships = await conversations.listMembershipsForSync(this.#db, session.userId);
    const next: ConversationSyncCursor = { conversations: {} };
    const changed: { id: number; after: number; upTo: number }[] = [];
    const dropped: number[] = [];
    for (const m of memberships) {
      const key = String(m.conversation_id);
      const after = seen?.conversations[key];
      if (m.active === 1) {
        next.conversations[key] = m.change_seq;
        if (seen && m.change_seq > (after ?? 0)) {
          changed.push({ id: m.conversation_id, after: after ?? 0, upTo: m.change_seq });
        }
      } else if (after !== undefined && m.member_change_seq > after) {
        dropped.push(m.conversation_id);
      }
    }
    if (changed.length === 0 && dropped.length === 0) return { frames: [], cursor: next };

    const ids = [...changed.map((c) => c.id), ...dropped];
    const [rows, members, unread] = await Promise.all([
      Promise.all(ids.map((id) => conversations.findConversation(this.#db, id))),
      conversations.listActiveMembers(this.#db, ids),
      conversations.countUnread(this.#db, session.userId, ids),
    ]);
    const rowById = new Map(rows.filter((r) => r !== undefined).map((r) => [r.id, r]));
    const grouped = membersByConversation(members);
    const frames: ServerFrame[] = [];

    for (const id of dropped) {
      const row = rowById.get(id);
      if (!row) continue;
      const event: ConversationEvent = {
        t: 'conversation',
        change: 'removed',
        conversation: toConversation(row, grouped.get(id) ?? []),
        userIds: [session.userId],
      };
      frames.push({ ...event });
    }
    for (const { id, after, upTo } of changed) {
      const row = rowById.get(id);
      if (!row) continue;
      const limit = CONVERSATION_LIMITS.syncMessagesPerConversation;
      const changedMessages = await messages.listMessagesChanged(this.#db, id, after, upTo, limit + 1);
      const truncated = changedMessages.length > limit;
      const event: ConversationEvent = {
        t: 'conversation',
        change: 'synced',
        conversation: toConversation(row, grouped.get(id) ?? [], unread.get(id) ?? 0),
      };
      if (truncated) event.truncated = true;
      frames.push({ ...event });
      for (const message of truncated ? changedMessages.slice(1) : changedMessages) {
        frames.push(messageFrame(message, after));
      }
    }
    return { frames, cursor: next };
  }
}

/** Sent since the cursor: the message as it is now; older: what happened to it. */
function messageFrame(row: messages.MessageRow, after: number): ServerFrame {
  const message = toMessage(row);
  if (row.created_change_seq > after) return { t: 'message', message };
  if (row.deleted_at !== null) return { t: 'message.deleted', message };
  return { t: 'message.edited', message };
}

function parseCursor(cursor: unknown): ConversationSyncCursor | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const parsed = cursorSchema.safeParse(cursor);
  if (!parsed.success) {
    throw new CooError(ErrorCode.INVALID_INPUT, 'the conversations sync cursor is not one this server gave', [
      { field: 'cursors.conversations', message: 'not a cursor of this server' },
    ]);
  }
  return parsed.data;
}
