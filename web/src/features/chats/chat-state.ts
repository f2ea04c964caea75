import type {
  Conversation,
  ConversationEvent,
  ConversationListResult,
  Message,
  ReadEvent,
} from '../../../../src/protocol/im/conversations.ts';
import { createStore, type Store } from '../../lib/store.ts';
import {
  EMPTY_TIMELINE,
  appendLive,
  compareEntries,
  isMember,
  readSeqOf,
  replaceMessage,
  unreadAfter,
  withMessage,
  withReadSeq,
  type ConversationEntry,
  type Timeline,
} from './chat-model.ts';

export interface ListState {
  status: 'loading' | 'ready' | 'error';
  /** Latest activity first. */
  entries: ConversationEntry[];
}

export type MessageChange = 'new' | 'edited' | 'deleted';

/**
 * The chat state as the events leave it: the conversation list (kept in
 * activity order, with the user's unread counts and last messages) and the
 * timelines of the conversations opened. No connection here: ChatClient
 * feeds it events, answers and sync frames.
 */
export class ChatState {
  readonly meId: number;
  readonly list: Store<ListState> = createStore<ListState>({ status: 'loading', entries: [] });
  /** Set while a sync runs: its frames carry exact unread counts and are followed by their messages. */
  syncing = false;
  /** Conversations whose `synced` state came in the running sync: their unread is exact already. */
  readonly syncedNow = new Set<number>();
  readonly #timelines = new Map<number, Store<Timeline>>();

  constructor(meId: number) {
    this.meId = meId;
  }

  entry(conversationId: number): ConversationEntry | undefined {
    return this.list.get().entries.find((e) => e.conversation.id === conversationId);
  }

  timeline(conversationId: number): Store<Timeline> {
    let store = this.#timelines.get(conversationId);
    if (!store) {
      store = createStore<Timeline>(EMPTY_TIMELINE);
      this.#timelines.set(conversationId, store);
    }
    return store;
  }

  /**
   * A fresh list. With `stale`, the timelines loaded before may have missed
   * messages: they are emptied and load again when shown.
   */
  replaceAll(listed: ConversationListResult, stale: boolean): void {
    const known = new Map(this.list.get().entries.map((e) => [e.conversation.id, e]));
    const entries = listed.conversations.map((conversation): ConversationEntry => {
      const before = known.get(conversation.id);
      const lastMessage =
        conversation.lastSeq === 0
          ? null
          : before?.lastMessage?.seq === conversation.lastSeq
            ? before.lastMessage
            : undefined;
      return { conversation, unread: conversation.unread ?? 0, lastMessage };
    });
    for (const [id, store] of this.#timelines) {
      if (!entries.some((e) => e.conversation.id === id)) this.#timelines.delete(id);
      else if (stale) store.set(EMPTY_TIMELINE);
    }
    this.list.set({ status: 'ready', entries: entries.sort(compareEntries) });
  }

  failed(): void {
    if (this.list.get().status === 'loading') this.list.set({ status: 'error', entries: [] });
  }

  /** Changes one entry; the list is re-sorted when its activity moved. */
  updateEntry(id: number, change: (entry: ConversationEntry) => ConversationEntry): void {
    this.list.set((state) => {
      const index = state.entries.findIndex((e) => e.conversation.id === id);
      const current = state.entries[index];
      if (!current) return state;
      const next = change(current);
      if (next === current) return state;
      const entries = state.entries.slice();
      entries[index] = next;
      if (next.conversation.lastMessageAt !== current.conversation.lastMessageAt)
        entries.sort(compareEntries);
      return { ...state, entries };
    });
  }

  upsert(conversation: Conversation, unread: number | undefined): void {
    this.list.set((state) => {
      const current = state.entries.find((e) => e.conversation.id === conversation.id);
      const entry: ConversationEntry = {
        conversation,
        unread: unread ?? current?.unread ?? 0,
        lastMessage: conversation.lastSeq === 0 ? null : undefined,
      };
      // Keep the preview while it is still the newest; in a sync the changed messages follow anyway.
      const last = current?.lastMessage;
      if (last && (last.seq >= conversation.lastSeq || this.syncing)) entry.lastMessage = last;
      const others = state.entries.filter((e) => e.conversation.id !== conversation.id);
      return { ...state, entries: [...others, entry].sort(compareEntries) };
    });
  }

  drop(conversationId: number): void {
    this.#timelines.delete(conversationId);
    this.list.set((state) => ({
      ...state,
      entries: state.entries.filter((e) => e.conversation.id !== conversationId),
    }));
  }

  applyConversation(event: ConversationEvent): void {
    const { conversation } = event;
    if (!isMember(conversation, this.meId)) {
      this.drop(conversation.id);
      return;
    }
    if (event.change === 'synced') {
      this.syncedNow.add(conversation.id);
      if (event.truncated) this.#timelines.get(conversation.id)?.set(EMPTY_TIMELINE);
    }
    this.upsert(conversation, conversation.unread);
  }

  /** Applies a message; false when its conversation is unknown (the list must be reloaded). */
  applyMessage(message: Message, kind: MessageChange): boolean {
    const id = message.conversationId;
    const entry = this.entry(id);
    if (!entry) return false;
    const exactUnread = this.syncedNow.has(id);
    const mine = message.senderId === this.meId;
    const timeline = this.#timelines.get(id);
    let wasDeleted = false;
    if (timeline) {
      const current = timeline.get();
      if (kind === 'new') {
        const next = appendLive(current, message);
        timeline.set(next ?? EMPTY_TIMELINE);
      } else {
        wasDeleted = current.messages.some((m) => m.seq === message.seq && m.deletedAt !== null);
        timeline.set(replaceMessage(current, message));
      }
    }
    this.updateEntry(id, (e) => {
      let conversation = withMessage(e.conversation, message);
      let unread = e.unread;
      const myReadSeq = readSeqOf(conversation, this.meId);
      if (kind === 'new' && mine) {
        // Sending moves the sender's marker to the message.
        conversation = withReadSeq(conversation, this.meId, message.seq);
        unread = 0;
      } else if (!exactUnread && !mine && message.seq > myReadSeq) {
        if (kind === 'new' && message.deletedAt === null) unread += 1;
        if (kind === 'deleted' && !wasDeleted) unread = Math.max(0, unread - 1);
      }
      const last = e.lastMessage;
      const lastMessage =
        message.seq >= (last?.seq ?? 0) && message.seq >= conversation.lastSeq ? message : last;
      return { ...e, conversation, unread, lastMessage };
    });
    return true;
  }

  applyRead(event: ReadEvent): void {
    this.updateEntry(event.conversationId, (e) => {
      const conversation = withReadSeq(e.conversation, event.userId, event.seq);
      if (event.userId !== this.meId || this.syncedNow.has(event.conversationId)) {
        return conversation === e.conversation ? e : { ...e, conversation };
      }
      const unread = unreadAfter(e, event.seq, this.meId, this.#timelines.get(event.conversationId)?.get());
      return { ...e, conversation, unread };
    });
  }
}
