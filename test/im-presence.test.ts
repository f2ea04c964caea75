import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';

const GRACE_MS = 800;
const FLUSH_MS = 100;
/** A watch limit of 3 instead of 5,000, so the limit is reached with real users. */
const TUNING = { presence: { graceMs: GRACE_MS, flushMs: FLUSH_MS, maxWatched: 3 } };

/** Records the size in bytes of each presence delta as it came off the wire. */
function deltaSizes(client: ImTestClient): number[] {
  const sizes: number[] = [];
  client.socket.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    if (text.startsWith('{"t":"presence"')) sizes.push(Buffer.byteLength(text));
  });
  return sizes;
}

async function login(server: ImTestServer, user: TestUser, remember = false) {
  const client = await ImTestClient.connect(server);
  const hello = await client.hello(user.address, user.password, { remember });
  return { client, hello };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('presence over the messenger protocol', () => {
  let server: ImTestServer;
  let ann: TestUser;
  let ben: TestUser;
  let cat: TestUser;
  let dan: TestUser;
  const clients: ImTestClient[] = [];
  const connect = async (user: TestUser, remember = false) => {
    const session = await login(server, user, remember);
    clients.push(session.client);
    return session;
  };

  before(async () => {
    server = await startImServer({ messenger: TUNING });
    ann = await server.createUser('ann', { name: 'Ann' });
    ben = await server.createUser('ben', { name: 'Ben' });
    cat = await server.createUser('cat', { name: 'Cat' });
    dan = await server.createUser('dan', { name: 'Dan' });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop();
  });

  it('a watcher gets one small delta for a status change, and no flap for a reconnect within the grace period', async () => {
    const { client: a } = await connect(ann);
    const sizes = deltaSizes(a);
    const first = await connect(ben, true);
    let b = first.client;
    const hello = first.hello;
    const token = hello.resumeToken ?? assert.fail('no resume token');

    assert.deepEqual(await a.request('presence.watch', { users: [ben.id, cat.id] }), {
      users: [
        [ben.id, 'online'],
        [cat.id, 'offline'],
      ],
    });
    const before = server.server.messenger.presence.stats();
    assert.deepEqual(await b.request('presence.set', { state: 'busy', text: 'in a call' }), {
      state: 'busy',
      text: 'in a call',
    });
    const delta = await a.next('presence');
    assert.deepEqual(delta, { t: 'presence', u: [[ben.id, 'busy', 'in a call']] });
    assert.deepEqual(sizes, [Buffer.byteLength(JSON.stringify(delta))]);
    assert.ok((sizes[0] ?? Infinity) <= 50, `one delta is ${sizes[0]} bytes`);
    const after = server.server.messenger.presence.stats();
    assert.equal(after.deltaBytes - before.deltaBytes, sizes[0], 'the counter matches the wire');
    console.log(`# one presence delta: ${sizes[0]} bytes: ${JSON.stringify(delta)}`);

    // Ben's connection drops and his device resumes within the grace period.
    await b.close();
    await sleep(GRACE_MS / 4);
    b = await ImTestClient.connect(server);
    clients.push(b);
    await b.resume(token);
    await a.noFrame('presence', GRACE_MS + 4 * FLUSH_MS);
    assert.deepEqual(await a.request('presence.watch', { users: [ben.id] }), {
      users: [[ben.id, 'busy', 'in a call']],
    });

    // Gone for longer than the grace period: offline.
    await b.close();
    const offline = await a.next('presence', () => true, GRACE_MS + 2000);
    assert.deepEqual(offline.u, [[ben.id, 'offline']]);
  });

  it('reports auto-away from the idle time a client reports, and back on activity', async () => {
    const { client: a } = await connect(ann);
    const { client: c } = await connect(cat);
    await a.request('presence.watch', { users: [cat.id] });
    // The default limit is 10 minutes; idle for 11 already.
    assert.deepEqual(await c.request('presence.activity', { idleSeconds: 660 }), { state: 'away', text: '' });
    assert.deepEqual((await a.next('presence')).u, [[cat.id, 'away']]);
    c.send({ t: 'presence.activity', idleSeconds: 0 });
    assert.deepEqual((await a.next('presence')).u, [[cat.id, 'online']]);
  });

  it('unwatched users send nothing', async () => {
    const { client: a } = await connect(ann);
    const { client: c } = await connect(cat);
    await a.request('presence.watch', { users: [cat.id] });
    assert.deepEqual(await a.request('presence.unwatch', { users: [cat.id] }), { watching: 0 });
    await c.request('presence.set', { state: 'out' });
    await a.noFrame('presence', 4 * FLUSH_MS);
  });

  it('bad presence frames get IM_BAD_FRAME or IM_WATCH_LIMIT, and the connection lives on', async () => {
    const { client: a } = await connect(ann);
    const code = (request: Promise<unknown>) =>
      request.then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      );
    assert.equal(await code(a.request('presence.set', { state: 'offline' })), 'IM_BAD_FRAME');
    assert.equal(await code(a.request('presence.set', { state: 'sleeping' })), 'IM_BAD_FRAME');
    assert.equal(
      await code(a.request('presence.set', { state: 'busy', text: 'x'.repeat(141) })),
      'IM_BAD_FRAME',
    );
    assert.equal(
      await code(a.request('presence.set', { state: 'busy', text: 'two\nlines' })),
      'IM_BAD_FRAME',
    );
    assert.equal(await code(a.request('presence.set', { state: 'busy', text: '絵'.repeat(140) })), 'ok');
    assert.equal(await code(a.request('presence.activity', { idleSeconds: -1 })), 'IM_BAD_FRAME');
    assert.equal(await code(a.request('presence.watch', { users: ['ben'] })), 'IM_BAD_FRAME');
    assert.equal(await code(a.request('presence.watch', { users: [1.5] })), 'IM_BAD_FRAME');
    const many = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    assert.equal(await code(a.request('presence.watch', { users: many(1, 5001) })), 'IM_BAD_FRAME');
    // Unknown users are invisible: they are answered with nothing and use no room on the list.
    assert.deepEqual(await a.request('presence.watch', { users: many(100_000, 5000) }), { users: [] });
    assert.equal(await code(a.request('presence.watch', { users: [ann.id, ben.id, cat.id] })), 'ok');
    assert.equal(await code(a.request('presence.watch', { users: [ben.id, dan.id] })), 'IM_WATCH_LIMIT');
    assert.ok(a.isOpen);
    assert.deepEqual(await a.request('presence.unwatch', { users: [ben.id] }), { watching: 2 });
    assert.equal(await code(a.request('presence.watch', { users: [dan.id] })), 'ok');
  });
});

