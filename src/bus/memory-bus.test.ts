import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusErrorContext } from './event-bus.ts';
import { MemoryBus } from './memory-bus.ts';

describe('MemoryBus', () => {
  it('delivers an event to every subscriber of the channel, and only of that channel', async () => {
    const bus = new MemoryBus();
    const first: unknown[] = [];
    const second: unknown[] = [];
    const other: unknown[] = [];
    await bus.subscribe('conversation:1', (event) => first.push(event));
    await bus.subscribe('conversation:1', (event) => second.push(event));
    await bus.subscribe('conversation:2', (event) => other.push(event));
    await bus.publish('conversation:1', { text: 'hello', seq: 1 });
    assert.deepEqual(first, [{ text: 'hello', seq: 1 }]);
    assert.deepEqual(second, [{ text: 'hello', seq: 1 }]);
    assert.deepEqual(other, []);
    await bus.close();
  });

  it('stops delivering after unsubscribe, and a second unsubscribe is harmless', async () => {
    const bus = new MemoryBus();
    const received: unknown[] = [];
    const handler = (event: unknown) => received.push(event);
    const unsubscribe = await bus.subscribe('presence', handler);
    const stillSubscribed = await bus.subscribe('presence', handler);
    await bus.publish('presence', 1);
    await unsubscribe();
    await unsubscribe();
    await bus.publish('presence', 2);
    // The same function subscribed twice is two subscriptions; one remains.
    assert.deepEqual(received, [1, 1, 2]);
    await stillSubscribed();
    await bus.publish('presence', 3);
    assert.deepEqual(received, [1, 1, 2]);
    await bus.close();
  });

  it('isolates a throwing or rejecting handler and reports it to onError', async () => {
    const errors: { error: unknown; context: BusErrorContext }[] = [];
    const bus = new MemoryBus({ onError: (error, context) => errors.push({ error, context }) });
    const received: unknown[] = [];
    await bus.subscribe('mail', () => {
      throw new Error('boom');
    });
    // The very misuse under test: an async handler whose promise nobody awaits.
    // eslint-disable-next-line @typescript-eslint/no-misused-promises
    await bus.subscribe('mail', async () => {
      throw new Error('async boom');
    });
    await bus.subscribe('mail', (event) => received.push(event));
    await bus.publish('mail', 'arrived');
    await bus.publish('mail', 'arrived again');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(received, ['arrived', 'arrived again']);
    assert.equal(errors.length, 4);
    assert.deepEqual(errors.map((entry) => [(entry.error as Error).message, entry.context]).sort(), [
      ['async boom', { kind: 'handler', channel: 'mail' }],
      ['async boom', { kind: 'handler', channel: 'mail' }],
      ['boom', { kind: 'handler', channel: 'mail' }],
      ['boom', { kind: 'handler', channel: 'mail' }],
    ]);
    await bus.close();
  });

  it('hands handlers a frozen copy, so neither publisher nor other handlers see a change', async () => {
    const bus = new MemoryBus({ onError: () => undefined });
    const published = { members: [1, 2] };
    const seen: unknown[] = [];
    await bus.subscribe('c', (event) => {
      (event as { members: number[] }).members.push(3);
    });
    await bus.subscribe('c', (event) => seen.push(event));
    await bus.publish('c', published);
    assert.deepEqual(seen, [{ members: [1, 2] }]);
    assert.notEqual(seen[0], published);
    await bus.close();
  });

  it('keeps publish order when a handler publishes on the same channel', async () => {
    const bus = new MemoryBus();
    const order: string[] = [];
    await bus.subscribe('c', (event) => {
      if (event === 'first') void bus.publish('c', 'second');
    });
    await bus.subscribe('c', (event) => order.push(event as string));
    await bus.publish('c', 'first');
    assert.deepEqual(order, ['first', 'second']);
    await bus.close();
  });

  it('refuses an event that could not cross to another node', async () => {
    const bus = new MemoryBus();
    await assert.rejects(bus.publish('c', undefined), TypeError);
    await assert.rejects(bus.publish('c', { big: 1n }), TypeError);
    await bus.close();
  });

  it('refuses publish and subscribe after close', async () => {
    const bus = new MemoryBus();
    await bus.close();
    await assert.rejects(bus.publish('c', 1), /closed/);
    await assert.rejects(
      bus.subscribe('c', () => undefined),
      /closed/,
    );
  });
});
