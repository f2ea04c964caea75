import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Conversation, Message } from '../src/protocol/im/conversations.ts';
import type { InboxMemo, SentMemo } from '../src/protocol/im/memos.ts';
import { ImTestClient, startImServer, type ImTestServer } from './support/im-server.ts';

describe('chats and memos across two nodes (one PostgreSQL, one Redis)', () => {
  let nodeA: ImTestServer;
  let nodeB: ImTestServer;
  const clients: ImTestClient[] = [];

  before(async () => {
    nodeA = await startImServer({ database: 'postgres', redis: true });
    nodeB = await nodeA.addNode();
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await nodeA.stop();
  });

  async function connect(node: ImTestServer, user: { address: string; password: string }) {
    const client = await ImTestClient.connect(node);
    clients.push(client);
    await client.hello(user.address, user.password);
    return client;
  }

  it('people on different nodes chat, see typing and read markers, and receive memos', async () => {
    const unit = await nodeA.createUnit('総務部');
    const taro = await nodeA.createUser('node-taro');
    const hanako = await nodeA.createUser('node-hanako', { unit: '総務部' });
    const onA = await connect(nodeA, taro);
    const onB = await connect(nodeB, hanako);

    const direct = (await onA.request('conversation.create', {
      kind: 'direct',
      userIds: [hanako.id],
    })) as Conversation;
    await onB.next('conversation');
    const sent = (await onA.request('message.send', {
      conversationId: direct.id,
      text: 'from node A',
    })) as Message;
    assert.deepEqual((await onB.next('message')).message, sent);
    onB.send({ t: 'typing', conversationId: direct.id });
    assert.equal((await onA.next('typing')).userId, hanako.id);
    await onB.request('read', { conversationId: direct.id, seq: sent.seq });
    assert.equal((await onA.next('read')).seq, sent.seq);

    // Both nodes take seqs from the same conversation row: no gaps, no doubles.
    const burst = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) =>
        onA.request('message.send', { conversationId: direct.id, text: `a${i}` }),
      ),
      ...Array.from({ length: 10 }, (_, i) =>
        onB.request('message.send', { conversationId: direct.id, text: `b${i}` }),
      ),
    ]);
    assert.deepEqual(
      (burst as Message[]).map((m) => m.seq).sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i + 2),
    );

    const memo = (await onA.request('memo.send', {
      subject: 'お知らせ',
      body: '明日は休館日です',
      to: { unitIds: [unit.id] },
    })) as SentMemo;
    assert.equal(((await onB.next('memo')).memo as InboxMemo).id, memo.id);
    await onB.request('memo.read', { memoId: memo.id });
    const receipt = await onA.next('memo.read');
    assert.deepEqual([receipt.memoId, receipt.userId, receipt.readCount], [memo.id, hanako.id, 1]);
  });
});
