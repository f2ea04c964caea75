import type { EventBus, Unsubscribe } from '../../bus/event-bus.ts';
import type { Logger } from '../../log.ts';
import { ImCloseCode } from '../../protocol/im/connection.ts';
import type { DeviceKind } from '../../protocol/im/frames.ts';
import type {
  LoginPolicy,
  SessionEndedEvent,
  SessionReplacedEvent,
  SessionRevokedEvent,
} from '../../protocol/im/session.ts';
import type { Store } from '../../store/database.ts';
import { accountProblem } from '../../directory/validity.ts';
import { devicesRevokedSince, usersChangedOrExpiredSince } from '../../store/im-sessions.ts';
import type { ConnectionRegistry } from '../gateway/connection-registry.ts';
import type { GatewayConnection } from '../gateway/connection.ts';
import { replacesUnderPolicy } from './login-policy.ts';

/** The bus channel for session notices that every node must act on. */
export const SESSION_CHANNEL = 'im.session';

type SessionNotice =
  | {
      k: 'replace';
      user: number;
      /** The new session: it and newer ones stay. */
      session: string;
      loggedInAt: number;
      policy: LoginPolicy;
      by: { kind: DeviceKind; name: string };
    }
  | { k: 'revoke'; devices: number[] };

/** How often each node looks for devices revoked where no bus reached it (the CLI). */
export const REVOCATION_POLL_MS = 5_000;

/**
 * Acts on session notices on every node: a login that replaces older
 * sessions of the same person (single-login policy), and revoked devices.
 * Notices travel over the bus; revocations made by the CLI, which has no
 * bus of the server, are found by a cheap poll of the devices table.
 */
export class SessionControl {
  readonly #bus: EventBus;
  readonly #registry: ConnectionRegistry;
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #pollMs: number;
  #unsubscribe: Unsubscribe | undefined;
  #poll: NodeJS.Timeout | undefined;
  #polledUpTo = Date.now();
  #polling: Promise<void> | undefined;

  constructor(deps: {
    bus: EventBus;
    registry: ConnectionRegistry;
    store: Store;
    logger: Logger;
    pollMs?: number;
  }) {
    this.#bus = deps.bus;
    this.#registry = deps.registry;
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#pollMs = deps.pollMs ?? REVOCATION_POLL_MS;
  }

  async start(): Promise<void> {
    this.#unsubscribe = await this.#bus.subscribe(SESSION_CHANNEL, (event) =>
      this.#act(event as SessionNotice),
    );
    this.#poll = setInterval(() => {
      this.#polling ??= this.#pollRevocations().finally(() => (this.#polling = undefined));
    }, this.#pollMs);
    this.#poll.unref();
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    await this.#polling;
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Ends, on every node, the sessions of this person that the policy says the new one replaces. */
  async replaceOlder(connection: GatewayConnection, policy: LoginPolicy): Promise<void> {
    if (policy === 'multiple') return;
    const session = connection.session;
    await this.#bus.publish(SESSION_CHANNEL, {
      k: 'replace',
      user: session.userId,
      session: session.id,
      loggedInAt: connection.loggedInAt,
      policy,
      by: { kind: session.deviceKind, name: session.deviceName },
    } satisfies SessionNotice);
  }

  /** Closes, on every node, the sessions of these revoked devices. */
  async revoked(deviceIds: readonly number[]): Promise<void> {
    if (deviceIds.length === 0) return;
    await this.#bus.publish(SESSION_CHANNEL, {
      k: 'revoke',
      devices: [...deviceIds],
    } satisfies SessionNotice);
  }

  #act(notice: SessionNotice): void {
    if (notice.k === 'replace') this.#replace(notice);
    else if (notice.k === 'revoke') this.#closeDevices(new Set(notice.devices));
  }

  #replace(notice: Extract<SessionNotice, { k: 'replace' }>): void {
    const frame: SessionReplacedEvent = { t: 'session.replaced', by: notice.by };
    for (const connection of [...this.#registry.ofUser(notice.user)]) {
      const session = connection.openSession;
      if (!session || session.id === notice.session) continue;
      // Two logins at once on two nodes: the later one wins on both, not neither.
      const older =
        connection.loggedInAt < notice.loggedInAt ||
        (connection.loggedInAt === notice.loggedInAt && session.id < notice.session);
      if (!older || !replacesUnderPolicy(notice.policy, notice.by.kind, session.deviceKind)) continue;
      connection.send(frame as unknown as SessionReplacedEvent & Record<string, unknown>);
      connection.close(ImCloseCode.REPLACED, 'replaced by a newer login', 'replaced');
    }
  }

  #closeDevices(deviceIds: ReadonlySet<number>): void {
    const doomed = [...this.#registry.all()].filter(
      (connection) => connection.openSession && deviceIds.has(connection.openSession.deviceId),
    );
    if (doomed.length === 0) return;
    // After the current frame's answer: a device revoking itself still gets its "ok".
    setImmediate(() => {
      const frame: SessionRevokedEvent = { t: 'session.revoked' };
      for (const connection of doomed) {
        connection.send(frame as unknown as SessionRevokedEvent & Record<string, unknown>);
        connection.close(ImCloseCode.DEVICE_REVOKED, 'device revoked', 'revoked');
      }
    });
  }

  /**
   * An account disabled (by the CLI, the REST API or another node) or whose
   * validity ended while its sessions are open: they end, saying why, as a
   * new login would be refused.
   */
  async #closeBlockedAccounts(since: number, now: number): Promise<void> {
    for (const user of await usersChangedOrExpiredSince(this.#store.db, since, now)) {
      const problem = accountProblem(user, now);
      if (!problem) continue;
      const frame: SessionEndedEvent = { t: 'session.ended', code: problem.code, message: problem.message };
      for (const connection of [...this.#registry.ofUser(user.id)]) {
        connection.send(frame as unknown as SessionEndedEvent & Record<string, unknown>);
        connection.close(ImCloseCode.ACCOUNT_BLOCKED, 'account blocked', 'account-blocked');
      }
    }
  }

  async #pollRevocations(): Promise<void> {
    if (this.#registry.size === 0) {
      this.#polledUpTo = Date.now();
      return;
    }
    // Overlap the windows a little: clocks of the CLI's machine and ours may differ slightly.
    const since = this.#polledUpTo - 2_000;
    const startedAt = Date.now();
    try {
      const ids = await devicesRevokedSince(this.#store.db, since);
      this.#closeDevices(new Set(ids));
      await this.#closeBlockedAccounts(since, startedAt);
      this.#polledUpTo = startedAt;
    } catch (error) {
      this.#logger.warn({ err: error }, 'im: could not look for revoked devices');
    }
  }
}
