import type { Store } from '../store/database.ts';
import { getSetting } from '../store/settings.ts';
import { LIMIT_SETTINGS, type LimitName } from './limit-settings.ts';

/**
 * How long limits read from the settings table are reused. A change through
 * this process (console, REST) applies at once; one made on another node or
 * by `coo settings set` beside a running server within this time.
 */
export const LIMITS_CACHE_MS = 5_000;

type StoredValues = Partial<Record<LimitName, number>>;

/**
 * The limits an administrator set, as the settings table has them, read in
 * one go and reused for LIMITS_CACHE_MS. A stored value the setting would not
 * take (written by hand) counts as unset, as AdminSettings.get shows it.
 */
export class StoredLimits {
  readonly #store: Store;
  readonly #cacheMs: number;
  readonly #now: () => number;
  #values: StoredValues | undefined;
  #readAt = 0;
  #reading: Promise<StoredValues> | undefined;
  /** Counts forget()s: a read begun before one is stale. */
  #generation = 0;

  constructor(store: Store, options: { cacheMs?: number; now?: () => number } = {}) {
    this.#store = store;
    this.#cacheMs = options.cacheMs ?? LIMITS_CACHE_MS;
    this.#now = options.now ?? Date.now;
  }

  read(): Promise<StoredValues> {
    if (this.#values && this.#now() - this.#readAt < this.#cacheMs) return Promise.resolve(this.#values);
    // Sessions starting together share one read.
    this.#reading ??= this.#load(this.#generation);
    return this.#reading;
  }

  /** After a change: the next read goes to the table, not to a read begun before the change. */
  forget(): void {
    this.#generation++;
    this.#values = undefined;
    this.#reading = undefined;
  }

  async #load(generation: number): Promise<StoredValues> {
    const startedAt = this.#now();
    try {
      const entries = await Promise.all(
        LIMIT_SETTINGS.map(async (definition) => {
          const stored = await getSetting<unknown>(this.#store.db, definition.key);
          const parsed = stored === undefined ? undefined : definition.schema.safeParse(stored);
          return [definition.name, parsed?.success ? parsed.data : undefined] as const;
        }),
      );
      const values: StoredValues = {};
      for (const [name, value] of entries) if (typeof value === 'number') values[name] = value;
      // A stale read answers its callers and is not kept.
      if (generation === this.#generation) {
        this.#values = values;
        this.#readAt = startedAt;
      }
      return values;
    } finally {
      if (generation === this.#generation) this.#reading = undefined;
    }
  }
}

const byStore = new WeakMap<Store, StoredLimits>();

/** The one cache of a store, shared by every listener and by AdminSettings, which forgets it on a change. */
export function storedLimitsOf(store: Store): StoredLimits {
  let limits = byStore.get(store);
  if (!limits) {
    limits = new StoredLimits(store);
    byStore.set(store, limits);
  }
  return limits;
}

/** What an enforcement point asks, at each upload, SMTP session or submission. */
export interface LimitReader {
  read(): Promise<number>;
}

/**
 * A limit as it applies now: the administrator's setting when there is one,
 * else `configured()` (coo.toml's value, read at each call).
 */
export function liveLimit(store: Store, name: LimitName, configured: () => number): LimitReader {
  const stored = storedLimitsOf(store);
  return {
    read: async () => (await stored.read())[name] ?? configured(),
  };
}
