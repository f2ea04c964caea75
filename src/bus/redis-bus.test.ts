import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { isCooError } from '../errors.ts';
import type { BusErrorContext, EventBus } from './event-bus.ts';
import { RedisBus } from './redis-bus.ts';

/** The Redis server the suite runs against; the suite fails when it is not running. */
const REDIS_URL = process.env.COO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const open: EventBus[] = [];

function uniqueNamespace(): string {
  return `coo-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function connect(namespace: string, onError?: (error: unknown, context: BusErrorContext) => void) {
  const bus = await RedisBus.connect({ url: REDIS_URL, namespace, onError });
  open.push(bus);
  return bus;
}

/** Resolves when the condition holds; Redis delivers asynchronously, after publish resolves. */
async function eventually(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

after(async () => {
  await Promise.all(open.map((bus) => bus.close()));
});

describe('RedisBus', () => {
  it('delivers an event published on one instance to subscribers of another', async () => {
    const namespace = uniqueNamespace();
    const publisher = await connect(namespace);
    const subscriber = await connect(namespace);
    const received: unknown[] = [];
    await subscriber.subscribe('conversation:7', (event) => received.push(event));
    await publisher.publish('conversation:7', { seq: 1, text: 'hi' });
    await publisher.publish('conversation:7', { seq: 2, text: 'there' });
    await eventually(() => received.length === 2, 'two events');
    assert.deepEqual(received, [
      { seq: 1, text: 'hi' },
      { seq: 2, text: 'there' },
    ]);
  });

  it('stops delivering after unsubscribe, while other subscribers of the channel still receive', async () => {
    const namespace = uniqueNamespace();
    const publisher = await connect(namespace);
    const subscriber = await connect(namespace);
    const dropped: unknown[] = [];
    const kept: unknown[] = [];
    const unsubscribe = await subscriber.subscribe('presence', (event) => dropped.push(event));
    await subscriber.subscribe('presence', (event) => kept.push(event));
    await publisher.publish('presence', 1);
    await eventually(() => dropped.length === 1 && kept.length === 1, 'the first event');
    await unsubscribe();
    await publisher.publish('presence', 2);
    await eventually(() => kept.length === 2, 'the second event');
    assert.deepEqual(dropped, [1]);
  });

  it('unsubscribing the last handler ends the Redis subscription', async () => {
    const namespace = uniqueNamespace();
    const bus = await connect(namespace);
    const unsubscribe = await bus.subscribe('gone', () => undefined);
    const control = new Redis(REDIS_URL);
    try {
      assert.deepEqual(await control.pubsub('CHANNELS', `${namespace}:*`), [`${namespace}:gone`]);
      await unsubscribe();
      assert.deepEqual(await control.pubsub('CHANNELS', `${namespace}:*`), []);
    } finally {
      await control.quit();
    }
  });

  it('keeps namespaces apart on a shared Redis', async () => {
    const blue = uniqueNamespace();
    const green = uniqueNamespace();
    const bluePublisher = await connect(blue);
    const greenPublisher = await connect(green);
    const blueSubscriber = await connect(blue);
    const greenSubscriber = await connect(green);
    const blueEvents: unknown[] = [];
    const greenEvents: unknown[] = [];
    await blueSubscriber.subscribe('mail', (event) => blueEvents.push(event));
    await greenSubscriber.subscribe('mail', (event) => greenEvents.push(event));
    await bluePublisher.publish('mail', 'for blue');
    // Redis pushes a PUBLISH to subscribers before answering it, so green's own
    // event, published later, arrives after anything blue's could have leaked.
    await greenPublisher.publish('mail', 'for green');
    await eventually(() => blueEvents.length === 1 && greenEvents.length === 1, 'one event each');
    assert.deepEqual(blueEvents, ['for blue']);
    assert.deepEqual(greenEvents, ['for green']);
  });

  it('refuses a namespace that could overlap another', async () => {
    await assert.rejects(RedisBus.connect({ url: REDIS_URL, namespace: 'a:b' }), { code: 'CONFIG_INVALID' });
  });

  it('isolates a throwing handler and drops an undecodable message, reporting both', async () => {
    const namespace = uniqueNamespace();
    const errors: BusErrorContext[] = [];
    const bus = await connect(namespace, (_error, context) => errors.push(context));
    const received: unknown[] = [];
    await bus.subscribe('c', () => {
      throw new Error('boom');
    });
    await bus.subscribe('c', (event) => received.push(event));
    const control = new Redis(REDIS_URL);
    try {
      await control.publish(`${namespace}:c`, 'not json');
    } finally {
      await control.quit();
    }
    await bus.publish('c', 'fine');
    await eventually(() => received.length === 1, 'the valid event');
    assert.deepEqual(received, ['fine']);
    assert.deepEqual(errors, [
      { kind: 'decode', channel: 'c' },
      { kind: 'handler', channel: 'c' },
    ]);
  });

  it('reconnects and subscribes again after its connections are killed', async () => {
    const namespace = uniqueNamespace();
    const bus = await connect(namespace, () => undefined);
    const received: unknown[] = [];
    await bus.subscribe('c', (event) => received.push(event));
    const control = new Redis(REDIS_URL);
    try {
      const clients = (await control.client('LIST')) as string;
      const ids = clients
        .split('\n')
        .filter((line) => line.includes(` name=coo-bus:${namespace}:`))
        .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
      assert.equal(ids.length, 2);
      for (const id of ids) await control.client('KILL', 'ID', id ?? '');
    } finally {
      await control.quit();
    }
    // Events published while the subscriber is away are lost by design; keep
    // publishing until one arrives over the new connections.
    const deadline = Date.now() + 10_000;
    for (let sent = 1; received.length === 0; sent++) {
      assert.ok(Date.now() < deadline, 'no event arrived within 10 s of the connections being killed');
      await bus.publish('c', sent);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('fails with BUS_UNAVAILABLE naming the URL, without its password, when Redis cannot be reached', async () => {
    const error: unknown = await RedisBus.connect({ url: 'redis://:secret@127.0.0.1:1' }).catch(
      (caught: unknown) => caught,
    );
    assert.ok(isCooError(error), String(error));
    assert.equal(error.code, 'BUS_UNAVAILABLE');
    assert.match(error.message, /redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    assert.doesNotMatch(error.message, /secret/);
  });

  it('close() ends its connections, so the process can exit', async () => {
    const moduleUrl = pathToFileURL(new URL('./redis-bus.ts', import.meta.url).pathname).href;
    const script = `
      import { RedisBus } from ${JSON.stringify(moduleUrl)};
      const bus = await RedisBus.connect({ url: ${JSON.stringify(REDIS_URL)}, namespace: 'coo-exit-test' });
      await bus.subscribe('c', () => {});
      await bus.publish('c', 1);
      await bus.close();
    `;
    const run = promisify(execFile);
    // A connection left open keeps the child alive until the timeout kills it.
    await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
  });
});
