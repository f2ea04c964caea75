/// <reference types="node" />

import assert from 'node:assert/strict';

import { describe, test } from 'node:test';
import type { ServerFrame } from '../../../../src/protocol/im/frames.ts';
import type { InboxMemo, MemoReceipts, SentMemo } from '../../../../src/protocol/im/memos.ts';
import { createStore } from '../../lib/store.ts';
import { createMemosStore, type MemoConnection } from './memos-store.ts';

const ME = 42;
const sender = { userId: 7, address: 'sato@example.com', displayName: '佐藤' };
const me = { userId: ME, address: 'taro@example.com', displayName: '山田 太郎' };

function inboxMemo(id: number, readAt: number | null = null): InboxMemo {
  return {
    id,
    sender,
    subject: `s${id}`,
    body: 'b',
    attachments: [],
    sentAt: id * 1000,
    recipientCount: 3,
    readAt,
  };
}

function sentMemo(id: number, readCount = 0): SentMemo {
  return {
    id,
    sender: me,
    subject: `s${id}`,
    body: 'b',
    attachments: [],
    sentAt: id * 1000,
    recipientCount: 3,
    readCount,
  };
}

type Handler = (body: Record<string, unknown>) => unknown;

/** A connection that answers from handlers and lets the test push events and drop the link. */
class FakeConnection implements MemoConnection {
  readonly status = createStore<{ kind: string }>({ kind: 'online' });
  readonly requests: { t: string; body: Record<string, unknown> }[] = [];
  readonly handlers = new Map<string, Handler>();
  readonly #listeners = new Map<string, Set<(frame: ServerFrame) => void>>();

  request<T>(t: string, body: Record<string, unknown> = {}): Promise<T> {
    this.requests.push({ t, body });
    const handler = this.handlers.get(t);
    if (!handler) return Promise.reject(Object.assign(new Error(t), { code: 'IM_BAD_FRAME' }));
    return new Promise<T>((resolve) => resolve(handler(body) as T));
  }

