import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventBus, MemoryBus, RedisBus } from './index.ts';

const REDIS_URL = process.env.COO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('createEventBus', () => {
  it('gives the in-process bus when no Redis URL is configured', async () => {
    const bus = await createEventBus({});
    assert.ok(bus instanceof MemoryBus);
    await bus.close();
  });

  it('gives a connected Redis bus when a Redis URL is configured', async () => {
    const bus = await createEventBus({ redisUrl: REDIS_URL, namespace: `coo-test-${process.pid}` });
    assert.ok(bus instanceof RedisBus);
    await bus.close();
  });
});
