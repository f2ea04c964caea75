import type { Conversation, Message } from '../../../../src/protocol/im/conversations.ts';
import type { ServerFrame } from '../../../../src/protocol/im/frames.ts';
import type { InboxMemo } from '../../../../src/protocol/im/memos.ts';
import { assert, describe, test } from './node-test.ts';
import type { Notice } from './notification-rules.ts';
import { watchNotices, type NoticeConnection } from './notice-source.ts';

const ME = 1;
const HANAKO = 2;
const JIRO = 3;

function member(userId: number, displayName: string) {
  return { userId, address: `u${userId}@example.com`, displayName, readSeq: 0 };
}

const direct: Conversation = {
  id: 10,
  kind: 'direct',
  title: '',
  ownerId: null,
  members: [member(ME, '山田 太郎'), member(HANAKO, '佐藤 花子')],
  lastSeq: 0,
  createdAt: 0,
  lastMessageAt: null,
};
const group: Conversation = {
  ...direct,
  id: 20,
  kind: 'group',
  title: 'Launch',
  ownerId: ME,
  members: [...direct.members, member(JIRO, 'Jiro')],
};

function message(
  conversationId: number,
  seq: number,
  senderId: number,
  extra: Partial<Message> = {},
): Message {
  return {
    id: conversationId * 1000 + seq,
    conversationId,
    seq,
    senderId,
    clientId: null,
    text: `message ${seq}`,
    attachments: [],
    mentions: [],
    sentAt: 0,
    editedAt: null,
    deletedAt: null,
    ...extra,
  };
}

class FakeConnection implements NoticeConnection {
  readonly handlers = new Map<string, Set<(frame: ServerFrame) => void>>();
  readonly listeners = new Set<() => void>();
  lists = 0;
  state = { kind: 'online' };
  readonly status = {
    get: () => this.state,
    subscribe: (listener: () => void) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };
  readonly conversations: Conversation[];

  constructor(conversations: Conversation[]) {
    this.conversations = conversations;
  }

  async request<T>(t: string): Promise<T> {
    assert.equal(t, 'conversation.list');
    this.lists++;
    return { conversations: this.conversations } as T;
  }

  on(t: string, handler: (frame: ServerFrame) => void): () => void {
    const set = this.handlers.get(t) ?? new Set();
    this.handlers.set(t, set);
    set.add(handler);
    return () => set.delete(handler);
  }

  emit(frame: ServerFrame): void {
    for (const handler of this.handlers.get(frame.t) ?? []) handler(frame);
  }

  setStatus(kind: string): void {
    this.state = { kind };
    for (const listener of this.listeners) listener();
  }
}

/** Lets the source's conversation.list answers land. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function watch(connection: FakeConnection, clock = { now: 1_000_000 }) {
  const notices: Notice[] = [];
  const stop = watchNotices(connection, ME, (notice) => notices.push(notice), { now: () => clock.now });
  return { notices, stop, clock };
}

describe('notices from the messenger’s events', () => {
  test('a direct message from someone else is a notice with the sender’s name; one’s own is not', async () => {
    const connection = new FakeConnection([direct, group]);
    const { notices } = watch(connection);
    connection.emit({ t: 'message', message: message(10, 1, HANAKO, { text: 'お疲れさまです\n明日は?' }) });
    connection.emit({ t: 'message', message: message(10, 2, ME) });
    await settle();
    assert.deepEqual(notices, [
      {
        key: 'c:10',
        kind: 'message',
        senderId: HANAKO,
        senderName: '佐藤 花子',
        where: '',
        preview: 'お疲れさまです 明日は?',
        files: 0,
        route: ['chats', '10'],
      },
    ]);
    assert.equal(connection.lists, 1);
  });

  test('a group message is a notice only when it mentions the user, once with its mention event', async () => {
    const connection = new FakeConnection([direct, group]);
    const { notices } = watch(connection);
    connection.emit({ t: 'message', message: message(20, 1, JIRO) });
    const mentioning = message(20, 2, JIRO, { mentions: [ME] });
    connection.emit({ t: 'message', message: mentioning });
    connection.emit({ t: 'mention', message: mentioning });
    await settle();
    assert.deepEqual(
      notices.map((notice) => [notice.kind, notice.senderName, notice.where, notice.preview]),
      [['mention', 'Jiro', 'Launch', 'message 2']],
    );
  });

  test('an inbox memo is a notice; a sent or already read one is not', async () => {
    const connection = new FakeConnection([]);
    const { notices } = watch(connection);
    const memo: InboxMemo = {
      id: 88,
      sender: { userId: HANAKO, address: 'u2@example.com', displayName: '佐藤 花子' },
      subject: '全社会議',
      body: '金曜 15時から',
      attachments: [],
      sentAt: 0,
      recipientCount: 24,
      readAt: null,
    };
    connection.emit({ t: 'memo', box: 'inbox', memo });
    connection.emit({ t: 'memo', box: 'inbox', memo: { ...memo, id: 89, readAt: 5 } });
    connection.emit({ t: 'memo', box: 'sent', memo: { ...memo, id: 90, readCount: 0 } });
    assert.deepEqual(
      notices.map((notice) => [notice.key, notice.kind, notice.where, notice.preview, notice.route]),
      [['m:88', 'memo', '全社会議', '金曜 15時から', ['memos', '88']]],
    );
  });

  test('what a sync replays after a reconnect raises no notice; later messages do', async () => {
    const connection = new FakeConnection([direct, group]);
    const { notices, clock } = watch(connection);
    connection.setStatus('offline');
    connection.setStatus('online');
    connection.emit({ t: 'message', message: message(10, 1, HANAKO) });
    clock.now += 5000;
    connection.emit({ t: 'conversation', change: 'synced', conversation: direct });
    connection.emit({ t: 'message', message: message(10, 2, HANAKO) });
    clock.now += 5000;
    connection.emit({ t: 'message', message: message(10, 3, HANAKO) });
    await settle();
    assert.deepEqual(
      notices.map((notice) => notice.preview),
      ['message 3'],
    );
  });

  test('a conversation created after the list was fetched is learnt from its event', async () => {
    const connection = new FakeConnection([direct]);
    const { notices } = watch(connection);
    connection.emit({ t: 'message', message: message(10, 1, HANAKO) });
    await settle();
    connection.emit({ t: 'conversation', change: 'created', conversation: { ...direct, id: 11 } });
    connection.emit({ t: 'message', message: message(11, 1, HANAKO) });
    await settle();
    assert.deepEqual(
      notices.map((notice) => notice.key),
      ['c:10', 'c:11'],
    );
    assert.equal(connection.lists, 1);
  });

  test('nothing after stopping', async () => {
    const connection = new FakeConnection([direct]);
    const { notices, stop } = watch(connection);
    stop();
    connection.emit({ t: 'message', message: message(10, 1, HANAKO) });
    await settle();
    assert.deepEqual(notices, []);
  });
});
