import type { ServerFrame } from '../../../../src/protocol/im/frames.ts';
import type {
  InboxMemo,
  MemoEvent,
  MemoInboxResult,
  MemoReadEvent,
  MemoReceipts,
  MemoSendRequest,
  MemoSentResult,
  SentMemo,
} from '../../../../src/protocol/im/memos.ts';
import { createStore, type Store } from '../../lib/store.ts';
import {
  confirmed,
  findInbox,
  findSent,
  inboxMemoReceived,
  initialMemosState,
  pageLoaded,
  readEventReceived,
  receiptsLoaded,
  sentMemoReceived,
  withoutKey,
  type MemosState,
} from './memo-state.ts';

/**
 * One person's memos, kept live: the inbox and the sent box page by page,
 * the unread count, and the read confirmations of the sent memos on screen.
 * Events (`memo`, `memo.read`) update it as they arrive; after a reconnect
 * it loads again what it shows, since events missed while offline are gone.
 */
export interface MemoConnection {
  request<T = unknown>(t: string, body?: Record<string, unknown>): Promise<T>;
  on(t: string, handler: (frame: ServerFrame) => void): () => void;
  status: Pick<Store<{ kind: string }>, 'get' | 'subscribe'>;
}

export const MEMO_PAGE = 30;

export type MemoSendInput = Omit<MemoSendRequest, 't' | 'id'>;

export interface MemosStore {
  state: Store<MemosState>;
  loadInbox(more?: boolean): Promise<void>;
  loadSent(more?: boolean): Promise<void>;
  /** Finds a memo by id, in the pages loaded or from the server. */
  lookUp(memoId: number): Promise<void>;
  /** Confirms reading an inbox memo (once; repeated calls are answered from memory). */
  markRead(memoId: number): Promise<void>;
  send(input: MemoSendInput): Promise<SentMemo>;
  /** Loads a sent memo's confirmations and keeps them live until the returned function is called. */
  watchReceipts(memoId: number): () => void;
  dispose(): void;
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : 'INTERNAL';
}

