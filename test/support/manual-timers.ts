import type { Timers } from '../../src/im/presence/timers.ts';

/**
 * A clock the test moves by hand: `advance(ms)` runs every timer that falls
 * due, in time order, with `now()` set to each timer's due time.
 */
export class ManualTimers implements Timers {
  #now: number;
  #nextId = 0;
  readonly #pending = new Map<number, { at: number; fn: () => void }>();

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, fn: () => void): () => void {
    const id = this.#nextId++;
    this.#pending.set(id, { at: this.#now + Math.max(0, ms), fn });
    return () => {
      this.#pending.delete(id);
    };
  }

  /** Moves the clock forward, running what falls due (timers set meanwhile included). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#pending) {
        if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.#pending.delete(due[0]);
      this.#now = due[1].at;
      due[1].fn();
    }
    this.#now = end;
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.#pending.size;
  }
}
