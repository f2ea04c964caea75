import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import {
  CONVERSATION_LIMITS,
  type Message,
  type MessageHistoryResult,
  type ReadResult,
} from '../../protocol/im/conversations.ts';
import * as conversations from '../../store/conversations.ts';
import * as messages from '../../store/conversations-messages.ts';
import { inTransaction, isUniqueViolation, type Tx } from '../../store/database.ts';
import type { AttachmentInfo } from '../types.ts';
import { requireMembership, requireMessageable } from './access.ts';
import { AfterCommit, preview } from './after-commit.ts';
import { readAuditContent } from './audit-content.ts';
import type { ImActor, MessagingDeps } from './deps.ts';
import { checkClientId, checkIds, checkLimit, checkMessageText, checkSeq } from './input.ts';
import { resolveMentions } from './mentions.ts';
import { TypingLimiter } from './typing-limiter.ts';
import { toMessage } from './views.ts';

export interface SendMessage {
  conversationId: number;
  text: string;
  attachments?: readonly string[];
  mentions?: readonly number[];
  clientId?: string;
}

/** Thrown inside the send transaction to roll it back when the clientId was used already. */
class AlreadySent extends Error {
  readonly row: messages.MessageRow;
  constructor(row: messages.MessageRow) {
    super('already sent');
    this.row = row;
  }
}

/**
 * Messages of a conversation: sending with a gap-free sequence number,
 * editing and deleting (the sender only), history, read markers and typing.
 * Every change commits first; its answer and events follow.
 */
export class MessageService {
  readonly #deps: MessagingDeps;
  readonly #after: AfterCommit;
  readonly #now: () => number;
  readonly #typing: TypingLimiter;

  constructor(deps: MessagingDeps) {
    this.#deps = deps;
    this.#after = new AfterCommit(deps);
    this.#now = deps.now ?? Date.now;
    this.#typing = new TypingLimiter(CONVERSATION_LIMITS.typingIntervalMs, this.#now);
  }

