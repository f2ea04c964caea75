import type { TypingEvent } from '../../../../src/protocol/im/conversations.ts';
import { createStore, type Store } from '../../lib/store.ts';

/** How long a typing indicator shows after the last `typing` (docs: about 5 s). */
export const TYPING_SHOWN_MS = 5_000;
/** Our own `typing` is sent at most this often (the server relays one per 3 s anyway). */
export const TYPING_SEND_MS = 3_000;

/**
 * Who is typing where: shown for TYPING_SHOWN_MS after each `typing` event,
 * or until that person's message arrives; and the throttle on our own.
 */
export class TypingTracker {
  /** conversation id → user id → until when they are shown typing. */
  readonly store: Store<Record<number, Record<number, number>>> = createStore({});
  readonly #now: () => number;
  readonly #lastSent = new Map<number, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  seen(event: TypingEvent): void {
    this.store.set((all) => ({
      ...all,
      [event.conversationId]: { ...all[event.conversationId], [event.userId]: this.#now() + TYPING_SHOWN_MS },
    }));
    this.#schedulePrune();
  }

  /** Their message came: they are no longer typing it. */
  clear(conversationId: number, userId: number): void {
    const current = this.store.get()[conversationId];
    if (!current || !(userId in current)) return;
    const rest = { ...current };
    delete rest[userId];
    this.store.set((all) => ({ ...all, [conversationId]: rest }));
  }

  /** Whether our own `typing` may go now (and counts it as sent). */
  maySend(conversationId: number): boolean {
    const now = this.#now();
    if (now - (this.#lastSent.get(conversationId) ?? -Infinity) < TYPING_SEND_MS) return false;
    this.#lastSent.set(conversationId, now);
    return true;
  }

  /** After sending a message, typing again is news at once. */
  resetOwn(conversationId: number): void {
    this.#lastSent.delete(conversationId);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedulePrune(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = this.#now();
      let left = false;
      const next: Record<number, Record<number, number>> = {};
      for (const [conversationId, users] of Object.entries(this.store.get())) {
        const kept = Object.fromEntries(Object.entries(users).filter(([, until]) => until > now));
        if (Object.keys(kept).length > 0) {
          next[Number(conversationId)] = kept;
          left = true;
        }
      }
      this.store.set(next);
      if (left) this.#schedulePrune();
    }, 1000);
  }
}
