import { randomBytes } from 'node:crypto';
import type { EventBus } from '../../bus/index.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { PresenceState } from '../../protocol/im/frames.ts';
import {
  PRESENCE_WATCH_MAX,
  type PresenceChoice,
  type PresenceEntry,
  type PresenceOwnState,
} from '../../protocol/im/presence.ts';
import type { ImConnection, ImSession, OnlineCheck, SessionLifecycle, VisibilityPolicy } from '../types.ts';
import { ClusterPresence } from './cluster-presence.ts';
import { LocalPresence } from './local-presence.ts';
import { mergePresence, sameMerged, type MergedPresence } from './presence-merge.ts';
import { PresenceWatchers, type PresenceStats } from './presence-watchers.ts';
import { realTimers, type Timers } from './timers.ts';

export const PRESENCE_DEFAULTS = {
  autoAwayMinutes: 10,
  graceMs: 30_000,
  flushMs: 250,
  beatMs: 15_000,
  /** Three missed beats. */
  expireMs: 45_000,
  channel: 'presence',
} as const;

export interface PresenceServiceDeps {
  bus: EventBus;
  policy: VisibilityPolicy;
  /** This node's name (several nodes: each its own); a random part is added per start. */
  nodeId: string;
  timers?: Timers;
  /** Idle minutes before a device turns away (admin setting `im.auto_away_minutes`); 0: never. */
  autoAwayMinutes?: number;
  graceMs?: number;
  flushMs?: number;
  beatMs?: number;
  expireMs?: number;
  maxWatched?: number;
  channel?: string;
  /** Failures that must not escape (a lost bus publish, a malformed bus event). */
  onError?: (error: unknown, context: string) => void;
}

/** The timing a test (or an operator) may change. */
export type PresenceTuning = Partial<
  Pick<PresenceServiceDeps, 'timers' | 'graceMs' | 'flushMs' | 'beatMs' | 'expireMs' | 'maxWatched'>
>;

/**
 * Presence: each device's state, merged per user across devices and nodes,
 * and sent as coalesced deltas to the connections that watch that user.
 * The gateway tells it when connections open and close (SessionLifecycle);
 * the rest of the messenger asks whether someone is online (OnlineCheck).
 */
export class PresenceService implements SessionLifecycle, OnlineCheck {
  readonly #policy: VisibilityPolicy;
  readonly #timers: Timers;
  readonly #maxWatched: number;
  readonly #local: LocalPresence;
  readonly #cluster: ClusterPresence;
  readonly #watchers: PresenceWatchers;
  /** The merged presence of every connected user on any node; offline users are absent. */
  readonly #merged = new Map<number, MergedPresence>();
  #autoAwayMs: number;

