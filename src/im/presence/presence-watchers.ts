import type { PresenceDelta, PresenceEntry } from '../../protocol/im/presence.ts';
import type { ImConnection } from '../types.ts';
import type { Timers } from './timers.ts';

/** One connection's watch list and the changes waiting for the next flush. */
export interface Watcher {
  readonly connection: ImConnection;
  readonly watching: Set<number>;
  /** userId → latest entry since the last flush: later changes overwrite earlier ones. */
  readonly pending: Map<number, PresenceEntry>;
}

/** Counters for the benchmark and /metrics. */
export interface PresenceStats {
  /** Changes of anyone's merged presence seen by this node. */
  changes: number;
  /** Delta frames sent to connections, and their size as JSON text in bytes. */
  deltaFrames: number;
  deltaBytes: number;
}

/**
 * Who watches whom, indexed by the watched user, so a change costs one map
 * lookup plus one entry per watcher: never a walk over every connection.
 * Changes wait in each watcher's pending map until the next flush, which
 * sends each dirty connection one frame with the latest value per user.
 */
export class PresenceWatchers {
  readonly #timers: Timers;
  readonly #flushMs: number;
  readonly #byUser = new Map<number, Set<Watcher>>();
  readonly #bySession = new Map<string, Watcher>();
  readonly #dirty = new Set<Watcher>();
  #cancelFlush: (() => void) | undefined;
  readonly stats: PresenceStats = { changes: 0, deltaFrames: 0, deltaBytes: 0 };

  constructor(options: { timers: Timers; flushMs: number }) {
    this.#timers = options.timers;
    this.#flushMs = options.flushMs;
  }

  /** The connection's watcher, made on first use. */
  attach(connection: ImConnection): Watcher {
    let watcher = this.#bySession.get(connection.session.id);
    if (!watcher) {
      watcher = { connection, watching: new Set(), pending: new Map() };
      this.#bySession.set(connection.session.id, watcher);
    }
    return watcher;
  }

  /** Whether this watcher is still the connection's (not closed meanwhile). */
  isAttached(watcher: Watcher): boolean {
    return this.#bySession.get(watcher.connection.session.id) === watcher;
  }

  /** Drops the connection's watch list: it closed. */
  detach(sessionId: string): void {
    const watcher = this.#bySession.get(sessionId);
    if (!watcher) return;
    this.#bySession.delete(sessionId);
    this.remove(watcher, watcher.watching);
    this.#dirty.delete(watcher);
  }

  add(watcher: Watcher, userIds: Iterable<number>): void {
    for (const userId of userIds) {
      if (watcher.watching.has(userId)) continue;
      watcher.watching.add(userId);
      let watchers = this.#byUser.get(userId);
      if (!watchers) this.#byUser.set(userId, (watchers = new Set()));
      watchers.add(watcher);
    }
  }

  remove(watcher: Watcher, userIds: Iterable<number>): void {
    for (const userId of [...userIds]) {
      if (!watcher.watching.delete(userId)) continue;
      watcher.pending.delete(userId);
      const watchers = this.#byUser.get(userId);
      watchers?.delete(watcher);
      if (watchers?.size === 0) this.#byUser.delete(userId);
    }
  }

  /** A user's merged presence changed: queue it for each of their watchers on this node. */
  changed(userId: number, entry: PresenceEntry): void {
    this.stats.changes++;
    const watchers = this.#byUser.get(userId);
    if (!watchers) return;
    for (const watcher of watchers) {
      watcher.pending.set(userId, entry);
      this.#dirty.add(watcher);
    }
    this.#cancelFlush ??= this.#timers.after(this.#flushMs, () => this.flush());
  }

  /** Sends each dirty connection one delta frame; runs on the flush timer. */
  flush(): void {
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    for (const watcher of this.#dirty) {
      if (watcher.pending.size === 0) continue;
      const frame: PresenceDelta = { t: 'presence', u: [...watcher.pending.values()] };
      watcher.pending.clear();
      this.stats.deltaFrames++;
      this.stats.deltaBytes += Buffer.byteLength(JSON.stringify(frame));
      watcher.connection.send({ ...frame });
    }
    this.#dirty.clear();
  }

  /** Cancels the pending flush; used when the node stops. */
  stop(): void {
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    this.#dirty.clear();
  }

  /** How many connections watch the user on this node. */
  watcherCount(userId: number): number {
    return this.#byUser.get(userId)?.size ?? 0;
  }
}
