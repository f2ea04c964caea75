import type { ImSession } from '../types.ts';
import {
  combineSummaries,
  sameSummary,
  type PresenceChoiceMade,
  type PresenceSummary,
} from './presence-merge.ts';
import type { Timers } from './timers.ts';

export interface LocalPresenceOptions {
  timers: Timers;
  /** Idle time after which a device counts as away; 0 turns auto-away off. Read at each idle report. */
  autoAwayMs: () => number;
  /** How long a device whose last connection closed still counts, waiting for it to come back. */
  graceMs: number;
  /** Called when the summary of a user's devices on this node changes; null: none left here. */
  onChange: (userId: number, summary: PresenceSummary | null) => void;
}

/** One device (a resume-token identity) of a user, on this node. */
interface Device {
  /** Open connections of this device (usually one; two while a replaced one closes). */
  connections: Set<string>;
  choice: PresenceChoiceMade | null;
  /** True once the device's user has been idle longer than the auto-away limit. */
  away: boolean;
  cancelAway: (() => void) | undefined;
  /** Set while the device has no connection and waits out the grace period. */
  cancelGrace: (() => void) | undefined;
}

interface LocalUser {
  devices: Map<number, Device>;
  summary: PresenceSummary | null;
}

/**
 * The devices connected to this node and their presence: the state picked on
 * each, auto-away from idle reports, and the grace period that keeps a
 * dropped device counting until it reconnects. Reports one summary per user
 * whenever it changes; merging across nodes happens above.
 */
export class LocalPresence {
  readonly #options: LocalPresenceOptions;
  readonly #users = new Map<number, LocalUser>();

  constructor(options: LocalPresenceOptions) {
    this.#options = options;
  }

  /** A connection of the session's device opened; a device back within its grace period keeps its state. */
  open(session: ImSession): void {
    let user = this.#users.get(session.userId);
    if (!user) {
      user = { devices: new Map(), summary: null };
      this.#users.set(session.userId, user);
    }
    let device = user.devices.get(session.deviceId);
    if (!device) {
      device = {
        connections: new Set(),
        choice: null,
        away: false,
        cancelAway: undefined,
        cancelGrace: undefined,
      };
      user.devices.set(session.deviceId, device);
    }
    device.cancelGrace?.();
    device.cancelGrace = undefined;
    device.connections.add(session.id);
    this.#update(session.userId, user);
  }

  /**
   * A connection closed. When it was the device's last, the device still
   * counts for the grace period: a reconnect within it changes nothing, so
   * watchers see no offline-online flap.
   */
  close(session: ImSession): void {
    const user = this.#users.get(session.userId);
    const device = user?.devices.get(session.deviceId);
    if (!user || !device || !device.connections.delete(session.id)) return;
    if (device.connections.size > 0) return;
    const forget = () => {
      device.cancelAway?.();
      user.devices.delete(session.deviceId);
      this.#update(session.userId, user);
    };
    if (this.#options.graceMs <= 0) forget();
    else device.cancelGrace = this.#options.timers.after(this.#options.graceMs, forget);
  }

  /** The state picked by hand on this device (`online`: back to automatic). */
  choose(session: ImSession, choice: PresenceChoiceMade): void {
    const device = this.#device(session);
    if (!device) return;
    device.choice = choice;
    this.#update(session.userId);
  }

  /**
   * The device's user has been idle for idleSeconds (0: active now). The
   * device turns away once idle for the auto-away limit, counted from when
   * the idleness began, not from the report.
   */
  idle(session: ImSession, idleSeconds: number): void {
    const device = this.#device(session);
    if (!device) return;
    device.cancelAway?.();
    device.cancelAway = undefined;
    const limit = this.#options.autoAwayMs();
    if (idleSeconds === 0 || limit <= 0) {
      device.away = false;
    } else {
      const remaining = limit - idleSeconds * 1000;
      device.away = remaining <= 0;
      if (!device.away) {
        device.cancelAway = this.#options.timers.after(remaining, () => {
          device.cancelAway = undefined;
          device.away = true;
          this.#update(session.userId);
        });
      }
    }
    this.#update(session.userId);
  }

  summaryOf(userId: number): PresenceSummary | null {
    return this.#users.get(userId)?.summary ?? null;
  }

  /** Every user with a device here, for a full dump to another node. */
  *summaries(): Iterable<[number, PresenceSummary]> {
    for (const [userId, user] of this.#users) if (user.summary) yield [userId, user.summary];
  }

  /** Whether this connection's device is known (opened and not yet forgotten). */
  has(session: ImSession): boolean {
    return this.#device(session) !== undefined;
  }

  /** Cancels every timer; used when the node stops. */
  stop(): void {
    for (const user of this.#users.values()) {
      for (const device of user.devices.values()) {
        device.cancelAway?.();
        device.cancelGrace?.();
      }
    }
    this.#users.clear();
  }

  #device(session: ImSession): Device | undefined {
    return this.#users.get(session.userId)?.devices.get(session.deviceId);
  }

  #update(userId: number, user = this.#users.get(userId)): void {
    if (!user) return;
    const summary = combineSummaries(
      [...user.devices.values()].map((device) => ({ choice: device.choice, active: !device.away })),
    );
    if (!summary) this.#users.delete(userId);
    if (sameSummary(summary, user.summary)) return;
    user.summary = summary;
    this.#options.onChange(userId, summary);
  }
}
