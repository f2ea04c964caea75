import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { MemoryBus } from '../../bus/index.ts';
import type { VisibilityPolicy } from '../types.ts';
import { ManualTimers } from '../../../test/support/manual-timers.ts';
import { RecordingConnection } from '../../../test/support/recording-connection.ts';
import { allowAll, hideFrom } from '../../../test/support/simple-policies.ts';
import { PresenceService } from './presence-service.ts';

const MINUTE = 60_000;
const FLUSH = 250;
const ALICE = 1;
const BOB = 2;
const CAROL = 3;

const running: PresenceService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.close()));
});

async function presence(
  options: {
    policy?: VisibilityPolicy;
    timers?: ManualTimers;
    bus?: MemoryBus;
    onError?: (error: unknown, context: string) => void;
  } = {},
) {
  const timers = options.timers ?? new ManualTimers();
  const service = new PresenceService({
    bus: options.bus ?? new MemoryBus(),
    policy: options.policy ?? allowAll,
    nodeId: 'test',
    timers,
    autoAwayMinutes: 10,
    graceMs: 30_000,
    flushMs: FLUSH,
    maxWatched: 100,
    onError: options.onError,
  });
  await service.start();
  running.push(service);
  return { service, timers };
}

/** Opens a connection for the user's device, as the gateway does after login. */
async function connect(service: PresenceService, userId: number, deviceId = userId * 10) {
  const connection = new RecordingConnection(userId, deviceId);
  await service.opened(connection);
  return connection;
}

/** The deltas a connection received, as [userId, state, text?] entries, one array per frame. */
function deltas(connection: RecordingConnection): unknown[][] {
  return connection.take('presence').map((frame) => frame.u as unknown[]);
}

describe('presence of one device', () => {
  it('turns away after the idle minutes counted from when idleness began, and back online on activity', async () => {
    const { service, timers } = await presence();
    const alice = await connect(service, ALICE);
    const bob = await connect(service, BOB);
    assert.deepEqual(await service.watch(alice, [BOB]), [[BOB, 'online']]);

    // Idle for 9 minutes when reported: away one minute later, not ten.
    service.activity(bob.session, 9 * 60);
    timers.advance(MINUTE - 1);
    assert.equal(service.presenceOf(BOB).state, 'online');
    timers.advance(1 + FLUSH);
    assert.equal(service.presenceOf(BOB).state, 'away');
    assert.deepEqual(deltas(alice), [[[BOB, 'away']]]);

    assert.deepEqual(service.activity(bob.session, 0), { state: 'online', text: '' });
    timers.advance(FLUSH);
    assert.deepEqual(deltas(alice), [[[BOB, 'online']]]);
  });

  it('a state picked by hand wins over auto-away; picking online returns to automatic', async () => {
    const { service, timers } = await presence();
    const alice = await connect(service, ALICE);
    const bob = await connect(service, BOB);
    await service.watch(alice, [BOB]);

    assert.deepEqual(service.set(bob.session, 'busy', 'in a call'), { state: 'busy', text: 'in a call' });
    service.activity(bob.session, 60);
    timers.advance(20 * MINUTE);
    assert.deepEqual(service.presenceOf(BOB), { state: 'busy', text: 'in a call' });

    // Automatic again, and idle for 20 minutes by now: away, keeping the text.
    assert.deepEqual(service.set(bob.session, 'online', 'back at 3'), { state: 'away', text: 'back at 3' });
    timers.advance(FLUSH);
    assert.deepEqual(deltas(alice), [[[BOB, 'busy', 'in a call']], [[BOB, 'away', 'back at 3']]]);
  });

  it('an auto-away limit of 0 turns auto-away off', async () => {
    const { service, timers } = await presence();
    service.setAutoAwayMinutes(0);
    const bob = await connect(service, BOB);
    service.activity(bob.session, 3600);
    timers.advance(60 * MINUTE);
    assert.equal(service.presenceOf(BOB).state, 'online');
  });
});

