import {
  decodeEvent,
  encodeEvent,
  type BusErrorHandler,
  type EventBus,
  type EventHandler,
  type Unsubscribe,
} from './event-bus.ts';
import { Subscriptions } from './subscriptions.ts';

export interface MemoryBusOptions {
  onError?: BusErrorHandler;
}

/**
 * The bus of a single node. An event published outside any handler is
 * delivered before publish resolves; one published from inside a handler is
 * queued behind the event being delivered, so every subscriber sees a
 * channel's events in publish order, as with Redis.
 */
export class MemoryBus implements EventBus {
  readonly #subscriptions = new Subscriptions();
  readonly #queue: { channel: string; text: string }[] = [];
  readonly #onError: BusErrorHandler | undefined;
  #delivering = false;
  #closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.#onError = options.onError;
  }

  async publish(channel: string, event: unknown): Promise<void> {
    this.#checkOpen();
    this.#queue.push({ channel, text: encodeEvent(event) });
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        if (!this.#subscriptions.has(next.channel)) continue;
        this.#subscriptions.deliver(next.channel, decodeEvent(next.text), this.#onError);
      }
    } finally {
      this.#delivering = false;
    }
  }

  async subscribe(channel: string, handler: EventHandler): Promise<Unsubscribe> {
    this.#checkOpen();
    const subscription = this.#subscriptions.add(channel, handler);
    return async () => {
      this.#subscriptions.remove(subscription);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    this.#subscriptions.clear();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the event bus is closed');
  }
}