describe('presence across two nodes (PostgreSQL + Redis)', () => {
  let first: ImTestServer;
  const clients: ImTestClient[] = [];

  before(async () => {
    first = await startImServer({ database: 'postgres', redis: true, messenger: TUNING });
  });

  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await first.stop();
  });

  it('a watcher on one node sees a user on the other, merged over both nodes', async () => {
    const second = await first.addNode();
    const ann = await first.createUser('ann', { name: 'Ann' });
    const ben = await first.createUser('ben', { name: 'Ben' });
    const a = (await login(first, ann)).client;
    const desktop = (await login(second, ben)).client;
    clients.push(a, desktop);
    // Ben's login on the other node may still be on its way over Redis.
    const snapshot = (await a.request('presence.watch', { users: [ben.id] })) as { users: unknown[] };
    if (JSON.stringify(snapshot.users) !== JSON.stringify([[ben.id, 'online']])) {
      assert.deepEqual((await a.next('presence')).u, [[ben.id, 'online']]);
    }

    await desktop.request('presence.set', { state: 'meeting', text: '定例' });
    const change = await a.next('presence', (frame) => JSON.stringify(frame.u).includes('meeting'));
    assert.deepEqual(change.u, [[ben.id, 'meeting', '定例']]);
    assert.equal(first.server.messenger.presence.isOnline(ben.id), true);
  });
});