  get #db() {
    return this.#deps.services.store.db;
  }

  /**
   * Sends a message. The seq is taken in the same transaction as the insert,
   * under the conversation's row lock, so seqs have no gaps and follow commit
   * order. A clientId already used by this sender in this conversation
   * returns that first message and sends nothing again.
   */
  async send(actor: ImActor, input: SendMessage): Promise<Message> {
    const fileIds = checkFileIds(input.attachments ?? []);
    const text = checkMessageText(input.text, fileIds.length > 0);
    const clientId = checkClientId(input.clientId);
    const explicit = checkIds('mentions', input.mentions ?? [], CONVERSATION_LIMITS.mentionsPerMessage);
    const conversation = await requireMembership(this.#db, input.conversationId, actor.userId);
    if (clientId !== null) {
      const first = await messages.findMessageByClientId(this.#db, conversation.id, actor.userId, clientId);
      if (first) return toMessage(first);
    }
    const members = await conversations.listActiveMembers(this.#db, [conversation.id]);
    if (conversation.kind === 'direct') {
      // The rules may have changed since the 1:1 began: the other must still be messageable.
      const others = members.filter((m) => m.user_id !== actor.userId).map((m) => m.user_id);
      await requireMessageable(this.#deps, actor.userId, others);
    }
    const mentions = resolveMentions(text, explicit, members, actor.userId);

    let row: messages.MessageRow;
    let attachments: AttachmentInfo[] = [];
    try {
      row = await inTransaction(this.#db, async (tx) => {
        const now = this.#now();
        const locked = await this.#lockAsMember(tx, conversation.id, actor, { at: now });
        if (clientId !== null) {
          const first = await messages.findMessageByClientId(tx, conversation.id, actor.userId, clientId);
          if (first) throw new AlreadySent(first);
        }
        if (fileIds.length > 0) {
          const target = { conversationId: conversation.id };
          attachments = await this.#deps.attachments.attach(fileIds, actor.userId, target, tx);
        }
        const inserted = await messages.insertMessage(tx, {
          conversation_id: conversation.id,
          seq: locked.last_seq,
          sender_id: actor.userId,
          client_id: clientId,
          text,
          attachments: JSON.stringify(attachments),
          mentions: JSON.stringify(mentions),
          sent_at: now,
          edited_at: null,
          deleted_at: null,
          created_change_seq: locked.change_seq,
          change_seq: locked.change_seq,
        });
        // Whoever writes has read everything before.
        await conversations.advanceReadSeq(
          tx,
          conversation.id,
          actor.userId,
          inserted.seq,
          locked.change_seq,
        );
        await this.#audit(tx, actor, 'im.message.send', inserted, {
          attachments: attachments.length,
          mentions: mentions.length,
        });
        return inserted;
      });
    } catch (error) {
      if (error instanceof AlreadySent) return toMessage(error.row);
      if (clientId !== null && isUniqueViolation(error)) {
        const first = await messages.findMessageByClientId(this.#db, conversation.id, actor.userId, clientId);
        if (first) return toMessage(first);
      }
      throw error;
    }

    const message = toMessage(row);
    const memberIds = members.map((m) => m.user_id);
    await this.#after.deliver(memberIds, { t: 'message', message }, actor);
    const senderName = members.find((m) => m.user_id === actor.userId)?.display_name || actor.address;
    const body = preview(text) || `${attachments.length} file(s)`;
    const url = `/#/chats/${conversation.id}`;
    if (conversation.kind === 'direct') {
      const others = memberIds.filter((id) => id !== actor.userId);
      this.#after.pushToOffline(others, { title: senderName, body, url, tag: url });
    }
    await this.#notifyMentions(mentions, message, senderName, conversation.kind === 'direct');
    return message;
  }

  /**
   * Changes the text of one's own message. Mentions written into the new
   * text are added (and notified); earlier mentions stay.
   */
  async edit(actor: ImActor, conversationId: number, seq: number, text: string): Promise<Message> {
    checkSeq('seq', seq);
    const conversation = await requireMembership(this.#db, conversationId, actor.userId);
    const before = await this.#ownMessage(conversationId, seq, actor);
    const { mentions: earlier, attachments } = toMessage(before);
    const checkedText = checkMessageText(text, attachments.length > 0);
    const members = await conversations.listActiveMembers(this.#db, [conversationId]);
    const mentions = [...new Set([...earlier, ...resolveMentions(checkedText, [], members, actor.userId)])];
    const row = await inTransaction(this.#db, async (tx) => {
      const locked = await this.#lockAsMember(tx, conversationId, actor);
      const current = await messages.findMessageBySeq(tx, conversationId, seq);
      if (!current || current.deleted_at !== null) throw messageUnknown(conversationId, seq);
      const updated = await messages.updateMessage(tx, current.id, {
        text: checkedText,
        mentions: JSON.stringify(mentions),
        edited_at: this.#now(),
        change_seq: locked.change_seq,
      });
      await this.#audit(tx, actor, 'im.message.edit', updated, {});
      return updated;
    });
    const message = toMessage(row);
    await this.#after.deliver(
      members.map((m) => m.user_id),
      { t: 'message.edited', message },
      actor,
    );
    const added = mentions.filter((id) => !earlier.includes(id));
    const senderName = members.find((m) => m.user_id === actor.userId)?.display_name || actor.address;
    await this.#notifyMentions(added, message, senderName, conversation.kind === 'direct');
    return message;
  }

  /** Deletes one's own message, leaving a tombstone with its seq; deleting again changes nothing. */
  async delete(actor: ImActor, conversationId: number, seq: number): Promise<Message> {
    checkSeq('seq', seq);
    await requireMembership(this.#db, conversationId, actor.userId);
    const before = await this.#ownMessage(conversationId, seq, actor, { allowDeleted: true });
    if (before.deleted_at !== null) return toMessage(before);
    let changed = true;
    const row = await inTransaction(this.#db, async (tx) => {
      const locked = await this.#lockAsMember(tx, conversationId, actor);
      const current = await messages.findMessageBySeq(tx, conversationId, seq);
      if (!current) throw messageUnknown(conversationId, seq);
      if (current.deleted_at !== null) {
        changed = false;
        return current;
      }
      const updated = await messages.updateMessage(tx, current.id, {
        text: '',
        attachments: '[]',
        mentions: '[]',
        deleted_at: this.#now(),
        change_seq: locked.change_seq,
      });
      await this.#audit(tx, actor, 'im.message.delete', current, {});
      return updated;
    });
    const message = toMessage(row);
    if (changed) {
      const members = await conversations.listActiveMembers(this.#db, [conversationId]);
      await this.#after.deliver(
        members.map((m) => m.user_id),
        { t: 'message.deleted', message },
        actor,
      );
    }
    return message;
  }

  /** A page of messages, newest first, with seq below `before` (tombstones included). */
  async history(
    actor: ImActor,
    conversationId: number,
    page: { before?: number; limit?: number } = {},
  ): Promise<MessageHistoryResult> {
    if (page.before !== undefined) checkSeq('before', page.before);
    const limit = checkLimit(
      page.limit,
      CONVERSATION_LIMITS.historyPageDefault,
      CONVERSATION_LIMITS.historyPageMax,
    );
    await requireMembership(this.#db, conversationId, actor.userId);
    const rows = await messages.listMessagesBefore(this.#db, conversationId, page.before, limit + 1);
    return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
  }

  /**
   * Moves the actor's read marker forward to seq (capped at the newest
   * message); a marker never moves back, so a late `read` from a slow
   * device changes nothing.
   */
  async read(actor: ImActor, conversationId: number, seq: number): Promise<ReadResult> {
    checkSeq('seq', seq);
    const conversation = await requireMembership(this.#db, conversationId, actor.userId);
    const member = await conversations.findMember(this.#db, conversationId, actor.userId);
    let readSeq = member?.read_seq ?? 0;
    const target = Math.min(seq, conversation.last_seq);
    if (target > readSeq) {
      const moved = await inTransaction(this.#db, async (tx) => {
        const locked = await this.#lockAsMember(tx, conversationId, actor);
        return conversations.advanceReadSeq(tx, conversationId, actor.userId, target, locked.change_seq);
      });
      if (moved) {
        readSeq = target;
        const members = await conversations.listActiveMembers(this.#db, [conversationId]);
        await this.#after.deliver(
          members.map((m) => m.user_id),
          { t: 'read', conversationId, userId: actor.userId, seq: target },
          actor,
        );
      } else {
        readSeq =
          (await conversations.findMember(this.#db, conversationId, actor.userId))?.read_seq ?? target;
      }
    }
    const unread = await conversations.countUnread(this.#db, actor.userId, [conversationId]);
    return { readSeq, unread: unread.get(conversationId) ?? 0 };
  }

  /**
   * Tells the other members the actor is typing. Not stored; at most one
   * relay per member and conversation per interval, the rest are dropped
   * (`sent: false`) — a client sends it on every few keystrokes.
   */
  async typing(actor: ImActor, conversationId: number): Promise<{ sent: boolean }> {
    if (!this.#typing.admit(actor.userId, conversationId)) return { sent: false };
    await requireMembership(this.#db, conversationId, actor.userId);
    const members = await conversations.listActiveMembers(this.#db, [conversationId]);
    const others = members.map((m) => m.user_id).filter((id) => id !== actor.userId);
    await this.#after.deliver(others, { t: 'typing', conversationId, userId: actor.userId });
    return { sent: true };
  }

  /** Takes the conversation's next change number (and seq) and checks the actor is still a member. */
  async #lockAsMember(
    tx: Tx,
    conversationId: number,
    actor: ImActor,
    message?: { at: number },
  ): Promise<conversations.ConversationRow> {
    const locked = await conversations.advanceConversation(tx, conversationId, message);
    const member = await conversations.findMember(tx, conversationId, actor.userId);
    if (!locked || member?.active !== 1) {
      throw new CooError(ErrorCode.IM_CONVERSATION_UNKNOWN, `no conversation ${conversationId}`);
    }
    return locked;
  }

  async #ownMessage(
    conversationId: number,
    seq: number,
    actor: ImActor,
    options: { allowDeleted?: boolean } = {},
  ): Promise<messages.MessageRow> {
    const row = await messages.findMessageBySeq(this.#db, conversationId, seq);
    if (!row || (row.deleted_at !== null && !options.allowDeleted)) throw messageUnknown(conversationId, seq);
    if (row.sender_id !== actor.userId) {
      throw new CooError(ErrorCode.IM_NOT_ALLOWED, 'only the sender may change or delete a message');
    }
    return row;
  }

  /** The `mention` event to each mentioned member, and a push to those offline (unless a DM push went already). */
  async #notifyMentions(
    mentions: readonly number[],
    message: Message,
    senderName: string,
    directPushed: boolean,
  ): Promise<void> {
    if (mentions.length === 0) return;
    await this.#after.deliver(mentions, { t: 'mention', message });
    if (directPushed) return;
    const url = `/#/chats/${message.conversationId}`;
    this.#after.pushToOffline(mentions, {
      title: `${senderName} mentioned you`,
      body: preview(message.text),
      url,
      tag: `${url}#${message.seq}`,
    });
  }

  /**
   * Metadata always (conversation, seq, sender, size); the text only when
   * the admin setting im.audit_content is 'keep'.
   */
  async #audit(
    tx: Tx,
    actor: ImActor,
    action: string,
    row: messages.MessageRow,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const details: Record<string, unknown> = {
      conversation: row.conversation_id,
      seq: row.seq,
      sender: row.sender_id,
      chars: [...row.text].length,
      bytes: Buffer.byteLength(row.text),
      ...extra,
    };
    if (action !== 'im.message.delete' && (await readAuditContent(tx)) === 'keep') details.text = row.text;
    await this.#deps.services.audit.append(
      {
        actor: actor.address,
        action,
        target: `conversation:${row.conversation_id}`,
        protocol: actor.protocol,
        remote: actor.remote,
        outcome: 'success',
        details,
      },
      tx,
    );
  }
}

function checkFileIds(ids: readonly string[]): string[] {
  const distinct = [...new Set(ids)];
  if (distinct.length > CONVERSATION_LIMITS.attachmentsPerMessage) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `attachments: at most ${CONVERSATION_LIMITS.attachmentsPerMessage} files per message`,
      [{ field: 'attachments', message: `at most ${CONVERSATION_LIMITS.attachmentsPerMessage}` }],
    );
  }
  return distinct;
}

function messageUnknown(conversationId: number, seq: number): CooError {
  return new CooError(ErrorCode.IM_MESSAGE_UNKNOWN, `no message ${seq} in conversation ${conversationId}`);
}
