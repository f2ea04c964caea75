import { Redis } from 'ioredis';
import { CooError } from '../errors.ts';
import {
  decodeEvent,
  encodeEvent,
  type BusErrorHandler,
  type EventBus,
  type EventHandler,
  type Unsubscribe,
} from './event-bus.ts';
import { Subscriptions } from './subscriptions.ts';

export const DEFAULT_NAMESPACE = 'coo';

// No ':' in a namespace, so "a" + "b:c" and "a:b" + "c" cannot name the same Redis channel.
const NAMESPACE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

// A command waits in ioredis' offline queue through this many reconnect
// attempts, then fails: a blip is absorbed, an outage does not hold senders
// for long. Delivery over the bus is live only; clients catch up from the store.
const MAX_RETRIES_PER_REQUEST = 3;

export interface RedisBusOptions {
  url: string;
  /** Prefix of every channel, so several deployments can share one Redis. */
  namespace?: string;
  onError?: BusErrorHandler;
}

type Role = 'publisher' | 'subscriber';

/**
 * The bus of several nodes: Redis pub/sub, one connection to publish and one
 * to subscribe (a subscribed connection may send nothing else). Connections
 * that drop are reopened forever, and ioredis subscribes the channels again;
 * events published while a node was cut off are not replayed to it.
 */
export class RedisBus implements EventBus {
  readonly #subscriptions = new Subscriptions();
  /** Channels subscribed at Redis; differs from #subscriptions only while a change is on its way. */
  readonly #redisChannels = new Set<string>();
  readonly #prefix: string;
  readonly #onError: BusErrorHandler | undefined;
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  /** Subscription changes go to Redis one at a time, so a fast unsubscribe-subscribe cannot reorder. */
  #changes: Promise<void> = Promise.resolve();
  #state: 'connecting' | 'open' | 'closed' = 'connecting';

  /** Connects both connections; fails with BUS_UNAVAILABLE when Redis cannot be reached. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const bus = new RedisBus(options);
    await bus.#open(options.url);
    return bus;
  }

  private constructor(options: RedisBusOptions) {
    const namespace = options.namespace ?? DEFAULT_NAMESPACE;
    if (!NAMESPACE_PATTERN.test(namespace)) {
      throw new CooError(
        'CONFIG_INVALID',
        `bus namespace "${namespace}" must be 1-64 letters, digits, "_", "." or "-"`,
      );
    }
    this.#prefix = `${namespace}:`;
    this.#onError = options.onError;
    this.#publisher = this.#createClient(options.url, namespace, 'publisher');
    this.#subscriber = this.#createClient(options.url, namespace, 'subscriber');
    this.#subscriber.on('message', (key, text) => this.#receive(key, text));
  }

  async publish(channel: string, event: unknown): Promise<void> {
    this.#checkOpen();
    await this.#publisher.publish(this.#prefix + channel, encodeEvent(event));
  }

  async subscribe(channel: string, handler: EventHandler): Promise<Unsubscribe> {
    this.#checkOpen();
    const subscription = this.#subscriptions.add(channel, handler);
    try {
      await this.#applyChange(channel);
    } catch (error) {
      this.#subscriptions.remove(subscription);
      throw error;
    }
    return async () => {
      if (!this.#subscriptions.remove(subscription) || this.#state === 'closed') return;
      // The handler is gone locally whatever Redis says; a failed UNSUBSCRIBE
      // only leaves a channel whose events are dropped on arrival.
      await this.#applyChange(channel).catch((error: unknown) =>
        this.#onError?.(error, { kind: 'connection', connection: 'subscriber' }),
      );
    };
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#subscriptions.clear();
    await this.#changes;
    await Promise.all([closeClient(this.#publisher), closeClient(this.#subscriber)]);
  }

  async #open(url: string): Promise<void> {
    let lastError: unknown;
    const remember = (error: unknown) => {
      lastError = error;
    };
    this.#publisher.on('error', remember);
    this.#subscriber.on('error', remember);
    try {
      await Promise.all([this.#publisher.connect(), this.#subscriber.connect()]);
      this.#state = 'open';
    } catch (error) {
      this.#state = 'closed';
      this.#publisher.disconnect();
      this.#subscriber.disconnect();
      const reason = lastError ?? error;
      const message = reason instanceof Error ? reason.message : String(reason);
      throw new CooError('BUS_UNAVAILABLE', `Redis is not reachable at ${redactUrl(url)}: ${message}`);
    } finally {
      this.#publisher.off('error', remember);
      this.#subscriber.off('error', remember);
    }
  }

  #createClient(url: string, namespace: string, role: Role): Redis {
    const client = new Redis(url, {
      lazyConnect: true,
      connectionName: `coo-bus:${namespace}:${role}`,
      maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
    });
    // Without a listener ioredis prints every connection error to the console.
    // While connecting, #open reports the failure itself, once.
    client.on('error', (error: unknown) => {
      if (this.#state === 'open') this.#onError?.(error, { kind: 'connection', connection: role });
    });
    return client;
  }

  /** Brings the Redis subscription of one channel in line with its local handlers. */
  #applyChange(channel: string): Promise<void> {
    const change = this.#changes.then(async () => {
      const wanted = this.#subscriptions.has(channel) && this.#state === 'open';
      if (wanted && !this.#redisChannels.has(channel)) {
        await this.#subscriber.subscribe(this.#prefix + channel);
        this.#redisChannels.add(channel);
      } else if (!wanted && this.#redisChannels.has(channel)) {
        this.#redisChannels.delete(channel);
        await this.#subscriber.unsubscribe(this.#prefix + channel);
      }
    });
    this.#changes = change.catch(() => undefined);
    return change;
  }

  #receive(key: string, text: string): void {
    if (!key.startsWith(this.#prefix)) return;
    const channel = key.slice(this.#prefix.length);
    if (!this.#subscriptions.has(channel)) return;
    let event: unknown;
    try {
      event = decodeEvent(text);
    } catch (error) {
      // Someone else's publisher shares the namespace; drop the message, keep the connection.
      this.#onError?.(error, { kind: 'decode', channel });
      return;
    }
    this.#subscriptions.deliver(channel, event, this.#onError);
  }

  #checkOpen(): void {
    if (this.#state !== 'open') throw new Error('the event bus is closed');
  }
}

/** QUIT when connected, so replies still on their way arrive; otherwise just drop the socket. */
async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // The connection broke under QUIT; disconnect below.
    }
  }
  client.disconnect();
}

/** The URL as it may appear in a message: without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(malformed Redis URL)';
  }
}
