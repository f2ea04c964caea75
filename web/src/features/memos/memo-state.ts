import type { InboxMemo, MemoReadEvent, MemoReceipts, SentMemo } from '../../../../src/protocol/im/memos.ts';

/**
 * What the client knows of one person's memos, and the pure transitions the
 * store applies to it: pages loaded, events received, answers merged. Kept
 * apart from the connection so every rule is unit-tested without a server.
 */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface Box<M> {
  /** Newest first; a contiguous run from the newest memo down to the oldest loaded. */
  memos: M[];
  hasMore: boolean;
  status: LoadStatus;
  /** The error code of the last failed load. */
  error: string | null;
}

/** A memo opened by id that lies outside the pages loaded so far. */
export type OpenedMemo = { box: 'inbox'; memo: InboxMemo } | { box: 'sent'; memo: SentMemo };

export interface MemosState {
  inbox: Box<InboxMemo>;
  /** Memos of the whole inbox not confirmed yet; null until the inbox is first loaded. */
  unread: number | null;
  sent: Box<SentMemo>;
  opened: Readonly<Record<number, OpenedMemo>>;
  /** Memos asked for by id: still loading, or neither received nor sent by this person. */
  lookups: Readonly<Record<number, 'loading' | 'missing'>>;
  /** Read confirmations of sent memos someone is looking at. */
  receipts: Readonly<Record<number, MemoReceipts>>;
}

function emptyBox<M>(): Box<M> {
  return { memos: [], hasMore: false, status: 'idle', error: null };
}

export function initialMemosState(): MemosState {
  return { inbox: emptyBox(), unread: null, sent: emptyBox(), opened: {}, lookups: {}, receipts: {} };
}

