import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Conversation, Message } from '../../../../src/protocol/im/conversations.ts';
import type { ServerFrame } from '../../../../src/protocol/im/frames.ts';
import type { ConnectionStatus } from '../../lib/connection.ts';
import { createStore } from '../../lib/store.ts';
import { ChatClient, type ChatConnection } from './chat-client.ts';
import { conversation, message } from './test-fixtures.ts';
import type { KeyValueStorage } from './outbox.ts';

type Answer = (body: Record<string, unknown>) => unknown;

class ProtocolFailure extends Error {
  readonly code: string;
  constructor(code: string) {
    super(code);
    this.code = code;
  }
}

/** A connection whose answers the test writes, and whose events and status it drives. */
class FakeConnection implements ChatConnection {
  readonly status = createStore<ConnectionStatus>({
    kind: 'online',
    hello: {
      user: { id: 1, address: 'taro@example.com', name: '山田 太郎', admin: false },
      device: { id: 1, kind: 'web', name: 'test' },
      session: 's',
    },
  });
  readonly sent: { t: string; body: Record<string, unknown> }[] = [];
  readonly answers = new Map<string, Answer>();
  readonly #handlers = new Map<string, Set<(frame: ServerFrame) => void>>();

  async request<T>(t: string, body: Record<string, unknown> = {}): Promise<T> {
    this.sent.push({ t, body });
    const answer = this.answers.get(t);
    if (!answer) throw new ProtocolFailure('IM_BAD_FRAME');
    return (await answer(body)) as T;
  }

  send(t: string, body: Record<string, unknown> = {}): void {
    this.sent.push({ t, body });
  }

  on(t: string, handler: (frame: ServerFrame) => void): () => void {
    const set = this.#handlers.get(t) ?? new Set();
    set.add(handler);
    this.#handlers.set(t, set);
    return () => set.delete(handler);
  }

