import type { BusErrorHandler, EventBus } from './event-bus.ts';
import { MemoryBus } from './memory-bus.ts';
import { RedisBus } from './redis-bus.ts';

export type { BusErrorContext, BusErrorHandler, EventBus, EventHandler, Unsubscribe } from './event-bus.ts';
export { MemoryBus } from './memory-bus.ts';
export { RedisBus } from './redis-bus.ts';

export interface EventBusOptions {
  /** Set when several nodes run: they meet on this Redis. Unset: in-process bus. */
  redisUrl?: string;
  /** Channel prefix on Redis, so several deployments can share it; unused in memory. */
  namespace?: string;
  onError?: BusErrorHandler;
}

/** The bus for this node; with a Redis URL it fails with BUS_UNAVAILABLE when Redis cannot be reached. */
export async function createEventBus(options: EventBusOptions): Promise<EventBus> {
  if (options.redisUrl === undefined) return new MemoryBus({ onError: options.onError });
  return RedisBus.connect({ url: options.redisUrl, namespace: options.namespace, onError: options.onError });
}
