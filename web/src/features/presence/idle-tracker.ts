/**
 * Auto-away, the client's half (docs/protocol/presence.md, "Auto-away"): the
 * user is idle after `thresholdMs` without input, and the server is told on
 * transitions only — once with the idle time so far when that happens, and
 * `0` at the next input. The server counts its own limit from when the
 * idleness began, so this threshold does not add to the admin's.
 *
 * DOM-free: the page feeds it `input()` (keys, pointer, wheel, touch, the
 * page becoming visible again); a hidden page gets no input, so it turns idle
 * like an untouched one.
 */
export interface IdleClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface IdleTrackerOptions {
  /** Called with the idle seconds so far when the user turns idle, and 0 when they are back. */
  report: (idleSeconds: number) => void;
  thresholdMs?: number;
  clock?: IdleClock;
}

export const IDLE_THRESHOLD_MS = 60_000;

const systemClock: IdleClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class IdleTracker {
  readonly #report: (idleSeconds: number) => void;
  readonly #thresholdMs: number;
  readonly #clock: IdleClock;
  #lastInput: number;
  #idle = false;
  #timer: unknown;

  constructor(options: IdleTrackerOptions) {
    this.#report = options.report;
    this.#thresholdMs = options.thresholdMs ?? IDLE_THRESHOLD_MS;
    this.#clock = options.clock ?? systemClock;
    this.#lastInput = this.#clock.now();
    this.#arm(this.#thresholdMs);
  }

  /** The user did something. Cheap enough for every pointer move: no timer is touched while active. */
  input(): void {
    this.#lastInput = this.#clock.now();
    if (!this.#idle) return;
    this.#idle = false;
    this.#report(0);
    this.#arm(this.#thresholdMs);
  }

  get idle(): boolean {
    return this.#idle;
  }

  /** 0 while active; else whole seconds since the last input (what a reconnect re-reports). */
  idleSeconds(): number {
    return this.#idle ? Math.floor((this.#clock.now() - this.#lastInput) / 1000) : 0;
  }

  stop(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(ms: number): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.#check(), ms);
  }

  #check(): void {
    this.#timer = undefined;
    const quiet = this.#clock.now() - this.#lastInput;
    if (quiet < this.#thresholdMs) {
      this.#arm(this.#thresholdMs - quiet);
      return;
    }
    this.#idle = true;
    this.#report(Math.floor(quiet / 1000));
  }
}
