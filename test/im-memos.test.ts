import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  InboxMemo,
  MemoInboxResult,
  MemoReceipts,
  MemoSentResult,
  SentMemo,
} from '../src/protocol/im/memos.ts';
import type { SyncResult } from '../src/protocol/im/session.ts';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';

describe('memos over the messenger protocol', () => {
  let server: ImTestServer;
  let boss: TestUser;
  let sato: TestUser;
  let ito: TestUser;
  let kato: TestUser;
  let dev: TestUser;
  let sales: number;
  const clients: ImTestClient[] = [];

  async function login(user: TestUser) {
    const client = await ImTestClient.connect(server);
    clients.push(client);
    await client.hello(user.address, user.password);
    return client;
  }

  before(async () => {
    server = await startImServer();
    sales = (await server.createUnit('営業部')).id;
    boss = await server.createUser('boss', { name: '社長' });
    sato = await server.createUser('sato', { name: '佐藤', unit: '営業部' });
    ito = await server.createUser('ito', { name: '伊藤', unit: '営業部/東京' });
    kato = await server.createUser('kato', { name: '加藤', unit: '営業部/大阪' });
    dev = await server.createUser('dev', { name: '開発', unit: '開発部' });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop();
  });

  it('a memo to a department reaches its sub-units and shows who read it and when', async () => {
    const b = await login(boss);
    const s = await login(sato);
    const i = await login(ito);
    const d = await login(dev);
    const sent = (await b.request('memo.send', {
      subject: '全社会議',
      body: '金曜 15時から会議室Aで。',
      to: { unitIds: [sales] },
    })) as SentMemo;
    assert.deepEqual([sent.recipientCount, sent.readCount, sent.subject], [3, 0, '全社会議']);
    const arrived = (await i.next('memo')).memo as InboxMemo;
    assert.deepEqual([arrived.id, arrived.readAt, arrived.sender.address], [sent.id, null, boss.address]);
    await s.next('memo');
    await d.noFrame('memo', 300);

    const read = (await i.request('memo.read', { memoId: sent.id })) as InboxMemo;
    assert.ok(read.readAt !== null);
    const receipt = await b.next('memo.read');
    assert.deepEqual(receipt, {
      t: 'memo.read',
      memoId: sent.id,
      userId: ito.id,
      readAt: read.readAt,
      readCount: 1,
    });

    const receipts = (await b.request('memo.receipts', { memoId: sent.id })) as MemoReceipts;
    assert.deepEqual(
      receipts.read.map((p) => [p.address, p.readAt]),
      [[ito.address, read.readAt]],
    );
    assert.deepEqual(
      receipts.unread.map((p) => p.address),
      [kato.address, sato.address],
    );
    await assert.rejects(s.request('memo.receipts', { memoId: sent.id }), { code: 'IM_MEMO_UNKNOWN' });
    await assert.rejects(d.request('memo.read', { memoId: sent.id }), { code: 'IM_MEMO_UNKNOWN' });

    const inbox = (await s.request('memo.inbox')) as MemoInboxResult;
    assert.deepEqual([inbox.memos[0]?.id, inbox.unread, inbox.hasMore], [sent.id, 1, false]);
    const sentBox = (await b.request('memo.sent', { limit: 10 })) as MemoSentResult;
    assert.equal(sentBox.memos.find((m) => m.id === sent.id)?.readCount, 1);
  });

  it('a reconnecting recipient and sender sync only the memos and receipts they missed', async () => {
    let b = await login(boss);
    let k = await login(kato);
    const bossCursors = ((await b.request('sync')) as SyncResult).cursors;
    const katoCursors = ((await k.request('sync')) as SyncResult).cursors;
    assert.ok(bossCursors.memos && katoCursors.memos);
    await b.close();
    await k.close();

    const s = await login(sato);
    const memo = (await s.request('memo.send', {
      body: 'ご確認ください',
      to: { userIds: [kato.id, boss.id] },
    })) as SentMemo;
    const b2 = await login(boss);
    await b2.request('memo.read', { memoId: memo.id });
    await b2.close();

    k = await login(kato);
    await k.request('sync', { cursors: katoCursors });
    const katoFrames = k.frames.filter((f) => f.t.startsWith('memo'));
    assert.deepEqual(
      katoFrames.map((f) => [f.t, f.box, (f.memo as InboxMemo).id, (f.memo as InboxMemo).readAt]),
      [['memo', 'inbox', memo.id, null]],
    );

    b = await login(boss);
    await b.request('sync', { cursors: bossCursors });
    const bossFrames = b.frames.filter((f) => f.t.startsWith('memo'));
    assert.deepEqual(
      bossFrames.map((f) => [f.t, f.box, (f.memo as InboxMemo).id, (f.memo as InboxMemo).readAt !== null]),
      [['memo', 'inbox', memo.id, true]],
      'read on another device meanwhile',
    );
    const senderSync = s.frames.length;
    const sCursors = ((await s.request('sync')) as SyncResult).cursors;
    assert.equal(s.frames.length, senderSync + 1);
    await k.request('memo.read', { memoId: memo.id });
    await s.next('memo.read', (f) => f.userId === kato.id);
    const s2 = await login(sato);
    await s2.request('sync', { cursors: sCursors });
    assert.deepEqual(
      s2.frames.filter((f) => f.t.startsWith('memo')).map((f) => [f.t, f.userId, f.readCount]),
      [['memo.read', kato.id, 2]],
    );
  });

  it('bad memo frames get error codes and the connection lives on', async () => {
    const b = await login(boss);
    const cases: [Record<string, unknown>, string][] = [
      [{ t: 'memo.send', to: { userIds: [sato.id] } }, 'IM_BAD_FRAME'],
      [{ t: 'memo.send', body: 'x', to: { userIds: ['sato'] } }, 'IM_BAD_FRAME'],
      [{ t: 'memo.send', body: 'x', to: {} }, 'INVALID_INPUT'],
      [{ t: 'memo.send', body: 'x', subject: 'a\nb', to: { userIds: [sato.id] } }, 'INVALID_INPUT'],
      [{ t: 'memo.send', body: 'x', to: { unitIds: [99_999] } }, 'UNIT_UNKNOWN'],
      [{ t: 'memo.send', body: 'x', to: { userIds: [99_999] } }, 'USER_UNKNOWN'],
      [{ t: 'memo.read', memoId: 0 }, 'IM_BAD_FRAME'],
      [{ t: 'memo.read', memoId: 99_999 }, 'IM_MEMO_UNKNOWN'],
      [{ t: 'memo.inbox', limit: 1000 }, 'INVALID_INPUT'],
      [{ t: 'sync', cursors: { memos: { seq: 'x' } } }, 'INVALID_INPUT'],
    ];
    for (const [frame, code] of cases) {
      const { t, ...payload } = frame;
      await assert.rejects(b.request(t as string, payload), { code }, JSON.stringify(frame));
    }
    assert.ok(b.isOpen);
    assert.ok(((await b.request('memo.inbox', { limit: 1 })) as MemoInboxResult).memos.length <= 1);
  });
});