describe('merging one user’s devices', () => {
  it('online while any device is in use, away when all are idle, the latest hand-picked state over all', async () => {
    const { service, timers } = await presence();
    const desktop = await connect(service, BOB, 21);
    const phone = await connect(service, BOB, 22);

    service.activity(desktop.session, 3600);
    assert.equal(service.presenceOf(BOB).state, 'online', 'the phone is still in use');
    service.activity(phone.session, 3600);
    assert.equal(service.presenceOf(BOB).state, 'away');

    service.set(phone.session, 'meeting', 'weekly');
    timers.advance(1);
    service.set(desktop.session, 'busy', '');
    assert.deepEqual(service.presenceOf(BOB), { state: 'busy', text: '' }, 'the most recent choice wins');
    timers.advance(1);
    service.set(phone.session, 'online', '');
    assert.deepEqual(service.presenceOf(BOB), { state: 'away', text: '' }, 'automatic, and both idle');
    service.activity(desktop.session, 0);
    assert.equal(service.presenceOf(BOB).state, 'online');
  });

  it('a reconnect within the grace period shows no flap; past it the user goes offline', async () => {
    const { service, timers } = await presence();
    const alice = await connect(service, ALICE);
    let bob = await connect(service, BOB);
    service.set(bob.session, 'busy', 'focus');
    await service.watch(alice, [BOB]);

    await service.closed(bob);
    timers.advance(29_000);
    assert.ok(service.isOnline(BOB));
    bob = await connect(service, BOB);
    assert.deepEqual(service.presenceOf(BOB), { state: 'busy', text: 'focus' }, 'the device kept its choice');
    timers.advance(60_000);
    assert.deepEqual(deltas(alice), [], 'no offline, no online');

    await service.closed(bob);
    timers.advance(30_000 + FLUSH);
    assert.equal(service.isOnline(BOB), false);
    assert.deepEqual(deltas(alice), [[[BOB, 'offline']]]);
  });

  it('another device arriving within the grace period keeps the user online', async () => {
    const { service, timers } = await presence();
    const alice = await connect(service, ALICE);
    const desktop = await connect(service, BOB, 21);
    await service.watch(alice, [BOB]);
    await service.closed(desktop);
    timers.advance(10_000);
    await connect(service, BOB, 22);
    timers.advance(60_000);
    assert.ok(service.isOnline(BOB));
    assert.deepEqual(deltas(alice), []);
  });
});

describe('watching', () => {
  it('coalesces several changes within one flush interval into one delta with the latest value', async () => {
    const { service, timers } = await presence();
    const alice = await connect(service, ALICE);
    const bob = await connect(service, BOB);
    const carol = await connect(service, CAROL);
    assert.deepEqual(await service.watch(alice, [BOB, CAROL, 99]), [
      [BOB, 'online'],
      [CAROL, 'online'],
      [99, 'offline'],
    ]);

    for (const state of ['busy', 'meeting', 'out', 'away'] as const) service.set(bob.session, state, state);
    service.set(bob.session, 'busy', 'in a call');
    service.set(carol.session, 'out', '');
    timers.advance(FLUSH - 1);
    assert.deepEqual(deltas(alice), [], 'nothing before the flush');
    timers.advance(1);
    const frames = alice.frames.filter((frame) => frame.t === 'presence');
    assert.equal(frames.length, 1);
    assert.deepEqual(deltas(alice), [
      [
        [BOB, 'busy', 'in a call'],
        [CAROL, 'out'],
      ],
    ]);
    const stats = service.stats();
    assert.equal(stats.changes, 3 + 6, 'three logins, then six changes');
    assert.equal(stats.deltaFrames, 1);
    assert.equal(stats.deltaBytes, Buffer.byteLength(JSON.stringify(frames[0])));
  });

  it('a change nobody watches sends nothing; unwatching or closing stops the deltas', async () => {
    const { service, timers } = await presence();
    const alice = await connect(service, ALICE);
    const carol = await connect(service, CAROL);
    const bob = await connect(service, BOB);

    service.set(bob.session, 'busy', '');
    timers.advance(FLUSH);
    assert.equal(service.stats().deltaFrames, 0);
    assert.equal(timers.pending, 1, 'only the heartbeat timer: no flush was even scheduled');

    await service.watch(alice, [BOB]);
    await service.watch(carol, [BOB]);
    assert.equal(service.unwatch(alice, [BOB, 12345]), 0);
    service.set(bob.session, 'out', '');
    timers.advance(FLUSH);
    assert.deepEqual(deltas(alice), []);
    assert.deepEqual(deltas(carol), [[[BOB, 'out']]]);

    await service.closed(carol);
    service.set(bob.session, 'away', '');
    timers.advance(FLUSH);
    assert.deepEqual(deltas(carol), []);
    assert.equal(service.stats().deltaFrames, 1);
  });

  it('leaves out people the viewer may not see, in the snapshot and in deltas', async () => {
    const policy = hideFrom(ALICE, [CAROL]);
    const { service, timers } = await presence({ policy });
    const alice = await connect(service, ALICE);
    const carol = await connect(service, CAROL);
    const bob = await connect(service, BOB);

    assert.deepEqual(await service.watch(alice, [CAROL, BOB, ALICE]), [
      [BOB, 'online'],
      [ALICE, 'online'],
    ]);
    assert.equal(policy.asked, 1, 'one question for the whole list');
    service.set(carol.session, 'busy', 'secret project');
    service.set(bob.session, 'meeting', '');
    timers.advance(FLUSH);
    assert.deepEqual(deltas(alice), [[[BOB, 'meeting']]]);
  });

  it('refuses to watch more people than the limit, counting those already watched once', async () => {
    const { service } = await presence();
    const alice = await connect(service, ALICE);
    const hundred = Array.from({ length: 100 }, (_, i) => 1000 + i);
    assert.equal((await service.watch(alice, hundred.slice(0, 60))).length, 60);
    assert.equal((await service.watch(alice, hundred)).length, 100, 'the 60 already watched count once');
    await assert.rejects(service.watch(alice, [5000]), { code: 'IM_WATCH_LIMIT' });
    assert.equal(service.unwatch(alice, [1000]), 99);
  });
});

