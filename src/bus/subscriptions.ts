import type { BusErrorHandler, EventHandler } from './event-bus.ts';

export interface Subscription {
  readonly channel: string;
  readonly handler: EventHandler;
  active: boolean;
}

/**
 * The handlers of each channel. One entry per subscribe call, so the same
 * function subscribed twice is called twice and unsubscribing one leaves the
 * other in place.
 */
export class Subscriptions {
  readonly #channels = new Map<string, Set<Subscription>>();

  add(channel: string, handler: EventHandler): Subscription {
    const subscription: Subscription = { channel, handler, active: true };
    let set = this.#channels.get(channel);
    if (!set) {
      set = new Set();
      this.#channels.set(channel, set);
    }
    set.add(subscription);
    return subscription;
  }

  /** Returns false when the subscription had already ended. */
  remove(subscription: Subscription): boolean {
    if (!subscription.active) return false;
    subscription.active = false;
    const set = this.#channels.get(subscription.channel);
    set?.delete(subscription);
    if (set?.size === 0) this.#channels.delete(subscription.channel);
    return true;
  }

  has(channel: string): boolean {
    return this.#channels.has(channel);
  }

  /**
   * Calls each handler of the channel in turn; one that throws or rejects
   * does not stop the rest. Works on a snapshot, so a handler subscribed
   * during delivery does not get this event, and one unsubscribed during
   * delivery is skipped.
   */
  deliver(channel: string, event: unknown, onError: BusErrorHandler | undefined): void {
    const set = this.#channels.get(channel);
    if (!set) return;
    const report = (error: unknown) => onError?.(error, { kind: 'handler', channel });
    for (const subscription of [...set]) {
      if (!subscription.active) continue;
      try {
        // An async handler still satisfies the `void` type; its rejection must not float.
        const result: unknown = subscription.handler(event);
        if (result instanceof Promise) result.catch(report);
      } catch (error) {
        report(error);
      }
    }
  }

  clear(): void {
    for (const set of this.#channels.values()) for (const subscription of set) subscription.active = false;
    this.#channels.clear();
  }
}
