import type { PresenceEntry } from '../../../../src/protocol/im/presence.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PresenceRegistry, type PresenceTransport, type RegistryClock } from './presence-registry.ts';

/** A clock the test moves by hand. */
class FakeClock implements RegistryClock {
  time = 1_000_000;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 1;

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  /** Moves time on, running each timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.#timers]
        .filter(([, timer]) => timer.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.time = due[1].at;
      due[1].callback();
    }
    this.time = end;
  }
}

/** A connection the test drives: it records frames and answers watches from `server`. */
class FakeTransport implements PresenceTransport {
  online = true;
  frames: Array<{ t: string; users: number[] }> = [];
  /** What the "server" knows: everyone not listed here is hidden from the viewer. */
  server = new Map<number, PresenceEntry>();
  #delta: ((entries: PresenceEntry[]) => void) | undefined;
  #status: (() => void) | undefined;

  request<T>(t: string, body: Record<string, unknown>): Promise<T> {
    const users = body.users as number[];
    this.frames.push({ t, users });
    if (t === 'presence.watch') {
      const known = users.flatMap((id) => {
        const entry = this.server.get(id);
        return entry ? [entry] : [];
      });
      return Promise.resolve({ users: known } as T);
    }
    return Promise.resolve({ watching: 0 } as T);
  }
  onDelta(handler: (entries: PresenceEntry[]) => void): () => void {
    this.#delta = handler;
    return () => (this.#delta = undefined);
  }
  isOnline(): boolean {
    return this.online;
  }
  onStatus(handler: () => void): () => void {
    this.#status = handler;
    return () => (this.#status = undefined);
  }
  delta(entries: PresenceEntry[]): void {
    this.#delta?.(entries);
  }
  setOnline(online: boolean): void {
    this.online = online;
    this.#status?.();
  }
  take(): string[] {
    const frames = this.frames.map((frame) => `${frame.t} ${frame.users.join(',')}`);
    this.frames = [];
    return frames;
  }
}

function setup(options: { maxPerFrame?: number } = {}) {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  for (let id = 1; id <= 20; id++) transport.server.set(id, [id, 'online']);
  const registry = new PresenceRegistry({
    transport,
    clock,
    watchDelayMs: 20,
    unwatchDelayMs: 3000,
    ...options,
  });
  return { clock, transport, registry };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('people retained together are watched with one frame, each once however many hold them', async () => {
  const { clock, transport, registry } = setup();
  registry.retain([1, 2, 3]);
  registry.retain([2, 3, 4]);
  assert.deepEqual(transport.take(), [], 'nothing is sent before the batching delay');
  clock.advance(20);
  assert.deepEqual(transport.take(), ['presence.watch 1,2,3,4']);
  await settle();
  assert.deepEqual(registry.get(4), { state: 'online', text: '' });
  registry.retain([1]);
  clock.advance(100);
  assert.deepEqual(transport.take(), [], 'someone already watched is not watched again');
  assert.equal(registry.refCount(1), 2);
  assert.equal(registry.refCount(2), 2);
});

test('a person is unwatched only when the last holder lets go, after the delay, in one frame', async () => {
  const { clock, transport, registry } = setup();
  registry.retain([1, 2]);
  registry.retain([2, 3]);
  clock.advance(20);
  transport.take();
  await settle();
  registry.release([1, 2]);
  clock.advance(3000);
  assert.deepEqual(transport.take(), ['presence.unwatch 1'], 'person 2 is still held');
  assert.equal(registry.get(1), undefined, 'an unwatched value is forgotten, not shown stale');
  registry.release([2]);
  clock.advance(1000);
  registry.release([3]);
  clock.advance(1999);
  assert.deepEqual(transport.take(), []);
  clock.advance(1);
  assert.deepEqual(transport.take(), ['presence.unwatch 2']);
  clock.advance(1000);
  assert.deepEqual(transport.take(), ['presence.unwatch 3']);
  assert.equal(registry.watchedCount, 0);
});

test('released and retained again within the delay (a re-render, a list scrolling back) sends nothing', async () => {
  const { clock, transport, registry } = setup();
  registry.retain([5, 6]);
  clock.advance(20);
  transport.take();
  await settle();
  registry.release([5, 6]);
  clock.advance(1500);
  registry.retain([6, 5]);
  clock.advance(10_000);
  assert.deepEqual(transport.take(), []);
  assert.equal(registry.watchedCount, 2);
});

test('a retain released before the batch goes out is never watched', () => {
  const { clock, transport, registry } = setup();
  registry.retain([7]);
  registry.release([7]);
  registry.release([7]);
  clock.advance(10_000);
  assert.deepEqual(transport.take(), []);
  assert.equal(registry.refCount(7), 0, 'an extra release does not go negative');
});

test('deltas update watched people and tell only their listeners', async () => {
  const { clock, transport, registry } = setup();
  registry.retain([1, 2]);
  clock.advance(20);
  await settle();
  const heard: number[] = [];
  registry.subscribe(1, () => heard.push(1));
  registry.subscribe(2, () => heard.push(2));
  let batches = 0;
  registry.subscribeAll(() => batches++);
  transport.delta([[1, 'busy', 'in a call']]);
  assert.deepEqual(registry.get(1), { state: 'busy', text: 'in a call' });
  assert.deepEqual(heard, [1]);
  transport.delta([[1, 'busy', 'in a call']]);
  assert.deepEqual(heard, [1], 'an unchanged value notifies nobody');
  transport.delta([
    [1, 'away'],
    [2, 'offline'],
  ]);
  assert.deepEqual(registry.get(1), { state: 'away', text: '' });
  assert.deepEqual(heard, [1, 1, 2]);
  assert.equal(batches, 2);
});

test('after a reconnect everyone still held is watched again; the let-go are forgotten', async () => {
  const { clock, transport, registry } = setup();
  registry.retain([1, 2, 3]);
  clock.advance(20);
  await settle();
  registry.release([3]);
  transport.take();
  transport.setOnline(false);
  registry.retain([4]);
  clock.advance(5000);
  assert.deepEqual(transport.take(), [], 'nothing is sent while offline');
  assert.equal(registry.get(3), undefined);
  assert.deepEqual(registry.get(1), { state: 'online', text: '' }, 'the last known value stays meanwhile');
  transport.server.set(1, [1, 'meeting', 'weekly']);
  transport.setOnline(true);
  assert.deepEqual(transport.take(), ['presence.watch 1,2,4']);
  await settle();
  assert.deepEqual(registry.get(1), { state: 'meeting', text: 'weekly' });
});

test('watch frames are split at the per-frame limit; hidden people are simply absent', async () => {
  const { clock, transport, registry } = setup({ maxPerFrame: 3 });
  registry.retain([1, 2, 3, 4, 99]);
  clock.advance(20);
  assert.deepEqual(transport.take(), ['presence.watch 1,2,3', 'presence.watch 4,99']);
  await settle();
  assert.equal(registry.get(99), undefined);
  clock.advance(60_000);
  assert.deepEqual(transport.take(), [], 'a hidden person is not asked for again and again');
});

test('people a directory page watched are kept while held and unwatched later when not', () => {
  const { clock, transport, registry } = setup();
  registry.retain([2]);
  const mark = registry.mark();
  registry.adopt(
    [
      { id: 1, state: 'online', text: '' },
      { id: 2, state: 'busy', text: 'x' },
    ],
    mark,
  );
  clock.advance(20);
  assert.deepEqual(transport.take(), [], 'the page already watched person 2');
  assert.deepEqual(registry.get(2), { state: 'busy', text: 'x' });
  clock.advance(3000);
  assert.deepEqual(transport.take(), ['presence.unwatch 1']);
});

test('an unwatch sent while a directory page was on its way wins over the page', async () => {
  const { clock, transport, registry } = setup();
  registry.retain([1]);
  clock.advance(20);
  await settle();
  registry.release([1]);
  clock.advance(2990);
  const mark = registry.mark();
  clock.advance(10);
  assert.deepEqual(transport.take(), ['presence.watch 1', 'presence.unwatch 1']);
  registry.adopt([{ id: 1, state: 'online', text: '' }], mark);
  registry.retain([1]);
  clock.advance(20);
  assert.deepEqual(transport.take(), ['presence.watch 1'], 'the server no longer watches 1: watch again');
});