describe('presence across nodes on one bus', () => {
  it('merges a user’s devices on two nodes, and expires a node that stops beating', async () => {
    const bus = new MemoryBus();
    const timersA = new ManualTimers();
    const timersB = new ManualTimers();
    const a = (await presence({ bus, timers: timersA })).service;
    const b = (await presence({ bus, timers: timersB })).service;

    const alice = await connect(a, ALICE);
    await a.watch(alice, [BOB]);
    const desktop = await connect(a, BOB, 21);
    const phone = await connect(b, BOB, 22);
    a.activity(desktop.session, 3600);
    assert.equal(a.presenceOf(BOB).state, 'online', 'the phone on node B is in use');
    b.set(phone.session, 'meeting', 'all hands');
    assert.deepEqual(a.presenceOf(BOB), { state: 'meeting', text: 'all hands' });
    assert.deepEqual(b.presenceOf(BOB), { state: 'meeting', text: 'all hands' });

    // Node B dies silently: A keeps B's phone for three missed beats, then drops it.
    await a.closed(desktop);
    timersA.advance(30_000);
    assert.ok(a.isOnline(BOB));
    timersA.advance(31_000);
    assert.equal(a.isOnline(BOB), false);
    assert.deepEqual(deltas(alice).at(-1), [[BOB, 'offline']]);
  });

  it('ignores and reports malformed events from the bus, and keeps working', async () => {
    const bus = new MemoryBus();
    const errors: string[] = [];
    const { service } = await presence({ bus, onError: (_error, context) => errors.push(context) });
    for (const event of [
      'text',
      null,
      { k: 'user', i: 'other:1', s: 1, u: -5, p: null },
      { k: 'user', i: 'other:1', s: 1, u: 7, p: { c: ['offline', '', 1], a: true } },
      { k: 'full', i: 'other:1', s: 1, users: 'everyone' },
      { k: 'shout', i: 'other:1' },
    ]) {
      await bus.publish('presence', event);
    }
    assert.equal(errors.length, 6);
    assert.ok(errors.every((context) => context === 'malformed presence event on the bus'));
    const bob = await connect(service, BOB);
    service.set(bob.session, 'busy', '');
    assert.equal(service.presenceOf(BOB).state, 'busy');
    assert.equal(service.isOnline(7), false);
  });

  it('a node that starts late learns the users of the others from a full dump', async () => {
    const bus = new MemoryBus();
    const a = (await presence({ bus })).service;
    const carol = await connect(a, CAROL);
    a.set(carol.session, 'out', 'till Monday');
    const b = (await presence({ bus })).service;
    assert.deepEqual(b.presenceOf(CAROL), { state: 'out', text: 'till Monday' });
  });
});