  constructor(deps: PresenceServiceDeps) {
    const timers = deps.timers ?? realTimers;
    const graceMs = deps.graceMs ?? PRESENCE_DEFAULTS.graceMs;
    const onError = deps.onError ?? (() => undefined);
    this.#policy = deps.policy;
    this.#timers = timers;
    this.#maxWatched = deps.maxWatched ?? PRESENCE_WATCH_MAX;
    this.#autoAwayMs = (deps.autoAwayMinutes ?? PRESENCE_DEFAULTS.autoAwayMinutes) * 60_000;
    this.#watchers = new PresenceWatchers({ timers, flushMs: deps.flushMs ?? PRESENCE_DEFAULTS.flushMs });
    this.#local = new LocalPresence({
      timers,
      graceMs,
      autoAwayMs: () => this.#autoAwayMs,
      onChange: (userId, summary) => {
        this.#cluster.publishUser(userId, summary);
        this.#recompute(userId);
      },
    });
    this.#cluster = new ClusterPresence({
      bus: deps.bus,
      channel: deps.channel ?? PRESENCE_DEFAULTS.channel,
      instance: `${deps.nodeId}:${randomBytes(6).toString('hex')}`,
      timers,
      beatMs: deps.beatMs ?? PRESENCE_DEFAULTS.beatMs,
      expireMs: deps.expireMs ?? PRESENCE_DEFAULTS.expireMs,
      graceMs,
      localSummaries: () => this.#local.summaries(),
      onRemoteChange: (userIds) => {
        for (const userId of userIds) this.#recompute(userId);
      },
      onError,
    });
  }

  /** Joins the other nodes on the bus; call once before the gateway opens. */
  async start(): Promise<void> {
    await this.#cluster.start();
  }

  /** Says goodbye to the other nodes and cancels every timer. */
  async close(): Promise<void> {
    await this.#cluster.stop();
    this.#local.stop();
    this.#watchers.stop();
  }

  /** The admin changed `im.auto_away_minutes`; applies to idle reports from now on. */
  setAutoAwayMinutes(minutes: number): void {
    this.#autoAwayMs = minutes * 60_000;
  }

  async opened(connection: ImConnection): Promise<void> {
    this.#watchers.attach(connection);
    this.#local.open(connection.session);
  }

  async closed(connection: ImConnection): Promise<void> {
    this.#watchers.detach(connection.session.id);
    this.#local.close(connection.session);
  }

  isOnline(userId: number): boolean {
    return this.#merged.has(userId);
  }

  /** A user's merged presence as the directory shows it. */
  presenceOf(userId: number): PresenceOwnState {
    return this.#merged.get(userId) ?? { state: 'offline', text: '' };
  }

  /** Picks this device's state by hand; answers the user's merged presence. */
  set(session: ImSession, state: PresenceChoice, text: string): PresenceOwnState {
    this.#local.choose(session, { state, text, at: this.#timers.now() });
    return this.presenceOf(session.userId);
  }

  /** The device's user has been idle for idleSeconds (0: active again). */
  activity(session: ImSession, idleSeconds: number): PresenceOwnState {
    this.#local.idle(session, idleSeconds);
    return this.presenceOf(session.userId);
  }

  /**
   * Adds users to the connection's watch list and answers their presence.
   * Users the viewer may not see are neither watched nor answered, and take
   * no room on the list: the limit counts the people actually watched.
   */
  async watch(connection: ImConnection, userIds: readonly number[]): Promise<PresenceEntry[]> {
    const watcher = this.#watchers.attach(connection);
    const viewer = connection.session.userId;
    const wanted = [...new Set(userIds)];
    const visible = await this.#policy.visibleAmong(viewer, wanted);
    const shown = wanted.filter((userId) => userId === viewer || visible.has(userId));
    const added = shown.filter((userId) => !watcher.watching.has(userId)).length;
    if (watcher.watching.size + added > this.#maxWatched) {
      throw new CooError(
        ErrorCode.IM_WATCH_LIMIT,
        `a connection may watch at most ${this.#maxWatched} people; it watches ${watcher.watching.size} and asked for ${added} more`,
      );
    }
    // The connection may have closed while the policy was asked: then watch nothing.
    if (this.#watchers.isAttached(watcher)) this.#watchers.add(watcher, shown);
    return shown.map((userId) => this.entryOf(userId));
  }

  /** Removes users from the connection's watch list; answers how many it still watches. */
  unwatch(connection: ImConnection, userIds: readonly number[]): number {
    const watcher = this.#watchers.attach(connection);
    this.#watchers.remove(watcher, userIds);
    return watcher.watching.size;
  }

  /** The wire form of a user's presence. */
  entryOf(userId: number): PresenceEntry {
    return toEntry(userId, this.#merged.get(userId) ?? null);
  }

  /**
   * Changes seen and delta bytes sent on this node. `bytesPerChange` (the
   * benchmark's presence_bytes_per_change) is what one change cost in deltas
   * over all its watchers, on average: deltaBytes / changes.
   */
  stats(): PresenceStats & { bytesPerChange: number } {
    const stats = this.#watchers.stats;
    return { ...stats, bytesPerChange: stats.changes === 0 ? 0 : stats.deltaBytes / stats.changes };
  }

  /** Sends pending deltas now instead of at the next flush (tests, shutdown). */
  flush(): void {
    this.#watchers.flush();
  }

  #recompute(userId: number): void {
    const merged = mergePresence(
      (function* (local, remote) {
        if (local) yield local;
        yield* remote;
      })(this.#local.summaryOf(userId), this.#cluster.remoteSummaries(userId)),
    );
    const before = this.#merged.get(userId) ?? null;
    if (sameMerged(before, merged)) return;
    if (merged) this.#merged.set(userId, merged);
    else this.#merged.delete(userId);
    this.#watchers.changed(userId, toEntry(userId, merged));
  }
}

function toEntry(userId: number, merged: MergedPresence | null): PresenceEntry {
  const state: PresenceState = merged?.state ?? 'offline';
  return merged?.text ? [userId, state, merged.text] : [userId, state];
}
