import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/loader.ts';
import { openServices } from '../src/services.ts';
import { ImTestClient, startImServer, type ImTestServer } from './support/im-server.ts';

const INTERVAL_MS = 250;
/** The production heartbeat, to scale what one short interval costs to a real minute. */
const PRODUCTION_INTERVAL_MS = 30_000;

describe('messenger gateway: heartbeat and shutdown', () => {
  let server: ImTestServer;
  before(async () => {
    server = await startImServer({ messenger: { gateway: { heartbeatIntervalMs: INTERVAL_MS } } });
  });
  after(async () => {
    await server.stop();
  });

  test('an idle client costs under 120 bytes a minute each way on the wire (TLS included)', async (t) => {
    const user = await server.createUser('idle');
    const client = await ImTestClient.connect(server);
    await client.hello(user.address, user.password);
    // Let the login's own traffic (answers, snapshots, TLS tickets) pass first.
    await sleep(4 * INTERVAL_MS);
    const framesBefore = client.frames.length;
    const start = client.wire;
    const started = performance.now();
    await sleep(12 * INTERVAL_MS);
    const elapsed = performance.now() - started;
    const end = client.wire;
    const intervals = elapsed / INTERVAL_MS;
    const perMinute = (bytes: number) => (bytes / intervals) * (60_000 / PRODUCTION_INTERVAL_MS);
    const received = perMinute(end.read - start.read);
    const sent = perMinute(end.written - start.written);
    t.diagnostic(`idle: ${received.toFixed(1)} bytes/min received, ${sent.toFixed(1)} bytes/min sent`);
    assert.equal(client.frames.length, framesBefore, 'no frames while idle, only pings');
    assert.ok(end.read > start.read, 'the server did ping');
    assert.ok(received < 120, `server → client: ${received.toFixed(1)} bytes/min`);
    assert.ok(sent < 120, `client → server: ${sent.toFixed(1)} bytes/min`);
    assert.equal(client.isOpen, true, 'a client that answers pings stays connected');
    await client.close();
  });

  test('a client that stops answering pings is dropped within three intervals, and its session ends', async () => {
    const user = await server.createUser('silent');
    const client = await ImTestClient.connect(server, { autoPong: false });
    await client.hello(user.address, user.password);
    const started = performance.now();
    const closed = await Promise.race([client.closed, sleep(10 * INTERVAL_MS).then(() => undefined)]);
    const elapsed = performance.now() - started;
    assert.ok(closed, 'the connection was dropped');
    assert.equal(closed.code, 1006, 'terminated without a close frame');
    assert.ok(elapsed <= 3 * INTERVAL_MS + 200, `dropped after ${elapsed.toFixed(0)} ms`);
    await waitFor(async () => {
      const [logout] = await server.services.audit.query({ action: 'auth.logout', target: user.address });
      return logout?.details.reason === 'heartbeat-timeout';
    });
  });

  test('a client that stops reading is dropped once its unsent output passes the limit', async () => {
    const own = await startImServer({ messenger: { gateway: { maxBufferedBytes: 256 * 1024 } } });
    try {
      const user = await own.createUser('reader');
      const client = await ImTestClient.connect(own);
      await client.hello(user.address, user.password);
      // Stop reading: the kernel buffers fill, then the server's own queue grows.
      (client.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const delivery = own.server.messenger.delivery;
      const pad = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 2000 && client.isOpen; i++) {
        await delivery.toUsers([user.id], { t: 'test.bulk', i, pad });
        if (i % 50 === 0) await sleep(1);
      }
      await waitFor(async () => {
        const [logout] = await own.services.audit.query({ action: 'auth.logout', target: user.address });
        return logout?.details.reason === 'too-slow';
      }, 10_000);
      assert.equal(own.server.messenger.registry.ofUser(user.id).size, 0);
      client.socket.terminate();
    } finally {
      await own.stop();
    }
  });

  test('closing the server closes every WebSocket with 1001 (going away) and ends their sessions', async () => {
    const own = await startImServer();
    const user = await own.createUser('leaving');
    const loggedIn = await ImTestClient.connect(own);
    await loggedIn.hello(user.address, user.password);
    const anonymous = await ImTestClient.connect(own);
    const stopped = own.server.close();
    assert.equal((await loggedIn.closed).code, 1001);
    assert.equal((await anonymous.closed).code, 1001);
    await stopped;
    // The logout was audited before the database closed: read it back from the data dir.
    const services = await openServices(loadConfig(own.dataDir));
    try {
      const [logout] = await services.audit.query({ action: 'auth.logout', target: user.address });
      assert.equal(logout?.details.reason, 'shutdown');
    } finally {
      await services.close();
    }
    await own.stop();
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}
