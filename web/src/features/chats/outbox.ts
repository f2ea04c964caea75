import type { MessageAttachment } from '../../../../src/protocol/im/conversations.ts';
import { createStore, type Store } from '../../lib/store.ts';

/**
 * What the user wrote and the server has not confirmed yet, kept in
 * localStorage so a reload, a crash or a night offline loses nothing:
 * drafts per conversation, and the outbox of messages being sent. Each
 * outgoing message has its clientId from the start, so sending it again
 * after a reconnect (or a reload) can never store it twice.
 */

export type OutgoingStatus = 'sending' | 'failed';

export interface OutgoingMessage {
  clientId: string;
  conversationId: number;
  text: string;
  attachments: MessageAttachment[];
  createdAt: number;
  status: OutgoingStatus;
  /** The server's code when it refused (IM_NOT_ALLOWED…). */
  error?: string;
}

/** The part of Storage used here (localStorage in the page, a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function browserStorage(): KeyValueStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function read<T>(storage: KeyValueStorage | null, key: string, fallback: T): T {
  try {
    const raw = storage?.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

function write(storage: KeyValueStorage | null, key: string, value: unknown, empty: boolean): void {
  try {
    if (empty) storage?.removeItem(key);
    else storage?.setItem(key, JSON.stringify(value));
  } catch {
    // Full or unavailable: kept in memory for this page.
  }
}

function isOutgoing(value: unknown): value is OutgoingMessage {
  const v = value as Partial<OutgoingMessage> | null;
  return (
    typeof v?.clientId === 'string' &&
    typeof v.conversationId === 'number' &&
    typeof v.text === 'string' &&
    Array.isArray(v.attachments)
  );
}

export class Outbox {
  readonly messages: Store<OutgoingMessage[]>;
  readonly drafts: Store<Record<string, string>>;
  readonly #storage: KeyValueStorage | null;
  readonly #outboxKey: string;
  readonly #draftsKey: string;
  #draftTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(userId: number, storage: KeyValueStorage | null = browserStorage()) {
    this.#storage = storage;
    this.#outboxKey = `coo.chats.${userId}.outbox`;
    this.#draftsKey = `coo.chats.${userId}.drafts`;
    // After a reload every unconfirmed message is tried again; failed ones stay failed.
    const saved = read<unknown[]>(storage, this.#outboxKey, []);
    this.messages = createStore((Array.isArray(saved) ? saved : []).filter(isOutgoing));
    this.drafts = createStore(read<Record<string, string>>(storage, this.#draftsKey, {}));
  }

  add(message: Omit<OutgoingMessage, 'status' | 'createdAt'>, now = Date.now()): OutgoingMessage {
    const entry: OutgoingMessage = { ...message, createdAt: now, status: 'sending' };
    this.#setMessages((list) => [...list, entry]);
    return entry;
  }

  update(clientId: string, change: Partial<Pick<OutgoingMessage, 'status' | 'error'>>): void {
    this.#setMessages((list) =>
      list.map((m) => {
        if (m.clientId !== clientId) return m;
        const next: OutgoingMessage = { ...m, ...change };
        if (change.status === 'sending') delete next.error;
        return next;
      }),
    );
  }

  /** Confirmed by the server (its answer, or the message seen with this clientId), or discarded. */
  remove(clientId: string): void {
    if (!this.messages.get().some((m) => m.clientId === clientId)) return;
    this.#setMessages((list) => list.filter((m) => m.clientId !== clientId));
  }

  /** Messages still to send, oldest first. */
  pending(): OutgoingMessage[] {
    return this.messages.get().filter((m) => m.status === 'sending');
  }

  draft(conversationId: number): string {
    return this.drafts.get()[String(conversationId)] ?? '';
  }

  /** Kept at once in memory, written to storage shortly after (and by flush). */
  setDraft(conversationId: number, text: string): void {
    const key = String(conversationId);
    this.drafts.set((all) => {
      if ((all[key] ?? '') === text) return all;
      const next = { ...all };
      if (text === '') delete next[key];
      else next[key] = text;
      return next;
    });
    clearTimeout(this.#draftTimer);
    this.#draftTimer = setTimeout(() => this.flush(), 300);
  }

  flush(): void {
    clearTimeout(this.#draftTimer);
    const drafts = this.drafts.get();
    write(this.#storage, this.#draftsKey, drafts, Object.keys(drafts).length === 0);
  }

  #setMessages(change: (list: OutgoingMessage[]) => OutgoingMessage[]): void {
    this.messages.set(change);
    const list = this.messages.get();
    write(this.#storage, this.#outboxKey, list, list.length === 0);
  }
}

/** A UUID for a clientId (crypto.randomUUID needs a secure context, which Coo always is). */
export function newClientId(): string {
  return globalThis.crypto.randomUUID();
}
