/**
 * Turns the messenger's events into notices (notification-rules.ts): a
 * `message` in a 1:1, a `mention` (or a group message that mentions the
 * user), a `memo` in the inbox. Names come from the conversation's members,
 * fetched with `conversation.list` the first time a conversation is seen.
 *
 * What a `sync` replays after a reconnect is not new to the user as it
 * happens: messages that follow a `conversation` "synced" event, and
 * anything in the first seconds after a reconnect, raise no notice.
 */
import type { Conversation, Message } from '../../../../src/protocol/im/conversations.ts';
import type { ServerFrame } from '../../../../src/protocol/im/frames.ts';
import type { InboxMemo } from '../../../../src/protocol/im/memos.ts';
import { previewOf, type Notice } from './notification-rules.ts';

/** What this needs of lib/connection.ts's Connection. */
export interface NoticeConnection {
  request<T>(t: string, body?: Record<string, unknown>): Promise<T>;
  on(t: string, handler: (frame: ServerFrame) => void): () => void;
  status: {
    get(): { kind: string };
    subscribe(listener: () => void): () => void;
  };
}

export interface NoticeSourceOptions {
  /** After a reconnect, events this long are a sync's replay. */
  catchUpMs?: number;
  now?: () => number;
}

const CATCH_UP_MS = 4000;
/** Remember this many message keys, to take a message and its mention once. */
const SEEN_LIMIT = 500;

export function watchNotices(
  connection: NoticeConnection,
  ownUserId: number,
  emit: (notice: Notice) => void,
  options: NoticeSourceOptions = {},
): () => void {
  const now = options.now ?? Date.now;
  const catchUpMs = options.catchUpMs ?? CATCH_UP_MS;
  const conversations = new Map<number, Conversation>();
  let listing: Promise<void> | null = null;
  const seen = new Set<string>();
  const syncedAt = new Map<number, number>();
  let everOnline = connection.status.get().kind === 'online';
  let catchUpUntil = 0;
  let stopped = false;

  const refresh = (): Promise<void> => {
    listing ??= connection
      .request<{ conversations: Conversation[] }>('conversation.list')
      .then((result) => {
        for (const conversation of result.conversations) conversations.set(conversation.id, conversation);
      })
      .catch(() => undefined)
      .finally(() => {
        listing = null;
      });
    return listing;
  };

  const conversationOf = async (id: number): Promise<Conversation | undefined> => {
    if (!conversations.has(id)) await refresh();
    return conversations.get(id);
  };

  const replaying = (conversationId?: number): boolean => {
    const at = now();
    if (at < catchUpUntil) return true;
    if (conversationId === undefined) return false;
    const synced = syncedAt.get(conversationId);
    return synced !== undefined && at - synced < catchUpMs;
  };

  /** True the first time a message is seen (its `message` and `mention` events make one notice). */
  const firstSight = (message: Message): boolean => {
    const key = `${message.conversationId}:${message.seq}`;
    if (seen.has(key)) return false;
    seen.add(key);
    if (seen.size > SEEN_LIMIT) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
    return true;
  };

  const onMessage = async (message: Message, mentionEvent: boolean): Promise<void> => {
    if (message.senderId === ownUserId || message.deletedAt !== null) return;
    if (replaying(message.conversationId)) return;
    const conversation = await conversationOf(message.conversationId);
    if (stopped) return;
    const direct = conversation?.kind === 'direct';
    const mentioned = mentionEvent || message.mentions.includes(ownUserId);
    if (!direct && !mentioned) return;
    if (!firstSight(message)) return;
    const sender = conversation?.members.find((member) => member.userId === message.senderId);
    emit({
      key: `c:${message.conversationId}`,
      kind: mentioned && !direct ? 'mention' : 'message',
      senderId: message.senderId,
      senderName: sender?.displayName || sender?.address || '',
      where: direct ? '' : (conversation?.title ?? ''),
      preview: previewOf(message.text),
      files: message.attachments.length,
      route: ['chats', String(message.conversationId)],
    });
  };

  const onMemo = (memo: InboxMemo): void => {
    if (memo.sender.userId === ownUserId || memo.readAt !== null || replaying()) return;
    emit({
      key: `m:${memo.id}`,
      kind: 'memo',
      senderId: memo.sender.userId,
      senderName: memo.sender.displayName || memo.sender.address,
      where: previewOf(memo.subject),
      preview: previewOf(memo.body),
      files: memo.attachments.length,
      route: ['memos', String(memo.id)],
    });
  };

  const unsubscribers = [
    connection.on('message', (frame) => void onMessage(frame.message as Message, false)),
    connection.on('mention', (frame) => void onMessage(frame.message as Message, true)),
    connection.on('memo', (frame) => {
      if (frame.box === 'inbox') onMemo(frame.memo as InboxMemo);
    }),
    connection.on('conversation', (frame) => {
      const conversation = frame.conversation as Conversation;
      if (frame.change === 'synced') syncedAt.set(conversation.id, now());
      if (conversation.members.some((member) => member.userId === ownUserId)) {
        conversations.set(conversation.id, conversation);
      } else {
        conversations.delete(conversation.id);
      }
    }),
    connection.status.subscribe(() => {
      if (connection.status.get().kind !== 'online') return;
      if (everOnline) catchUpUntil = now() + catchUpMs;
      everOnline = true;
    }),
  ];
  return () => {
    stopped = true;
    for (const unsubscribe of unsubscribers) unsubscribe();
  };
}