export function createMemosStore(connection: MemoConnection, selfId: number): MemosStore {
  const state = createStore<MemosState>(initialMemosState());
  const update = (change: (current: MemosState) => MemosState) => state.set(change);
  const reading = new Map<number, Promise<void>>();
  const watched = new Map<number, number>();
  /** Confirmations that arrived while receipts were being loaded: the answer may predate them. */
  const early = new Map<number, MemoReadEvent[]>();
  const pending = { inbox: 0, sent: 0 };

  async function loadBox(box: 'inbox' | 'sent', more: boolean): Promise<void> {
    const current = state.get()[box];
    if (more && (!current.hasMore || current.status === 'loading')) return;
    const oldest = current.memos[current.memos.length - 1];
    const body: Record<string, unknown> = { limit: MEMO_PAGE };
    if (more && oldest) body.before = oldest.id;
    const ticket = ++pending[box];
    update((s) => ({ ...s, [box]: { ...s[box], status: 'loading', error: null } }));
    try {
      if (box === 'inbox') {
        const page = await connection.request<MemoInboxResult>('memo.inbox', body);
        update((s) => ({
          ...s,
          inbox: pageLoaded(s.inbox, page, !more),
          unread: more && s.unread !== null ? s.unread : page.unread,
        }));
      } else {
        const page = await connection.request<MemoSentResult>('memo.sent', body);
        update((s) => ({ ...s, sent: pageLoaded(s.sent, page, !more) }));
      }
    } catch (error) {
      if (ticket !== pending[box]) return;
      update((s) => ({ ...s, [box]: { ...s[box], status: 'error', error: errorCode(error) } }));
    }
  }

  async function lookUp(memoId: number): Promise<void> {
    const now = state.get();
    if (findInbox(now, memoId) || findSent(now, memoId) || now.lookups[memoId] === 'loading') return;
    update((s) => ({ ...s, lookups: { ...s.lookups, [memoId]: 'loading' } }));
    // No request fetches one memo: a page of one that starts at it does.
    const around = { before: memoId + 1, limit: 1 };
    try {
      const [inbox, sent] = await Promise.all([
        connection.request<MemoInboxResult>('memo.inbox', around),
        connection.request<MemoSentResult>('memo.sent', around),
      ]);
      const received = inbox.memos.find((memo) => memo.id === memoId);
      const mine = sent.memos.find((memo) => memo.id === memoId);
      update((s) => {
        if (received) return inboxMemoReceived(s, received);
        if (mine) return sentMemoReceived(s, mine);
        return { ...s, lookups: { ...s.lookups, [memoId]: 'missing' } };
      });
    } catch {
      update((s) => ({ ...s, lookups: withoutKey(s.lookups, memoId) }));
    }
  }

  function markRead(memoId: number): Promise<void> {
    const memo = findInbox(state.get(), memoId);
    if (memo && memo.readAt !== null) return Promise.resolve();
    const inFlight = reading.get(memoId);
    if (inFlight) return inFlight;
    const promise = connection
      .request<InboxMemo>('memo.read', { memoId })
      .then((answer) => update((s) => inboxMemoReceived(s, answer)))
      .finally(() => reading.delete(memoId));
    reading.set(memoId, promise);
    return promise;
  }

  async function send(input: MemoSendInput): Promise<SentMemo> {
    const memo = await connection.request<SentMemo>('memo.send', { ...input });
    update((s) => sentMemoReceived(s, memo));
    return memo;
  }

  async function loadReceipts(memoId: number): Promise<void> {
    try {
      const answer = await connection.request<MemoReceipts>('memo.receipts', { memoId });
      const missed = early.get(memoId) ?? [];
      early.delete(memoId);
      if (watched.has(memoId)) update((s) => receiptsLoaded(s, missed.reduce(confirmed, answer)));
    } catch {
      // The memo page shows what it has; the next reconnect or visit loads again.
    }
  }

  function watchReceipts(memoId: number): () => void {
    watched.set(memoId, (watched.get(memoId) ?? 0) + 1);
    void loadReceipts(memoId);
    return () => {
      const count = (watched.get(memoId) ?? 1) - 1;
      if (count > 0) {
        watched.set(memoId, count);
        return;
      }
      watched.delete(memoId);
      early.delete(memoId);
      update((s) => ({ ...s, receipts: withoutKey(s.receipts, memoId) }));
    };
  }

  const onMemo = (frame: ServerFrame) => {
    const event = frame as unknown as MemoEvent;
    if (event.box === 'inbox') update((s) => inboxMemoReceived(s, event.memo));
    else update((s) => sentMemoReceived(s, event.memo));
  };
  const onRead = (frame: ServerFrame) => {
    const event = frame as unknown as MemoReadEvent;
    if (watched.has(event.memoId) && !state.get().receipts[event.memoId]) {
      early.set(event.memoId, [...(early.get(event.memoId) ?? []), event]);
    }
    update((s) => readEventReceived(s, event, selfId));
    // A confirmation for someone the receipts do not list: they are out of date.
    const receipts = state.get().receipts[event.memoId];
    if (receipts && !receipts.read.some((person) => person.userId === event.userId)) {
      void loadReceipts(event.memoId);
    }
  };

  let wasOnline = connection.status.get().kind === 'online';
  const onStatus = () => {
    const online = connection.status.get().kind === 'online';
    if (online && !wasOnline) refresh();
    wasOnline = online;
  };
  function refresh(): void {
    const current = state.get();
    if (current.inbox.status !== 'idle') void loadBox('inbox', false);
    if (current.sent.status !== 'idle') void loadBox('sent', false);
    for (const memoId of watched.keys()) void loadReceipts(memoId);
  }

  const unsubscribe = [
    connection.on('memo', onMemo),
    connection.on('memo.read', onRead),
    connection.status.subscribe(onStatus),
  ];

  return {
    state,
    loadInbox: (more = false) => loadBox('inbox', more),
    loadSent: (more = false) => loadBox('sent', more),
    lookUp,
    markRead,
    send,
    watchReceipts,
    dispose: () => {
      for (const stop of unsubscribe) stop();
    },
  };
}

const stores = new WeakMap<object, MemosStore>();

/** The one store of a connection: it outlives the memos page, so the lists are there when one comes back. */
export function memosStoreFor(connection: MemoConnection, selfId: number): MemosStore {
  let store = stores.get(connection);
  if (!store) {
    store = createMemosStore(connection, selfId);
    stores.set(connection, store);
    void store.loadInbox();
  }
  return store;
}
