import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { createVisibilityPolicy } from '../src/directory/visibility/index.ts';
import type {
  Conversation,
  ConversationEvent,
  ConversationListResult,
  Message,
  MessageHistoryResult,
  ReadResult,
} from '../src/protocol/im/conversations.ts';
import type { ServerFrame } from '../src/protocol/im/frames.ts';
import type { SyncResult } from '../src/protocol/im/session.ts';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';

describe('conversations over the messenger protocol', () => {
  let server: ImTestServer;
  let taro: TestUser;
  let hanako: TestUser;
  let jiro: TestUser;
  let agent: TestUser;
  const clients: ImTestClient[] = [];

  async function login(user: TestUser, options: { remember?: boolean } = {}) {
    const client = await ImTestClient.connect(server);
    clients.push(client);
    const hello = await client.hello(user.address, user.password, options);
    return { client, hello };
  }

  const messageOf = (frame: ServerFrame) => frame.message as Message;

  before(async () => {
    server = await startImServer();
    taro = await server.createUser('taro', { name: '山田 太郎', unit: '営業部' });
    hanako = await server.createUser('hanako', { name: '田中 花子', unit: '営業部/東京' });
    jiro = await server.createUser('jiro', { name: '鈴木 次郎', unit: '開発部' });
    agent = await server.createUser('agent', { name: 'Agent', unit: '秘密' });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop();
  });

  it('two people chat: messages, typing, read markers, edit and delete reach the other side', async () => {
    const { client: a } = await login(taro);
    const { client: b } = await login(hanako);
    const direct = (await a.request('conversation.create', {
      kind: 'direct',
      userIds: [hanako.id],
    })) as Conversation;
    const created = (await b.next('conversation')) as unknown as ConversationEvent;
    assert.deepEqual([created.change, created.conversation.id], ['created', direct.id]);

    a.send({ t: 'typing', conversationId: direct.id });
    assert.deepEqual(await b.next('typing'), { t: 'typing', conversationId: direct.id, userId: taro.id });
    await a.noFrame('typing', 200);

    const sent = (await a.request('message.send', {
      conversationId: direct.id,
      text: 'こんにちは',
    })) as Message;
    assert.deepEqual([sent.seq, sent.senderId, sent.text], [1, taro.id, 'こんにちは']);
    assert.deepEqual(messageOf(await b.next('message')), sent);
    await a.noFrame('message', 200);

    const reply = (await b.request('message.send', { conversationId: direct.id, text: 'はい' })) as Message;
    assert.equal(reply.seq, 2);
    assert.equal(messageOf(await a.next('message')).text, 'はい');
    const read = (await a.request('read', { conversationId: direct.id, seq: 2 })) as ReadResult;
    assert.deepEqual(read, { readSeq: 2, unread: 0 });
    assert.deepEqual(await b.next('read'), { t: 'read', conversationId: direct.id, userId: taro.id, seq: 2 });

    const edited = (await a.request('message.edit', {
      conversationId: direct.id,
      seq: 1,
      text: 'こんばんは',
    })) as Message;
    assert.equal(messageOf(await b.next('message.edited')).text, 'こんばんは');
    assert.ok(edited.editedAt !== null);
    await assert.rejects(b.request('message.edit', { conversationId: direct.id, seq: 1, text: 'x' }), {
      code: 'IM_NOT_ALLOWED',
    });
    await a.request('message.delete', { conversationId: direct.id, seq: 1 });
    const tombstone = messageOf(await b.next('message.deleted'));
    assert.deepEqual([tombstone.seq, tombstone.text, tombstone.deletedAt !== null], [1, '', true]);

    const history = (await b.request('message.history', {
      conversationId: direct.id,
    })) as MessageHistoryResult;
    assert.deepEqual(
      history.messages.map((m) => [m.seq, m.text]),
      [
        [2, 'はい'],
        [1, ''],
      ],
    );
    const list = (await b.request('conversation.list')) as ConversationListResult;
    assert.equal(list.conversations.find((c) => c.id === direct.id)?.unread, 0);
  });

  it('a group: mentions notify the person named, members come and go, a retried send is sent once', async () => {
    const { client: a } = await login(taro);
    const { client: c } = await login(jiro);
    const group = (await a.request('conversation.create', {
      kind: 'group',
      title: 'Launch',
      userIds: [hanako.id],
    })) as Conversation;
    await a.request('conversation.add', { conversationId: group.id, userIds: [jiro.id] });
    const added = (await c.next('conversation', (f) => f.change === 'added')) as unknown as ConversationEvent;
    assert.deepEqual(added.userIds, [jiro.id]);

    const first = (await a.request('message.send', {
      conversationId: group.id,
      text: `@${jiro.address} can you check?`,
      clientId: 'retry-1',
    })) as Message;
    const again = (await a.request('message.send', {
      conversationId: group.id,
      text: `@${jiro.address} can you check?`,
      clientId: 'retry-1',
    })) as Message;
    assert.equal(again.id, first.id);
    assert.deepEqual(messageOf(await c.next('mention')).id, first.id);
    await c.next('message');
    await c.noFrame('message', 300);

    await assert.rejects(
      c.request('conversation.remove', { conversationId: group.id, userIds: [hanako.id] }),
      {
        code: 'IM_NOT_ALLOWED',
      },
    );
    await c.request('conversation.leave', { conversationId: group.id });
    await assert.rejects(c.request('message.history', { conversationId: group.id }), {
      code: 'IM_CONVERSATION_UNKNOWN',
    });
    const left = (await a.next('conversation', (f) => f.change === 'left')) as unknown as ConversationEvent;
    assert.deepEqual(left.userIds, [jiro.id]);
  });

  it('a reconnecting client syncs only what it missed', async () => {
    const { client: a } = await login(taro);
    let { client: b } = await login(hanako);
    const group = (await a.request('conversation.create', {
      kind: 'group',
      title: 'Sync',
      userIds: [hanako.id],
    })) as Conversation;
    await a.request('message.send', { conversationId: group.id, text: 'seen before' });
    await b.next('message', (f) => messageOf(f).text === 'seen before');
    const { cursors } = (await b.request('sync')) as SyncResult;
    assert.ok(cursors.conversations, 'the conversations source answers');
    await b.close();

    await a.request('message.edit', { conversationId: group.id, seq: 1, text: 'seen before, edited' });
    await a.request('message.send', { conversationId: group.id, text: 'missed' });
    await a.request('conversation.rename', { conversationId: group.id, title: 'Synced' });

    ({ client: b } = await login(hanako));
    const answer = (await b.request('sync', { cursors })) as SyncResult;
    const frames = b.frames.filter((f) => f.t === 'conversation' || f.t.startsWith('message'));
    assert.deepEqual(
      frames.map((f) =>
        f.t === 'conversation'
          ? `${f.t}:${(f.conversation as Conversation).title}`
          : `${f.t}:${messageOf(f).text}`,
      ),
      ['conversation:Synced', 'message.edited:seen before, edited', 'message:missed'],
    );
    const before = b.frames.length;
    await b.request('sync', { cursors: answer.cursors });
    assert.equal(b.frames.length, before + 1, 'only the answer: nothing more was missed');
  });

  it('history pages over REST with the device token; others get 404', async () => {
    const { client: a, hello } = await login(taro, { remember: true });
    const { hello: jiroHello } = await login(jiro, { remember: true });
    const group = (await a.request('conversation.create', {
      kind: 'group',
      title: 'REST',
      userIds: [],
    })) as Conversation;
    for (let i = 1; i <= 5; i++) await a.request('message.send', { conversationId: group.id, text: `#${i}` });
    const path = `/api/v1/im/conversations/${group.id}/messages`;
    const page = await server.call('GET', `${path}?limit=2&before=5`, { token: hello.resumeToken ?? null });
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(
      (page.json as MessageHistoryResult).messages.map((m) => m.text),
      ['#4', '#3'],
    );
    assert.equal((page.json as MessageHistoryResult).hasMore, true);
    const outsider = await server.call('GET', path, { token: jiroHello.resumeToken ?? null });
    assert.deepEqual([outsider.status, outsider.json?.error?.code], [404, 'IM_CONVERSATION_UNKNOWN']);
    assert.equal((await server.call('GET', path, { token: null })).status, 401);
    const bad = await server.call('GET', `${path}?limit=abc`, { token: hello.resumeToken ?? null });
    assert.equal(bad.status, 400);
    const tooMany = await server.call('GET', `${path}?limit=500`, { token: hello.resumeToken ?? null });
    assert.deepEqual([tooMany.status, tooMany.json?.error?.code], [400, 'INVALID_INPUT']);
  });

  it('bad frames get error codes and the connection lives on', async () => {
    const { client: a } = await login(taro);
    const cases: [Record<string, unknown>, string][] = [
      [{ t: 'message.send', conversationId: 1 }, 'IM_BAD_FRAME'],
      [{ t: 'message.send', conversationId: 'one', text: 'x' }, 'IM_BAD_FRAME'],
      [{ t: 'message.send', conversationId: -4, text: 'x' }, 'IM_BAD_FRAME'],
      [{ t: 'conversation.create', kind: 'secret', userIds: [] }, 'IM_BAD_FRAME'],
      [{ t: 'conversation.create', kind: 'direct', userIds: [hanako.id, jiro.id] }, 'INVALID_INPUT'],
      [{ t: 'conversation.create', kind: 'direct', userIds: [99_999] }, 'USER_UNKNOWN'],
      [{ t: 'message.send', conversationId: 99_999, text: 'x' }, 'IM_CONVERSATION_UNKNOWN'],
      [{ t: 'read', conversationId: 99_999, seq: 1 }, 'IM_CONVERSATION_UNKNOWN'],
      [{ t: 'sync', cursors: { conversations: { conversations: { x: 1 } } } }, 'INVALID_INPUT'],
    ];
    for (const [frame, code] of cases) {
      const { t, ...payload } = frame;
      await assert.rejects(a.request(t as string, payload), { code }, JSON.stringify(frame));
    }
    const group = (await a.request('conversation.create', {
      kind: 'group',
      title: 'Bad',
      userIds: [],
    })) as Conversation;
    await assert.rejects(a.request('message.send', { conversationId: group.id, text: 'x'.repeat(10_001) }), {
      code: 'INVALID_INPUT',
    });
    await assert.rejects(a.request('message.edit', { conversationId: group.id, seq: 7, text: 'x' }), {
      code: 'IM_MESSAGE_UNKNOWN',
    });
    assert.ok(a.isOpen);
    assert.equal(
      ((await a.request('message.send', { conversationId: group.id, text: 'still here' })) as Message).seq,
      1,
    );
  });

  it('the visibility rules: nobody starts a chat with someone they may not message', async () => {
    await createVisibilityPolicy(server.services).admin.hide('秘密', CLI_ACTOR);
    const { client: a } = await login(taro);
    // The server's policy reloads its facts within seconds of a change made elsewhere.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const refused = await a.request('conversation.create', { kind: 'direct', userIds: [agent.id] }).then(
        () => undefined,
        (error: { code?: string }) => error.code,
      );
      if (refused === 'IM_NOT_ALLOWED') break;
      assert.ok(Date.now() < deadline, `still allowed after 15 s (${String(refused)})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const group = (await a.request('conversation.create', {
      kind: 'group',
      title: 'Open',
      userIds: [],
    })) as Conversation;
    await assert.rejects(a.request('conversation.add', { conversationId: group.id, userIds: [agent.id] }), {
      code: 'IM_NOT_ALLOWED',
    });
    await assert.rejects(
      a.request('conversation.create', { kind: 'group', title: 'X', userIds: [agent.id] }),
      {
        code: 'IM_NOT_ALLOWED',
      },
    );
  });
});
