import type { PresenceState } from '../../../../src/protocol/im/frames.ts';
import type { PresenceEntry, PresenceSnapshot } from '../../../../src/protocol/im/presence.ts';
import { PRESENCE_WATCH_MAX } from '../../../../src/protocol/im/presence.ts';

/**
 * The presence of every person the client shows, kept live over one
 * connection (docs/protocol/presence.md). Components retain the people they
 * show and release them when they go; the registry counts references and
 * turns the changes into few frames:
 *
 * - people retained within `watchDelayMs` of each other are watched with one
 *   `presence.watch` (at most PRESENCE_WATCH_MAX ids a frame);
 * - a person nobody retains any more is unwatched only after `unwatchDelayMs`,
 *   so scrolling a list or going back and forth between units does not churn,
 *   and everyone due by then goes in one `presence.unwatch`;
 * - the server drops watch lists with the connection: after a reconnect
 *   everyone still retained is watched again, and the snapshot brings them up
 *   to date.
 *
 * DOM-free, so it is tested with a fake transport and a fake clock.
 */
export interface Presence {
  state: PresenceState;
  /** The status text; empty when there is none. */
  text: string;
}

export const OFFLINE: Presence = Object.freeze({ state: 'offline', text: '' });

/** What the registry needs of the connection. */
export interface PresenceTransport {
  request<T>(t: string, body: Record<string, unknown>): Promise<T>;
  /** Calls `handler` with the entries of each `presence` delta; returns the unsubscribe function. */
  onDelta(handler: (entries: PresenceEntry[]) => void): () => void;
  isOnline(): boolean;
  /** Calls `handler` whenever the connection's status changes. */
  onStatus(handler: () => void): () => void;
}

export interface RegistryClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface PresenceRegistryOptions {
  transport: PresenceTransport;
  clock?: RegistryClock;
  watchDelayMs?: number;
  unwatchDelayMs?: number;
  /** Ids per watch or unwatch frame (the protocol's limit by default). */
  maxPerFrame?: number;
}

/** A person as directory answers carry them: id, state and text. */
export interface PersonPresence {
  id: number;
  state: PresenceState;
  text: string;
}

