import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { RedisBus } from '../../bus/index.ts';
import { ManualTimers } from '../../../test/support/manual-timers.ts';
import { RecordingConnection } from '../../../test/support/recording-connection.ts';
import { allowAll } from '../../../test/support/simple-policies.ts';
import { PresenceService } from './presence-service.ts';

/** The Redis server the suite runs against; the suite fails when it is not running. */
const REDIS_URL = process.env.COO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ALICE = 1;
const BOB = 2;

const cleanup: (() => Promise<void>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

/** One node: its own Redis connections, its own clock. */
async function node(namespace: string, name: string) {
  const bus = await RedisBus.connect({ url: REDIS_URL, namespace, onError: () => undefined });
  const timers = new ManualTimers();
  const errors: string[] = [];
  const service = new PresenceService({
    bus,
    policy: allowAll,
    nodeId: name,
    timers,
    flushMs: 100,
    onError: (_error, context) => errors.push(context),
  });
  await service.start();
  cleanup.push(
    () => service.close(),
    () => bus.close(),
  );
  return { bus, timers, service, errors };
}

/** Resolves once the condition holds: Redis delivers after publish resolves. */
async function eventually(condition: () => boolean, what: string, step?: () => void): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    step?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('presence on two nodes over Redis', () => {
  it('merges devices across nodes, recovers lost events from a full dump, and expires a dead node', async () => {
    const namespace = `coo-test-presence-${process.pid}-${randomBytes(4).toString('hex')}`;
    const a = await node(namespace, 'node-a');
    const b = await node(namespace, 'node-b');

    const watcher = new RecordingConnection(ALICE, 10);
    await a.service.opened(watcher);
    await a.service.watch(watcher, [BOB]);
    const desktop = new RecordingConnection(BOB, 21);
    const phone = new RecordingConnection(BOB, 22, 'mobile');
    await a.service.opened(desktop);
    await b.service.opened(phone);

    // Desktop on A idle, phone on B in use: one user, online on both nodes.
    a.service.activity(desktop.session, 3600);
    await eventually(
      () => a.service.presenceOf(BOB).state === 'online' && b.service.presenceOf(BOB).state === 'online',
      'both nodes to merge Bob’s devices',
    );
    b.service.set(phone.session, 'busy', '会議中');
    await eventually(() => a.service.presenceOf(BOB).state === 'busy', 'the phone’s choice on A');
    assert.deepEqual(a.service.presenceOf(BOB), { state: 'busy', text: '会議中' });

    // Cut every subscriber of the namespace: B's next change is lost on the way to A.
    const control = new Redis(REDIS_URL);
    cleanup.push(async () => void (await control.quit()));
    const clients = (await control.client('LIST')) as string;
    for (const line of clients.split('\n')) {
      if (!line.includes(` name=coo-bus:${namespace}:subscriber`)) continue;
      await control.client('KILL', 'ID', /\bid=(\d+)/.exec(line)?.[1] ?? '');
    }
    b.service.set(phone.session, 'meeting', 'design review');
    // Beats carry B's sequence number: A sees the gap, asks for a full dump, and catches up.
    await eventually(
      () => a.service.presenceOf(BOB).state === 'meeting',
      'A to catch up after the lost event',
      () => {
        a.timers.advance(15_000);
        b.timers.advance(15_000);
      },
    );
    assert.deepEqual(a.service.presenceOf(BOB), { state: 'meeting', text: 'design review' });

    // B dies without a goodbye: A keeps Bob for three missed beats, then drops B's phone.
    await b.bus.close();
    await a.service.closed(desktop);
    a.timers.advance(40_000);
    assert.ok(a.service.isOnline(BOB), 'B is not declared dead before three missed beats');
    // Checked at A's own beats: dead between 45 and 60 s after B's last beat.
    a.timers.advance(20_000);
    assert.equal(a.service.isOnline(BOB), false);
    a.service.flush();
    assert.deepEqual(watcher.take('presence').at(-1)?.u, [[BOB, 'offline']]);
    assert.deepEqual(a.errors, []);
  });

  it('a node that says goodbye keeps its users for the grace period, while they reconnect elsewhere', async () => {
    const namespace = `coo-test-presence-${process.pid}-${randomBytes(4).toString('hex')}`;
    const a = await node(namespace, 'node-a');
    const b = await node(namespace, 'node-b');
    const watcher = new RecordingConnection(ALICE, 10);
    await a.service.opened(watcher);
    await a.service.watch(watcher, [BOB]);
    const onB = new RecordingConnection(BOB, 22);
    await b.service.opened(onB);
    await eventually(() => a.service.isOnline(BOB), 'A to see Bob on B');
    a.service.flush();
    assert.deepEqual(watcher.take('presence')[0]?.u, [[BOB, 'online']]);

    await b.service.close();
    // Bob's client reconnects to node A within the grace period: no offline is ever seen.
    a.timers.advance(5_000);
    await a.service.opened(new RecordingConnection(BOB, 22));
    a.timers.advance(60_000);
    a.service.flush();
    assert.ok(a.service.isOnline(BOB));
    assert.deepEqual(
      watcher.take('presence').flatMap((frame) => frame.u as unknown[]),
      [],
      'Bob stayed online throughout',
    );
  });
});
