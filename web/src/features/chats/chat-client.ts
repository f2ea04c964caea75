import {
  CONVERSATION_LIMITS,
  type Conversation,
  type ConversationEvent,
  type ConversationListResult,
  type ConversationSyncCursor,
  type Message,
  type MessageHistoryResult,
  type ReadEvent,
  type ReadResult,
  type TypingEvent,
} from '../../../../src/protocol/im/conversations.ts';
import type { ServerFrame } from '../../../../src/protocol/im/frames.ts';
import type { SyncResult } from '../../../../src/protocol/im/session.ts';
import type { ConnectionStatus } from '../../lib/connection.ts';
import type { Store } from '../../lib/store.ts';
import {
  mergeMessages,
  readSeqOf,
  withReadSeq,
  type ConversationEntry,
  type Timeline,
} from './chat-model.ts';
import { ChatState, type ListState, type MessageChange } from './chat-state.ts';
import { errorCode, sleep } from './error-code.ts';
import { Outbox, type KeyValueStorage } from './outbox.ts';
import { PreviewQueue } from './previews.ts';
import { Sender } from './sender.ts';
import { TypingTracker } from './typing.ts';

export { errorCode } from './error-code.ts';
export type { ListState } from './chat-state.ts';

/** The part of lib/connection.ts's Connection this needs (a fake in tests). */
export interface ChatConnection {
  readonly status: Store<ConnectionStatus>;
  request<T = unknown>(
    t: string,
    body?: Record<string, unknown>,
    options?: { timeoutMs?: number },
  ): Promise<T>;
  send(t: string, body?: Record<string, unknown>): void;
  on(t: string, handler: (frame: ServerFrame) => void): () => void;
}

export interface ChatClientOptions {
  /** The newest message of a conversation, for the list (REST, so the socket's rate limit is spared). */
  fetchLastMessage?: (conversationId: number) => Promise<Message | null>;
  storage?: KeyValueStorage | null;
  now?: () => number;
}

/** The first page of a chat is small, to open it fast; older pages are the most the server gives. */
const FIRST_PAGE = 50;
const OLDER_PAGE = CONVERSATION_LIMITS.historyPageMax;
/** History pages are asked at most this often (the socket allows 20 frames/s). */
const HISTORY_SPACING_MS = 150;

/**
 * The chat state of one session, kept live from the connection's events:
 * the conversation list (unread counts, last message), the timelines of the
 * conversations opened, who is typing, and the outbox. After a reconnect it
 * asks the `conversations` sync source for everything it missed (or lists
 * again when the server does not take its cursor). DOM-free: the connection
 * and the REST call for list previews are handed in.
 */
export class ChatClient {
  readonly meId: number;
  readonly state: ChatState;
  readonly list: Store<ListState>;
  /** conversation id → user id → until when they are shown typing. */
  readonly typing: Store<Record<number, Record<number, number>>>;
  readonly outbox: Outbox;
  readonly #connection: ChatConnection;
  readonly #now: () => number;
  readonly #sender: Sender;
  readonly #typing: TypingTracker;
  readonly #previews: PreviewQueue | undefined;
  #cursor: ConversationSyncCursor | undefined;
  #started = false;
  #wasOnline = false;
  #reloading = false;
  #lastHistoryAt = -Infinity;
  readonly #unsubscribe: (() => void)[] = [];

