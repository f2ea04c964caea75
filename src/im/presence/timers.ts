/**
 * Time as presence sees it: the wall clock and one-shot timers. Injected so
 * tests run auto-away, grace periods and heartbeats on a clock they move by
 * hand instead of waiting minutes.
 */
export interface Timers {
  now(): number;
  /** Runs fn once after ms; the returned function cancels it and is safe to call twice. */
  after(ms: number, fn: () => void): () => void;
}

/** The real clock. Timers are unref'd: presence alone never keeps the process alive. */
export const realTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
