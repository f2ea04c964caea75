import type { PolicySnapshot } from './policy-snapshot.ts';

export interface PolicyCacheOptions {
  /**
   * After this long a snapshot is refreshed in the background while it keeps
   * answering: changes made by another process (the CLI, another node) show
   * within about this time.
   */
  ttlMs?: number;
  /** Past this age the refresh is awaited, so a database that stays down is an error, not old answers. */
  maxStaleMs?: number;
  /** An id the snapshot does not know (a user just created elsewhere) reloads it at most this often. */
  unknownReloadMs?: number;
  now?: () => number;
}

export const DEFAULT_TTL_MS = 5_000;

/**
 * Holds the current PolicySnapshot. `invalidate()` (called by every admin
 * path of this process after its commit) makes the next question wait for a
 * fresh load; age alone makes a background refresh. Loads never overlap: one
 * in flight is shared by every caller that needs it.
 */
export class PolicyCache {
  readonly #load: () => Promise<PolicySnapshot>;
  readonly #ttlMs: number;
  readonly #maxStaleMs: number;
  readonly #unknownReloadMs: number;
  readonly #now: () => number;
  #generation = 0;
  #snapshot: PolicySnapshot | undefined;
  #loading: { generation: number; promise: Promise<PolicySnapshot> } | undefined;
  /** When an unknown id last caused a reload (not the snapshot's age: a user created a moment after a load must be found). */
  #unknownReloadAt = Number.NEGATIVE_INFINITY;

  constructor(load: () => Promise<PolicySnapshot>, options: PolicyCacheOptions = {}) {
    this.#load = load;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#maxStaleMs = options.maxStaleMs ?? this.#ttlMs * 12;
    this.#unknownReloadMs = options.unknownReloadMs ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  invalidate(): void {
    this.#generation += 1;
  }

  /** The snapshot to answer from; waits only when there is none, it was invalidated or it is far too old. */
  async current(): Promise<PolicySnapshot> {
    const snapshot = this.#snapshot;
    if (!snapshot || snapshot.generation !== this.#generation) return this.#reload();
    const age = this.#now() - snapshot.loadedAt;
    if (age >= this.#maxStaleMs) return this.#reload();
    if (age >= this.#ttlMs) {
      // A failed refresh keeps the old snapshot; the next question tries again.
      this.#reload().catch(() => undefined);
    }
    return snapshot;
  }

  /** Like current(), but reloads (at most once per unknownReloadMs) when an id is not in the snapshot. */
  async knowing(ids: Iterable<number>): Promise<PolicySnapshot> {
    const snapshot = await this.current();
    for (const id of ids) {
      if (snapshot.has(id)) continue;
      const now = this.#now();
      if (now - this.#unknownReloadAt < this.#unknownReloadMs) return snapshot;
      this.#unknownReloadAt = now;
      return this.#reload(true);
    }
    return snapshot;
  }

  /** A snapshot loaded after this call began: for admins' explanations, which must not be stale. */
  fresh(): Promise<PolicySnapshot> {
    return this.#reload(true);
  }

  #reload(newLoad = false): Promise<PolicySnapshot> {
    const generation = this.#generation;
    if (this.#loading && this.#loading.generation === generation && !newLoad) return this.#loading.promise;
    const startedAt = this.#now();
    const promise = this.#load().then((snapshot) => {
      snapshot.loadedAt = startedAt;
      snapshot.generation = generation;
      // A slower, older load never replaces a newer one.
      if (!this.#snapshot || this.#snapshot.loadedAt <= startedAt) this.#snapshot = snapshot;
      return snapshot;
    });
    const loading = { generation, promise };
    this.#loading = loading;
    const clear = () => {
      if (this.#loading === loading) this.#loading = undefined;
    };
    void promise.then(clear, clear);
    return promise;
  }
}