const systemClock: RegistryClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class PresenceRegistry {
  readonly #transport: PresenceTransport;
  readonly #clock: RegistryClock;
  readonly #watchDelayMs: number;
  readonly #unwatchDelayMs: number;
  readonly #maxPerFrame: number;
  /** How many holders want each person. */
  readonly #refs = new Map<number, number>();
  /** Who the server watches for this connection, as of the frames sent so far. */
  readonly #watched = new Set<number>();
  /** Watched people nobody holds any more, with the time they were let go. */
  readonly #released = new Map<number, number>();
  readonly #values = new Map<number, Presence>();
  readonly #listeners = new Map<number, Set<() => void>>();
  readonly #anyListeners = new Set<() => void>();
  /** Counts frames sent, so an answer can tell whether an unwatch went out after its request. */
  #frameSeq = 0;
  readonly #unwatchedAt = new Map<number, number>();
  #timer: unknown;
  #timerAt = Infinity;
  #online: boolean;
  #version = 0;
  readonly #unsubscribe: Array<() => void>;

  constructor(options: PresenceRegistryOptions) {
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#watchDelayMs = options.watchDelayMs ?? 20;
    this.#unwatchDelayMs = options.unwatchDelayMs ?? 3000;
    this.#maxPerFrame = options.maxPerFrame ?? PRESENCE_WATCH_MAX;
    this.#online = this.#transport.isOnline();
    this.#unsubscribe = [
      this.#transport.onDelta((entries) => this.#apply(entries)),
      this.#transport.onStatus(() => this.#statusChanged()),
    ];
  }

  /** Adds one reference to each person; those new to the registry are watched shortly. */
  retain(userIds: Iterable<number>): void {
    let needsWatch = false;
    for (const id of userIds) {
      const count = this.#refs.get(id) ?? 0;
      this.#refs.set(id, count + 1);
      if (count > 0) continue;
      this.#released.delete(id);
      if (!this.#watched.has(id)) needsWatch = true;
    }
    if (needsWatch) this.#schedule(this.#watchDelayMs);
  }

  /** Drops one reference to each person; nobody's people are unwatched after the delay. */
  release(userIds: Iterable<number>): void {
    const now = this.#clock.now();
    let needsUnwatch = false;
    for (const id of userIds) {
      const count = this.#refs.get(id);
      if (count === undefined) continue;
      if (count > 1) {
        this.#refs.set(id, count - 1);
        continue;
      }
      this.#refs.delete(id);
      if (this.#watched.has(id)) {
        this.#released.set(id, now);
        needsUnwatch = true;
      }
    }
    if (needsUnwatch) this.#schedule(this.#unwatchDelayMs);
  }

  /** The person's last known presence; undefined when never seen. */
  get(userId: number): Presence | undefined {
    return this.#values.get(userId);
  }

  /** Calls `listener` when that person's presence changes. */
  subscribe(userId: number, listener: () => void): () => void {
    let set = this.#listeners.get(userId);
    if (!set) {
      set = new Set();
      this.#listeners.set(userId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(userId);
    };
  }

  /** Calls `listener` once per batch of changes to anyone; `version` counts the batches. */
  subscribeAll(listener: () => void): () => void {
    this.#anyListeners.add(listener);
    return () => this.#anyListeners.delete(listener);
  }

  get version(): number {
    return this.#version;
  }

  /** People as a fresh answer carries them (search results, a profile): newer than what we had. */
  seed(people: Iterable<PersonPresence>): void {
    this.#setMany(Array.from(people, (person) => [person.id, person.state, person.text] as PresenceEntry));
  }

  /** A marker taken before sending a request that watches people on the server's side. */
  mark(): number {
    return this.#frameSeq;
  }

  /**
   * People a request watched on the server (`directory.unit` with `watch`),
   * with their presence. Those nobody retains are unwatched after the delay,
   * like anyone released; those unwatched since `mark` are not counted as
   * watched, since the unwatch reached the server after the request did.
   */
  adopt(people: Iterable<PersonPresence>, mark: number): void {
    const list = [...people];
    this.seed(list);
    if (!this.#online) return;
    const now = this.#clock.now();
    let needsUnwatch = false;
    for (const { id } of list) {
      if ((this.#unwatchedAt.get(id) ?? -1) >= mark) continue;
      this.#watched.add(id);
      if (!this.#refs.has(id) && !this.#released.has(id)) {
        this.#released.set(id, now);
        needsUnwatch = true;
      }
    }
    if (needsUnwatch) this.#schedule(this.#unwatchDelayMs);
  }

  /** Sends what is due now instead of waiting for the timer. */
  flush(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
    if (!this.#online) return;
    const now = this.#clock.now();
    const unwatch: number[] = [];
    let nextUnwatch = Infinity;
    for (const [id, at] of this.#released) {
      const due = at + this.#unwatchDelayMs;
      if (due <= now) unwatch.push(id);
      else nextUnwatch = Math.min(nextUnwatch, due);
    }
    // Unwatch first: it makes room under the server's limit for who comes next.
    if (unwatch.length > 0) this.#sendUnwatch(unwatch);
    const watch = [...this.#refs.keys()].filter((id) => !this.#watched.has(id));
    if (watch.length > 0) this.#sendWatch(watch);
    if (nextUnwatch < Infinity) this.#schedule(nextUnwatch - now);
  }

  /** Stops listening to the connection (the session ended). */
  dispose(): void {
    this.#clock.clearTimeout(this.#timer);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
  }

  /** For tests and diagnostics: how many people the server watches for us, as far as we know. */
  get watchedCount(): number {
    return this.#watched.size;
  }

  refCount(userId: number): number {
    return this.#refs.get(userId) ?? 0;
  }

  #schedule(delayMs: number): void {
    const at = this.#clock.now() + Math.max(0, delayMs);
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.flush();
    }, delayMs);
  }

  #sendUnwatch(ids: number[]): void {
    const forgotten: PresenceEntry[] = [];
    for (const id of ids) {
      this.#released.delete(id);
      this.#watched.delete(id);
      this.#unwatchedAt.set(id, this.#frameSeq);
      // Nobody shows them and no change will come: a stale value must not be shown later.
      if (this.#values.delete(id)) forgotten.push([id, 'offline']);
    }
    for (const chunk of chunks(ids, this.#maxPerFrame)) {
      this.#frameSeq++;
      this.#transport.request('presence.unwatch', { users: chunk }).catch(() => undefined);
    }
    if (forgotten.length > 0) this.#notify(forgotten.map(([id]) => id));
  }

  #sendWatch(ids: number[]): void {
    for (const id of ids) this.#watched.add(id);
    for (const chunk of chunks(ids, this.#maxPerFrame)) {
      this.#frameSeq++;
      this.#transport
        .request<PresenceSnapshot>('presence.watch', { users: chunk })
        .then((snapshot) => {
          // An answer for someone unwatched meanwhile would be a value nobody keeps up to date.
          this.#setMany(snapshot.users.filter(([id]) => this.#watched.has(id)));
        })
        // Refused (the watch limit) or lost with the connection, which watches everyone again.
        .catch(() => undefined);
    }
  }

  #statusChanged(): void {
    const online = this.#transport.isOnline();
    if (online === this.#online) return;
    this.#online = online;
    // The server's watch list went with the old connection.
    this.#watched.clear();
    this.#unwatchedAt.clear();
    const forgotten = [...this.#released.keys()];
    this.#released.clear();
    for (const id of forgotten) this.#values.delete(id);
    if (forgotten.length > 0) this.#notify(forgotten);
    if (online) this.flush();
  }

  #apply(entries: PresenceEntry[]): void {
    this.#setMany(entries);
  }

  #setMany(entries: PresenceEntry[]): void {
    const changed: number[] = [];
    for (const [id, state, text = ''] of entries) {
      const previous = this.#values.get(id);
      if (previous && previous.state === state && previous.text === text) continue;
      this.#values.set(id, { state, text });
      changed.push(id);
    }
    if (changed.length > 0) this.#notify(changed);
  }

  #notify(ids: number[]): void {
    this.#version++;
    for (const id of ids) {
      const set = this.#listeners.get(id);
      if (set) for (const listener of [...set]) listener();
    }
    for (const listener of [...this.#anyListeners]) listener();
  }
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let start = 0; start < items.length; start += size) yield items.slice(start, start + size);
}