/** Merges memos into a newest-first list: same id replaced, order kept by id. */
export function mergeMemos<M extends { id: number }>(list: readonly M[], incoming: readonly M[]): M[] {
  if (incoming.length === 0) return [...list];
  const byId = new Map<number, M>();
  for (const memo of list) byId.set(memo.id, memo);
  for (const memo of incoming) byId.set(memo.id, memo);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/**
 * A page answered. A first page refreshes the top of the list (after a
 * reconnect); when it does not reach the memos already loaded, they are
 * dropped so the list stays one run without a gap. A later page extends it.
 */
export function pageLoaded<M extends { id: number }>(
  box: Box<M>,
  page: { memos: M[]; hasMore: boolean },
  first: boolean,
): Box<M> {
  if (!first)
    return { memos: mergeMemos(box.memos, page.memos), hasMore: page.hasMore, status: 'ready', error: null };
  const newestKnown = box.memos[0];
  const oldestOfPage = page.memos[page.memos.length - 1];
  const gap =
    page.hasMore &&
    newestKnown !== undefined &&
    oldestOfPage !== undefined &&
    oldestOfPage.id > newestKnown.id;
  if (gap || box.memos.length === 0) {
    return { memos: mergeMemos([], page.memos), hasMore: page.hasMore, status: 'ready', error: null };
  }
  const memos = mergeMemos(box.memos, page.memos);
  // The older pages loaded before still say whether anything lies below them.
  const hasMore = memos.length > page.memos.length ? box.hasMore : page.hasMore;
  return { memos, hasMore, status: 'ready', error: null };
}

/** Whether a memo belongs in the loaded run of a list (newer than its oldest, or the whole box is loaded). */
function inLoadedRange<M extends { id: number }>(box: Box<M>, id: number): boolean {
  const oldest = box.memos[box.memos.length - 1];
  if (oldest === undefined) return box.status === 'ready';
  return id > oldest.id || !box.hasMore;
}

export function findInbox(state: MemosState, id: number): InboxMemo | undefined {
  const opened = state.opened[id];
  return (
    state.inbox.memos.find((memo) => memo.id === id) ?? (opened?.box === 'inbox' ? opened.memo : undefined)
  );
}

export function findSent(state: MemosState, id: number): SentMemo | undefined {
  const opened = state.opened[id];
  return (
    state.sent.memos.find((memo) => memo.id === id) ?? (opened?.box === 'sent' ? opened.memo : undefined)
  );
}

/** A memo of the inbox as it is now (an event, an answer to `memo.read`, a lookup). */
export function inboxMemoReceived(state: MemosState, memo: InboxMemo): MemosState {
  const before = findInbox(state, memo.id);
  let unread = state.unread;
  if (unread !== null) {
    if (!before && memo.readAt === null && inLoadedRange(state.inbox, memo.id)) unread += 1;
    if (before && before.readAt === null && memo.readAt !== null) unread = Math.max(0, unread - 1);
  }
  // The first confirmation is the one that counts: never move readAt back.
  const merged = before?.readAt != null ? { ...memo, readAt: before.readAt } : memo;
  return placeMemo({ ...state, unread }, 'inbox', merged);
}

/** A memo of the sent box as it is now. */
export function sentMemoReceived(state: MemosState, memo: SentMemo): MemosState {
  const before = findSent(state, memo.id);
  const merged =
    before && before.readCount > memo.readCount ? { ...memo, readCount: before.readCount } : memo;
  return placeMemo(state, 'sent', merged);
}

function placeMemo(state: MemosState, box: 'inbox', memo: InboxMemo): MemosState;
function placeMemo(state: MemosState, box: 'sent', memo: SentMemo): MemosState;
function placeMemo(state: MemosState, box: 'inbox' | 'sent', memo: InboxMemo | SentMemo): MemosState {
  const list = state[box] as Box<InboxMemo | SentMemo>;
  const listed = list.memos.some((m) => m.id === memo.id);
  const lookups = withoutKey(state.lookups, memo.id);
  if (listed || inLoadedRange(list, memo.id)) {
    const next = { ...list, memos: mergeMemos(list.memos, [memo]) };
    return { ...state, [box]: next, opened: withoutKey(state.opened, memo.id), lookups };
  }
  const opened = { ...state.opened, [memo.id]: { box, memo } as OpenedMemo };
  return { ...state, opened, lookups };
}

/**
 * A `memo.read` event. With `readCount` it goes to the sender: someone
 * confirmed a memo they sent. Without, it is this person's own confirmation
 * from another device.
 */
export function readEventReceived(state: MemosState, event: MemoReadEvent, selfId: number): MemosState {
  let next = state;
  if (event.userId === selfId && event.readCount === undefined) {
    const memo = findInbox(state, event.memoId);
    if (memo) {
      if (memo.readAt === null) next = inboxMemoReceived(state, { ...memo, readAt: event.readAt });
    } else if (state.unread !== null && state.inbox.hasMore) {
      // An older memo than those loaded: the server sends this only for a first confirmation.
      next = { ...state, unread: Math.max(0, state.unread - 1) };
    }
    return next;
  }
  const sent = findSent(next, event.memoId);
  if (sent && event.readCount !== undefined) {
    next = sentMemoReceived(next, { ...sent, readCount: Math.max(sent.readCount, event.readCount) });
  }
  const receipts = next.receipts[event.memoId];
  if (receipts)
    next = { ...next, receipts: { ...next.receipts, [event.memoId]: confirmed(receipts, event) } };
  return next;
}

/** Moves a person from "not read yet" to "read", at the end (the list is in reading order). */
export function confirmed(
  receipts: MemoReceipts,
  event: Pick<MemoReadEvent, 'userId' | 'readAt'>,
): MemoReceipts {
  if (receipts.read.some((person) => person.userId === event.userId)) return receipts;
  const person = receipts.unread.find((p) => p.userId === event.userId);
  if (!person) return receipts;
  return {
    ...receipts,
    read: [...receipts.read, { ...person, readAt: event.readAt }],
    unread: receipts.unread.filter((p) => p.userId !== event.userId),
  };
}

/**
 * Receipts answered by the server, merged with confirmations that arrived
 * as events while the request was on its way (an answer may be older).
 */
export function receiptsLoaded(state: MemosState, answer: MemoReceipts): MemosState {
  const known = state.receipts[answer.memoId];
  let merged = answer;
  for (const person of known?.read ?? []) merged = confirmed(merged, person);
  return { ...state, receipts: { ...state.receipts, [answer.memoId]: merged } };
}

export function withoutKey<V>(record: Readonly<Record<number, V>>, key: number): Readonly<Record<number, V>> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}
