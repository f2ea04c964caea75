/**
 * Lets one typing indicator per user and conversation through per interval.
 * Typing is ephemeral and cheap to drop, so this is a plain per-node map;
 * entries older than the interval are swept as the map grows.
 */
export class TypingLimiter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, number>();
  #sweepAt = 1_000;

  constructor(intervalMs: number, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** True when this user's typing in this conversation may be relayed now. */
  admit(userId: number, conversationId: number): boolean {
    const now = this.#now();
    const key = `${userId}:${conversationId}`;
    const last = this.#last.get(key);
    if (last !== undefined && now - last < this.#intervalMs) return false;
    this.#last.set(key, now);
    if (this.#last.size >= this.#sweepAt) this.#sweep(now);
    return true;
  }

  #sweep(now: number): void {
    for (const [key, at] of this.#last) if (now - at >= this.#intervalMs) this.#last.delete(key);
    // Sweep again when the map has doubled from what is still live.
    this.#sweepAt = Math.max(1_000, this.#last.size * 2);
  }
}