  emit(frame: ServerFrame): void {
    for (const handler of this.#handlers.get(frame.t) ?? []) handler(frame);
  }

  drop(): void {
    this.status.set({ kind: 'offline', retryAt: 0, attempt: 1 });
  }

  back(): void {
    this.status.set({
      kind: 'online',
      hello: (this.status.get() as { hello?: never }).hello ?? ({} as never),
    });
  }

  types(): string[] {
    return this.sent.map((s) => s.t);
  }
}

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function setUp(conversations: Conversation[], storage = memoryStorage()) {
  const connection = new FakeConnection();
  connection.answers.set('conversation.list', () => ({ conversations }));
  connection.answers.set('sync', () => ({ cursors: { conversations: { conversations: { '1': 10 } } } }));
  const chat = new ChatClient(connection, 1, { storage });
  return { connection, chat, storage };
}

describe('chat client', () => {
  test('lists the conversations with their unread counts and takes a sync cursor', async () => {
    const { connection, chat } = setUp([
      { ...conversation(1, { lastSeq: 4, lastMessageAt: 5000 }), unread: 2 },
      { ...conversation(2, { lastSeq: 0 }), unread: 0 },
    ]);
    chat.start();
    await tick();
    const state = chat.list.get();
    assert.equal(state.status, 'ready');
    assert.deepEqual(
      state.entries.map((e) => [e.conversation.id, e.unread, e.lastMessage]),
      [
        [1, 2, undefined],
        [2, 0, null],
      ],
    );
    assert.deepEqual(connection.types(), ['conversation.list', 'sync']);
  });

  test('a message from someone else counts as unread and moves its chat to the top; my own clears it', async () => {
    const { connection, chat } = setUp([
      { ...conversation(1, { lastSeq: 4, lastMessageAt: 5000 }), unread: 0 },
      { ...conversation(2, { lastSeq: 1, lastMessageAt: 6000 }), unread: 0 },
    ]);
    chat.start();
    await tick();
    connection.emit({ t: 'message', message: message(5, { sentAt: 7000 }) });
    let entry = chat.entry(1);
    assert.equal(entry?.unread, 1);
    assert.equal(entry?.lastMessage?.seq, 5);
    assert.equal(chat.list.get().entries[0]?.conversation.id, 1);
    // Sent from my other device: my marker moves to it.
    connection.emit({ t: 'message', message: message(6, { senderId: 1, sentAt: 7100 }) });
    entry = chat.entry(1);
    assert.equal(entry?.unread, 0);
    assert.equal(entry?.conversation.members.find((m) => m.userId === 1)?.readSeq, 6);
  });

  test('read events move markers: the other side\'s for "read by", mine for the unread count', async () => {
    const { connection, chat } = setUp([
      { ...conversation(1, { lastSeq: 6, lastMessageAt: 5000 }), unread: 3 },
    ]);
    chat.start();
    await tick();
    connection.emit({ t: 'read', conversationId: 1, userId: 2, seq: 6 });
    assert.equal(chat.entry(1)?.conversation.members.find((m) => m.userId === 2)?.readSeq, 6);
    assert.equal(chat.entry(1)?.unread, 3);
    connection.emit({ t: 'read', conversationId: 1, userId: 1, seq: 6 });
    assert.equal(chat.entry(1)?.unread, 0);
  });

  test("markRead sends read once per new position and takes the answer's count", async () => {
    const { connection, chat } = setUp([
      { ...conversation(1, { lastSeq: 6, lastMessageAt: 5000 }), unread: 3 },
    ]);
    connection.answers.set('read', (body) => ({ readSeq: body.seq, unread: 1 }));
    chat.start();
    await tick();
    chat.markRead(1, 5);
    chat.markRead(1, 5);
    chat.markRead(1, 4);
    await tick();
    assert.deepEqual(
      connection.sent.filter((s) => s.t === 'read').map((s) => s.body.seq),
      [5],
    );
    assert.equal(chat.entry(1)?.unread, 1);
  });

  test('after a reconnect it syncs from its cursor; synced counts are exact, not counted twice', async () => {
    const { connection, chat } = setUp([
      { ...conversation(1, { lastSeq: 4, lastMessageAt: 5000 }), unread: 0 },
    ]);
    chat.start();
    await tick();
    connection.drop();
    connection.answers.set('sync', (body) => {
      assert.deepEqual(body.cursors, { conversations: { conversations: { '1': 10 } } });
      connection.emit({
        t: 'conversation',
        change: 'synced',
        conversation: {
          ...conversation(1, { lastSeq: 6, lastMessageAt: 8000, title: 'Renamed' }),
          unread: 2,
        },
      });
      connection.emit({ t: 'message', message: message(5) });
      connection.emit({ t: 'message', message: message(6) });
      return { cursors: { conversations: { conversations: { '1': 14 } } } };
    });
    connection.back();
    await tick();
    const entry = chat.entry(1);
    assert.equal(entry?.unread, 2);
    assert.equal(entry?.conversation.title, 'Renamed');
    assert.equal(entry?.lastMessage?.seq, 6);
    // The next reconnect sends the new cursor.
    connection.answers.set('sync', (body) => {
      assert.deepEqual(body.cursors, { conversations: { conversations: { '1': 14 } } });
      return { cursors: body.cursors };
    });
    connection.drop();
    connection.back();
    await tick();
    assert.equal(connection.types().filter((t) => t === 'sync').length, 3);
  });

  test('a cursor the server refuses makes it list again', async () => {
    const { connection, chat } = setUp([conversation(1)]);
    chat.start();
    await tick();
    connection.drop();
    let first = true;
    connection.answers.set('sync', () => {
      if (first) {
        first = false;
        throw new ProtocolFailure('INVALID_INPUT');
      }
      return { cursors: { conversations: { conversations: {} } } };
    });
    connection.answers.set('conversation.list', () => ({
      conversations: [conversation(1), conversation(2)],
    }));
    connection.back();
    await tick();
    await tick();
    assert.equal(chat.list.get().entries.length, 2);
  });

  test('a conversation I was removed from leaves the list', async () => {
    const { connection, chat } = setUp([conversation(1), conversation(2)]);
    chat.start();
    await tick();
    const without = conversation(2, {
      members: [{ userId: 2, address: 'h@example.com', displayName: 'H', readSeq: 0 }],
    });
    connection.emit({ t: 'conversation', change: 'removed', conversation: without, userIds: [1] });
    assert.deepEqual(
      chat.list.get().entries.map((e) => e.conversation.id),
      [1],
    );
  });

  test('history pages load older messages; a live message after a gap empties the timeline to reload', async () => {
    const { connection, chat } = setUp([{ ...conversation(1, { lastSeq: 250 }), unread: 0 }]);
    connection.answers.set('message.history', (body) => {
      const before = (body.before as number | undefined) ?? 251;
      const limit = body.limit as number;
      const messages: Message[] = [];
      for (let seq = before - 1; seq >= Math.max(1, before - limit); seq--) messages.push(message(seq));
      return { messages, hasMore: before - limit > 1 };
    });
    chat.start();
    await tick();
    await chat.loadOlder(1);
    const pageSize = chat.timeline(1).get().messages.length;
    assert.ok(pageSize >= 50 && pageSize <= 200, `a page of ${pageSize}`);
    assert.equal(chat.entry(1)?.lastMessage?.seq, 250);
    while (chat.timeline(1).get().hasMore) await chat.loadOlder(1);
    const timeline = chat.timeline(1).get();
    assert.equal(timeline.messages.length, 250);
    assert.deepEqual(
      timeline.messages.map((m) => m.seq),
      Array.from({ length: 250 }, (_, i) => i + 1),
    );
    connection.emit({ t: 'message', message: message(251) });
    assert.equal(chat.timeline(1).get().messages.length, 251);
    connection.emit({ t: 'message', message: message(253) });
    assert.equal(chat.timeline(1).get().messages.length, 0);
  });

  test('a history page refused for the rate limit is asked again', async () => {
    const { connection, chat } = setUp([{ ...conversation(1, { lastSeq: 1 }), unread: 0 }]);
    let refusals = 1;
    connection.answers.set('message.history', () => {
      if (refusals-- > 0) throw new ProtocolFailure('IM_RATE_LIMITED');
      return { messages: [message(1)], hasMore: false };
    });
    chat.start();
    await tick();
    await chat.loadOlder(1);
    assert.equal(chat.timeline(1).get().messages.length, 1);
    assert.equal(connection.types().filter((t) => t === 'message.history').length, 2);
  });

  test('typing shows the person until their message comes, and mine is throttled', async () => {
    const { connection, chat } = setUp([conversation(1)]);
    chat.start();
    await tick();
    connection.emit({ t: 'typing', conversationId: 1, userId: 2 });
    assert.ok(chat.typing.get()[1]?.[2]);
    connection.emit({ t: 'message', message: message(1) });
    assert.equal(chat.typing.get()[1]?.[2], undefined);
    chat.sendTyping(1);
    chat.sendTyping(1);
    assert.equal(connection.types().filter((t) => t === 'typing').length, 1);
    chat.stop();
  });
});

describe('chat client outbox', () => {
  test('a send cut off by a dropped connection is sent again once back, with the same clientId', async () => {
    const { connection, chat } = setUp([conversation(1)]);
    connection.answers.set('message.history', () => ({ messages: [], hasMore: false }));
    chat.start();
    await tick();
    await chat.loadOlder(1);
    connection.answers.set('message.send', () => {
      throw new ProtocolFailure('IM_CONNECTION_LOST');
    });
    chat.sendMessage(1, 'こんにちは');
    await tick();
    const [pending] = chat.outbox.messages.get();
    assert.equal(pending?.status, 'sending');
    connection.drop();
    connection.answers.set('message.send', (body) =>
      message(1, { senderId: 1, text: String(body.text), clientId: String(body.clientId) }),
    );
    connection.back();
    await tick();
    const sends = connection.sent.filter((s) => s.t === 'message.send');
    assert.equal(sends.length, 2);
    assert.equal(sends[0]?.body.clientId, sends[1]?.body.clientId);
    assert.deepEqual(chat.outbox.messages.get(), []);
    assert.deepEqual(
      chat
        .timeline(1)
        .get()
        .messages.map((m) => m.text),
      ['こんにちは'],
    );
  });

  test('a refused message is marked failed with the code, and a retry sends it again', async () => {
    const { connection, chat } = setUp([conversation(1)]);
    chat.start();
    await tick();
    connection.answers.set('message.send', () => {
      throw new ProtocolFailure('IM_NOT_ALLOWED');
    });
    chat.sendMessage(1, 'blocked');
    await tick();
    assert.deepEqual(
      chat.outbox.messages.get().map((m) => [m.status, m.error]),
      [['failed', 'IM_NOT_ALLOWED']],
    );
    connection.answers.set('message.send', (body) =>
      message(1, { senderId: 1, clientId: String(body.clientId) }),
    );
    chat.retry(chat.outbox.messages.get()[0]?.clientId ?? '');
    await tick();
    assert.deepEqual(chat.outbox.messages.get(), []);
  });

  test('unsent messages and drafts survive a reload and are sent by the next page', async () => {
    const storage = memoryStorage();
    const first = setUp([conversation(1)], storage);
    first.connection.drop();
    first.chat.start();
    first.chat.outbox.setDraft(1, '書きかけ');
    first.chat.outbox.flush();
    first.connection.answers.set('message.send', () => new Promise(() => undefined));
    first.chat.sendMessage(1, 'offline message');
    first.chat.stop();

    const second = setUp([conversation(1)], storage);
    second.connection.answers.set('message.send', (body) =>
      message(1, { senderId: 1, clientId: String(body.clientId) }),
    );
    assert.equal(second.chat.outbox.draft(1), '書きかけ');
    second.chat.start();
    await tick();
    const sends = second.connection.sent.filter((s) => s.t === 'message.send');
    assert.deepEqual(
      sends.map((s) => s.body.text),
      ['offline message'],
    );
    assert.deepEqual(second.chat.outbox.messages.get(), []);
    assert.equal(storage.data.has('coo.chats.1.outbox'), false);
  });

  test('my message seen with its clientId (another session, or a sync) confirms the outbox entry', async () => {
    const { connection, chat } = setUp([conversation(1)]);
    chat.start();
    await tick();
    connection.answers.set('message.send', () => new Promise(() => undefined));
    chat.sendMessage(1, 'hello');
    const clientId = chat.outbox.messages.get()[0]?.clientId ?? '';
    connection.emit({ t: 'message', message: message(1, { senderId: 1, clientId }) });
    assert.deepEqual(chat.outbox.messages.get(), []);
  });
});