  on(t: string, handler: (frame: ServerFrame) => void): () => void {
    const set = this.#listeners.get(t) ?? new Set();
    this.#listeners.set(t, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  emit(frame: ServerFrame): void {
    for (const handler of this.#listeners.get(frame.t) ?? []) handler(frame);
  }

  count(t: string): number {
    return this.requests.filter((r) => r.t === t).length;
  }
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('memos store', () => {
  test('the inbox loads newest first with its unread count, and older pages extend it', async () => {
    const connection = new FakeConnection();
    connection.handlers.set('memo.inbox', (body) =>
      body.before === undefined
        ? { memos: [inboxMemo(9), inboxMemo(8, 5)], hasMore: true, unread: 3 }
        : { memos: [inboxMemo(4)], hasMore: false, unread: 3 },
    );
    const store = createMemosStore(connection, ME);
    await store.loadInbox();
    assert.deepEqual(
      store.state.get().inbox.memos.map((m) => m.id),
      [9, 8],
    );
    assert.equal(store.state.get().unread, 3);
    await store.loadInbox(true);
    assert.equal(connection.requests.at(-1)?.body.before, 8);
    assert.deepEqual(
      store.state.get().inbox.memos.map((m) => m.id),
      [9, 8, 4],
    );
    assert.equal(store.state.get().inbox.hasMore, false);
  });

  test('a memo event adds an unread memo and counts it; reading it from another device uncounts it', async () => {
    const connection = new FakeConnection();
    connection.handlers.set('memo.inbox', () => ({ memos: [inboxMemo(3)], hasMore: false, unread: 1 }));
    const store = createMemosStore(connection, ME);
    await store.loadInbox();
    connection.emit({ t: 'memo', box: 'inbox', memo: inboxMemo(5) });
    assert.deepEqual(
      store.state.get().inbox.memos.map((m) => m.id),
      [5, 3],
    );
    assert.equal(store.state.get().unread, 2);
    connection.emit({ t: 'memo', box: 'inbox', memo: inboxMemo(5) });
    assert.equal(store.state.get().unread, 2, 'the same memo twice counts once');
    connection.emit({ t: 'memo.read', memoId: 5, userId: ME, readAt: 777 });
    assert.equal(store.state.get().inbox.memos[0]?.readAt, 777);
    assert.equal(store.state.get().unread, 1);
  });

  test('marking read asks once, and the first confirmation time is kept', async () => {
    const connection = new FakeConnection();
    connection.handlers.set('memo.inbox', () => ({ memos: [inboxMemo(3)], hasMore: false, unread: 1 }));
    connection.handlers.set('memo.read', (body) => inboxMemo(Number(body.memoId), 1234));
    const store = createMemosStore(connection, ME);
    await store.loadInbox();
    await Promise.all([store.markRead(3), store.markRead(3)]);
    await store.markRead(3);
    assert.equal(connection.count('memo.read'), 1);
    assert.equal(store.state.get().inbox.memos[0]?.readAt, 1234);
    assert.equal(store.state.get().unread, 0);
    connection.emit({ t: 'memo', box: 'inbox', memo: inboxMemo(3, 9999) });
    assert.equal(store.state.get().inbox.memos[0]?.readAt, 1234);
  });

  test('a sent memo counts confirmations live, and its receipts move people from unread to read', async () => {
    const connection = new FakeConnection();
    connection.handlers.set('memo.send', () => sentMemo(20));
    connection.handlers.set('memo.sent', () => ({ memos: [], hasMore: false }));
    const receipts: MemoReceipts = {
      memoId: 20,
      read: [],
      unread: [
        { userId: 1, address: 'a@example.com', displayName: 'A' },
        { userId: 2, address: 'b@example.com', displayName: 'B' },
      ],
    };
    connection.handlers.set('memo.receipts', () => receipts);
    const store = createMemosStore(connection, ME);
    await store.loadSent();
    const memo = await store.send({ body: 'hello', to: { unitIds: [3] } });
    assert.equal(memo.id, 20);
    assert.equal(store.state.get().sent.memos[0]?.id, 20);
    const stop = store.watchReceipts(20);
    await settle();
    connection.emit({ t: 'memo.read', memoId: 20, userId: 2, readAt: 50, readCount: 1 });
    assert.equal(store.state.get().sent.memos[0]?.readCount, 1);
    const live = store.state.get().receipts[20];
    assert.deepEqual(
      live?.read.map((p) => [p.userId, p.readAt]),
      [[2, 50]],
    );
    assert.deepEqual(
      live?.unread.map((p) => p.userId),
      [1],
    );
    stop();
    assert.equal(store.state.get().receipts[20], undefined);
  });

  test('a confirmation that arrives before the receipts answer is not lost', async () => {
    const connection = new FakeConnection();
    let answer: (value: MemoReceipts) => void = () => undefined;
    connection.request = <T>(t: string) =>
      t === 'memo.receipts'
        ? (new Promise<MemoReceipts>((resolve) => (answer = resolve)) as Promise<T>)
        : Promise.resolve({ memos: [sentMemo(20)], hasMore: false } as T);
    const store = createMemosStore(connection, ME);
    await store.loadSent();
    store.watchReceipts(20);
    const first = { userId: 1, address: 'a@example.com', displayName: 'A' };
    // The answer below was computed before this confirmation committed.
    connection.emit({ t: 'memo.read', memoId: 20, userId: 1, readAt: 50, readCount: 1 });
    answer({ memoId: 20, read: [], unread: [first] });
    await settle();
    assert.equal(store.state.get().sent.memos[0]?.readCount, 1);
    assert.deepEqual(
      store.state.get().receipts[20]?.read.map((p) => p.userId),
      [1],
    );
    assert.deepEqual(store.state.get().receipts[20]?.unread, []);
  });

  test('after a reconnect the lists and the receipts on screen are loaded again', async () => {
    const connection = new FakeConnection();
    let unread = 0;
    connection.handlers.set('memo.inbox', () => ({
      memos: unread ? [inboxMemo(6)] : [],
      hasMore: false,
      unread,
    }));
    connection.handlers.set('memo.sent', () => ({ memos: [sentMemo(5)], hasMore: false }));
    connection.handlers.set('memo.receipts', () => ({ memoId: 5, read: [], unread: [] }));
    const store = createMemosStore(connection, ME);
    await store.loadInbox();
    store.watchReceipts(5);
    await settle();
    connection.status.set({ kind: 'offline' });
    unread = 1;
    connection.status.set({ kind: 'online' });
    await settle();
    assert.equal(store.state.get().unread, 1);
    assert.deepEqual(
      store.state.get().inbox.memos.map((m) => m.id),
      [6],
    );
    assert.equal(connection.count('memo.sent'), 0, 'a box never shown is not loaded');
    assert.equal(connection.count('memo.receipts'), 2);
  });

  test('a memo opened by id is found in the inbox or the sent box, or said to be missing', async () => {
    const connection = new FakeConnection();
    connection.handlers.set('memo.inbox', (body) => ({
      memos: body.before === 12 ? [inboxMemo(11)] : [inboxMemo(30)],
      hasMore: true,
      unread: 1,
    }));
    connection.handlers.set('memo.sent', (body) => ({
      memos: body.before === 21 ? [sentMemo(20)] : [],
      hasMore: false,
    }));
    const store = createMemosStore(connection, ME);
    await store.loadInbox();
    await store.lookUp(11);
    await store.lookUp(20);
    await store.lookUp(99);
    const state = store.state.get();
    assert.equal(state.opened[11]?.box, 'inbox');
    assert.equal(state.opened[20]?.box, 'sent');
    assert.equal(state.lookups[99], 'missing');
    assert.deepEqual(
      state.inbox.memos.map((m) => m.id),
      [30],
      'an old memo does not join the loaded run',
    );
  });

  test('a refused load shows its error code, and a later load clears it', async () => {
    const connection = new FakeConnection();
    const store = createMemosStore(connection, ME);
    await store.loadSent();
    assert.equal(store.state.get().sent.status, 'error');
    assert.equal(store.state.get().sent.error, 'IM_BAD_FRAME');
    connection.handlers.set('memo.sent', () => ({ memos: [sentMemo(1)], hasMore: false }));
    await store.loadSent();
    assert.equal(store.state.get().sent.status, 'ready');
  });
});