  constructor(connection: ChatConnection, meId: number, options: ChatClientOptions = {}) {
    this.#connection = connection;
    this.meId = meId;
    this.state = new ChatState(meId);
    this.list = this.state.list;
    this.#now = options.now ?? Date.now;
    this.#typing = new TypingTracker(this.#now);
    this.typing = this.#typing.store;
    const fetchLast = options.fetchLastMessage;
    this.#previews = fetchLast
      ? new PreviewQueue(fetchLast, (id, message) =>
          this.state.updateEntry(id, (e) =>
            e.lastMessage === undefined ? { ...e, lastMessage: message } : e,
          ),
        )
      : undefined;
    this.outbox = new Outbox(meId, options.storage);
    this.#sender = new Sender(connection, this.outbox, (message) => this.#applyOwn(message));
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    const on = (t: string, handler: (frame: ServerFrame) => void) =>
      this.#unsubscribe.push(this.#connection.on(t, handler));
    const message = (f: ServerFrame) => (f as unknown as { message: Message }).message;
    on('message', (f) => this.#onMessage(message(f), 'new'));
    on('message.edited', (f) => this.#onMessage(message(f), 'edited'));
    on('message.deleted', (f) => this.#onMessage(message(f), 'deleted'));
    on('conversation', (f) => this.state.applyConversation(f as unknown as ConversationEvent));
    on('typing', (f) => {
      const event = f as unknown as TypingEvent;
      if (event.userId !== this.meId) this.#typing.seen(event);
    });
    on('read', (f) => this.state.applyRead(f as unknown as ReadEvent));
    this.#unsubscribe.push(this.#connection.status.subscribe(() => this.#onStatus()));
    this.#onStatus();
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#typing.stop();
    this.#sender.stop();
    this.outbox.flush();
  }

  entry(conversationId: number): ConversationEntry | undefined {
    return this.state.entry(conversationId);
  }

  timeline(conversationId: number): Store<Timeline> {
    return this.state.timeline(conversationId);
  }

  // ------------------------------------------------------------ connection

  #onStatus(): void {
    const online = this.#connection.status.get().kind === 'online';
    if (online && !this.#wasOnline) {
      if (this.#cursor) void this.#resync();
      else void this.reload();
      this.#sender.kick();
    }
    this.#wasOnline = online;
  }

  /**
   * Lists the conversations afresh and takes a sync cursor for "now". With
   * `stale`, the timelines loaded before may have missed messages: they are
   * emptied and load again when shown.
   */
  async reload(stale = true): Promise<void> {
    if (this.#reloading) return;
    this.#reloading = true;
    try {
      const [listed, synced] = await Promise.all([
        this.#connection.request<ConversationListResult>('conversation.list'),
        this.#connection.request<SyncResult>('sync', {}),
      ]);
      this.state.replaceAll(listed, stale);
      const entries = this.list.get().entries;
      // A refused message of a chat the user is no longer in can be neither shown nor retried.
      for (const outgoing of this.outbox.messages.get()) {
        if (
          outgoing.status === 'failed' &&
          !entries.some((e) => e.conversation.id === outgoing.conversationId)
        ) {
          this.outbox.remove(outgoing.clientId);
        }
      }
      this.#cursor = synced.cursors.conversations as ConversationSyncCursor | undefined;
    } catch (error) {
      if (errorCode(error) === 'IM_CONNECTION_LOST') return; // the next online tries again
      this.state.failed();
    } finally {
      this.#reloading = false;
    }
  }

  async #resync(): Promise<void> {
    this.state.syncing = true;
    this.state.syncedNow.clear();
    try {
      const result = await this.#connection.request<SyncResult>('sync', {
        cursors: { conversations: this.#cursor },
      });
      this.#cursor = result.cursors.conversations as ConversationSyncCursor | undefined;
    } catch (error) {
      const code = errorCode(error);
      if (code === 'INVALID_INPUT') {
        this.#cursor = undefined;
        await this.reload();
      }
    } finally {
      this.state.syncing = false;
      this.state.syncedNow.clear();
    }
  }

  // ------------------------------------------------------------ events

  /** The answer to our own send: like a message event, seen from the sender. */
  #applyOwn(message: Message): void {
    this.#onMessage(message, 'new');
  }

  #onMessage(message: Message, kind: MessageChange): void {
    if (!this.state.applyMessage(message, kind)) {
      // A conversation we do not know yet (its event was missed): list again.
      if (this.list.get().status === 'ready') void this.reload(false);
      return;
    }
    const mine = message.senderId === this.meId;
    if (mine && message.clientId) this.outbox.remove(message.clientId);
    if (kind === 'new' && !mine) this.#typing.clear(message.conversationId, message.senderId);
  }

  // ------------------------------------------------------------ actions

  /** The next older page of a timeline (the newest when nothing is loaded). */
  async loadOlder(conversationId: number): Promise<void> {
    const store = this.timeline(conversationId);
    const current = store.get();
    if (current.loading || !current.hasMore) return;
    store.set({ ...current, loading: true });
    const oldest = current.messages[0]?.seq;
    try {
      const body: Record<string, unknown> = {
        conversationId,
        limit: oldest === undefined ? FIRST_PAGE : OLDER_PAGE,
      };
      if (oldest !== undefined) body.before = oldest;
      const page = await this.#history(body);
      const latest = store.get();
      // A live message may have arrived meanwhile: merge, never replace.
      store.set({
        messages: mergeMessages(latest.messages, page.messages),
        hasMore: page.hasMore,
        loading: false,
      });
      const newest = page.messages[0];
      if (oldest === undefined && newest) {
        this.state.updateEntry(conversationId, (e) =>
          e.lastMessage === undefined || (e.lastMessage && e.lastMessage.seq <= newest.seq)
            ? { ...e, lastMessage: newest }
            : e,
        );
      }
    } catch (error) {
      store.set({ ...store.get(), loading: false });
      throw error;
    }
  }

  /**
   * One history page. Scrolling back fast asks for many in a row: they are
   * spaced out, and a page refused for the socket's rate limit is asked
   * again, so a long scroll never eats the budget that sends need.
   */
  async #history(body: Record<string, unknown>): Promise<MessageHistoryResult> {
    for (let attempt = 0; ; attempt++) {
      const wait = this.#lastHistoryAt + HISTORY_SPACING_MS - this.#now();
      if (wait > 0) await sleep(wait);
      this.#lastHistoryAt = this.#now();
      try {
        return await this.#connection.request<MessageHistoryResult>('message.history', body);
      } catch (error) {
        if (errorCode(error) !== 'IM_RATE_LIMITED' || attempt >= 5) throw error;
        await sleep(1000 * (attempt + 1));
      }
    }
  }

  /** The list wants the newest message of a conversation shown. */
  wantPreview(conversationId: number): void {
    if (this.entry(conversationId)?.lastMessage === undefined) this.#previews?.want(conversationId);
  }

  /** Moves my read marker to `seq` when it is ahead of it (messages became visible). */
  markRead(conversationId: number, seq: number): void {
    const entry = this.entry(conversationId);
    if (!entry || seq <= readSeqOf(entry.conversation, this.meId)) return;
    this.state.applyRead({ t: 'read', conversationId, userId: this.meId, seq });
    this.#connection
      .request<ReadResult>('read', { conversationId, seq })
      .then((result) =>
        this.state.updateEntry(conversationId, (e) => ({
          ...e,
          conversation: withReadSeq(e.conversation, this.meId, result.readSeq),
          unread: result.unread,
        })),
      )
      .catch(() => undefined);
  }

  /** Tells the others I am typing, at most once per TYPING_SEND_MS. */
  sendTyping(conversationId: number): void {
    if (this.#typing.maySend(conversationId)) this.#connection.send('typing', { conversationId });
  }

  /** Queues a message in the outbox (kept across reloads) and sends it. */
  sendMessage(conversationId: number, text: string, attachments: Message['attachments'] = []): void {
    this.#typing.resetOwn(conversationId);
    this.#sender.enqueue(conversationId, text, attachments);
  }

  retry(clientId: string): void {
    this.#sender.retry(clientId);
  }

  discard(clientId: string): void {
    this.outbox.remove(clientId);
  }

  async edit(conversationId: number, seq: number, text: string): Promise<void> {
    const message = await this.#connection.request<Message>('message.edit', { conversationId, seq, text });
    this.#onMessage(message, 'edited');
  }

  async deleteMessage(conversationId: number, seq: number): Promise<void> {
    const message = await this.#connection.request<Message>('message.delete', { conversationId, seq });
    this.#onMessage(message, 'deleted');
  }

  async create(kind: Conversation['kind'], userIds: number[], title = ''): Promise<Conversation> {
    const body: Record<string, unknown> = { kind, userIds };
    if (kind === 'group') body.title = title;
    const conversation = await this.#connection.request<Conversation>('conversation.create', body);
    this.state.upsert(conversation, conversation.unread);
    return conversation;
  }

  /** The 1:1 with this person: the one in the list, else created (the server answers an existing one). */
  async directWith(userId: number): Promise<Conversation> {
    const known = this.list
      .get()
      .entries.find(
        (e) => e.conversation.kind === 'direct' && e.conversation.members.some((m) => m.userId === userId),
      );
    if (known && userId !== this.meId) return known.conversation;
    return this.create('direct', [userId]);
  }

  async rename(conversationId: number, title: string): Promise<void> {
    const conversation = await this.#connection.request<Conversation>('conversation.rename', {
      conversationId,
      title,
    });
    this.state.upsert(conversation, conversation.unread);
  }

  async addMembers(conversationId: number, userIds: number[]): Promise<void> {
    const conversation = await this.#connection.request<Conversation>('conversation.add', {
      conversationId,
      userIds,
    });
    this.state.upsert(conversation, conversation.unread);
  }

  async removeMembers(conversationId: number, userIds: number[]): Promise<void> {
    const conversation = await this.#connection.request<Conversation>('conversation.remove', {
      conversationId,
      userIds,
    });
    this.state.upsert(conversation, conversation.unread);
  }

  async leave(conversationId: number): Promise<void> {
    await this.#connection.request('conversation.leave', { conversationId });
    this.state.drop(conversationId);
  }
}
