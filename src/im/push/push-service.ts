import type { Agent } from 'node:https';
import type { DomainService } from '../../directory/domain-service.ts';
import { CooError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { PUSH_LIMITS, type PushPayload, type PushSubscriptionJson } from '../../protocol/im/push.ts';
import type { Store } from '../../store/database.ts';
import * as subscriptions from '../../store/push-subscriptions.ts';
import { getSetting } from '../../store/settings.ts';
import type { PushNotifier } from '../types.ts';
import { forEachBounded } from './bounded.ts';
import { VAPID_SETTING, type VapidKeys } from './vapid.ts';
import {
  sendWebPush,
  type PushOutcome,
  type PushSendOptions,
  type PushTarget,
  type VapidIdentity,
} from './web-push-sender.ts';

export const PUSH_DEFAULTS = {
  /** Push requests in flight at once, over all users of one notify(). */
  concurrency: 16,
  timeoutMs: 10_000,
  /** A chat notification older than half a day is noise. */
  ttlSeconds: 12 * 60 * 60,
  /** The VAPID identity is read again after this, so a new default domain shows. */
  identityCacheMs: 10 * 60 * 1000,
  /** Users per subscription query, well under every database's parameter limit. */
  usersPerQuery: 500,
} as const;

/** What a test may change: the agent (to trust a local push service) and the bound. */
export interface PushTuning {
  /** For a push service with a private CA (tests). */
  agent?: Agent;
  concurrency?: number;
}

export interface PushServiceDeps extends PushTuning {
  store: Store;
  domains: DomainService;
  logger: Logger;
  now?: () => number;
  /** Replaces the real sender (the web-push library); for nothing but tests of failure handling. */
  send?: typeof sendWebPush;
}

/** The device a subscription belongs to: the messenger session's. */
export interface PushDevice {
  userId: number;
  deviceId: number;
}

/**
 * Web Push for the messenger: stores each device's subscription and sends
 * notifications to every signed-in device of the users asked for. A
 * subscription the push service calls gone (404, 410) is deleted; other
 * failures are logged and the subscription kept for the next time.
 */
export class PushService implements PushNotifier {
  readonly #deps: PushServiceDeps;
  readonly #now: () => number;
  #identity: { value: Promise<VapidIdentity>; at: number } | undefined;

  constructor(deps: PushServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** The applicationServerKey browsers subscribe with. */
  async vapidPublicKey(): Promise<string> {
    return (await this.#vapid()).keys.publicKey;
  }

  async subscribe(device: PushDevice, subscription: PushSubscriptionJson): Promise<void> {
    await subscriptions.savePushSubscription(
      this.#deps.store.db,
      {
        userId: device.userId,
        deviceId: device.deviceId,
        endpoint: subscription.endpoint,
        p256dh: subscription.keys.p256dh,
        auth: subscription.keys.auth,
      },
      this.#now(),
    );
  }

  unsubscribe(device: PushDevice, endpoint?: string): Promise<number> {
    return subscriptions.deletePushSubscriptionsOfDevice(
      this.#deps.store.db,
      device.userId,
      device.deviceId,
      endpoint,
    );
  }

  /**
   * PushNotifier: one message to every subscribed, signed-in device of these
   * users, at most `concurrency` requests at once. Resolves when all have
   * been tried; rejects only when the subscriptions cannot be read.
   */
  async notify(
    userIds: readonly number[],
    notification: { title: string; body: string; url?: string; tag?: string },
  ): Promise<void> {
    const targets = await this.#subscriptionsOf([...new Set(userIds)]);
    if (targets.length === 0) return;
    const vapid = await this.#vapid();
    const payload = JSON.stringify(payloadOf(notification));
    const options: PushSendOptions = {
      ttlSeconds: PUSH_DEFAULTS.ttlSeconds,
      timeoutMs: PUSH_DEFAULTS.timeoutMs,
      ...(notification.tag === undefined ? {} : { topic: notification.tag }),
      ...(this.#deps.agent === undefined ? {} : { agent: this.#deps.agent }),
    };
    const send = this.#deps.send ?? sendWebPush;
    const startedAt = this.#now();
    await forEachBounded(targets, this.#deps.concurrency ?? PUSH_DEFAULTS.concurrency, async (target) => {
      const outcome = await send(target, payload, vapid, options);
      await this.#after(target, outcome, startedAt);
    });
  }

  async #after(
    target: subscriptions.PushSubscriptionRow,
    outcome: PushOutcome,
    startedAt: number,
  ): Promise<void> {
    const { logger, store } = this.#deps;
    const where = { subscription: target.id, user: target.user_id, pushService: originOf(target.endpoint) };
    switch (outcome.kind) {
      case 'sent':
        logger.debug(where, 'push sent');
        return;
      case 'gone':
        try {
          // Unless the browser subscribed again meanwhile: that subscription is new and alive.
          await subscriptions.deletePushSubscription(store.db, target.id, startedAt);
          logger.info({ ...where, status: outcome.status }, 'push subscription gone: removed');
        } catch (error) {
          logger.warn({ ...where, err: error }, 'could not remove a gone push subscription');
        }
        return;
      case 'failed':
        logger.warn({ ...where, status: outcome.status, reason: outcome.reason }, 'push failed');
        return;
      default:
        outcome satisfies never;
    }
  }

  async #subscriptionsOf(userIds: number[]): Promise<(subscriptions.PushSubscriptionRow & PushTarget)[]> {
    const rows: subscriptions.PushSubscriptionRow[] = [];
    for (let i = 0; i < userIds.length; i += PUSH_DEFAULTS.usersPerQuery) {
      const chunk = userIds.slice(i, i + PUSH_DEFAULTS.usersPerQuery);
      rows.push(
        ...(await subscriptions.listPushSubscriptionsOfUsers(this.#deps.store.db, chunk, this.#now())),
      );
    }
    return rows;
  }

  #vapid(): Promise<VapidIdentity> {
    const now = this.#now();
    if (!this.#identity || now - this.#identity.at > PUSH_DEFAULTS.identityCacheMs) {
      const value = this.#readVapid();
      // A failed read is not cached: the next call tries again.
      value.catch(() => {
        if (this.#identity?.value === value) this.#identity = undefined;
      });
      this.#identity = { value, at: now };
    }
    return this.#identity.value;
  }

  async #readVapid(): Promise<VapidIdentity> {
    const keys = await getSetting<VapidKeys>(this.#deps.store.db, VAPID_SETTING);
    if (!keys?.publicKey || !keys.privateKey) {
      throw new CooError(
        ErrorCode.UNAVAILABLE,
        `Web Push is not set up: no VAPID keys in the "${VAPID_SETTING}" setting (coo init makes them)`,
      );
    }
    const domains = await this.#deps.domains.list();
    const domain = domains.find((d) => d.isDefault)?.name ?? domains[0]?.name ?? 'localhost';
    return { keys, subject: `mailto:postmaster@${domain}` };
  }
}

/** The notification cut to the payload limits, with only the fields the service worker reads. */
function payloadOf(notification: { title: string; body: string; url?: string; tag?: string }): PushPayload {
  const payload: PushPayload = {
    title: cut(notification.title, PUSH_LIMITS.titleChars),
    body: cut(notification.body, PUSH_LIMITS.bodyChars),
  };
  if (notification.url !== undefined) payload.url = cut(notification.url, PUSH_LIMITS.urlChars);
  if (notification.tag !== undefined) payload.tag = cut(notification.tag, PUSH_LIMITS.tagChars);
  return payload;
}

function cut(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Logs name the push service, never the full endpoint: its path is the subscription's secret. */
function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'invalid';
  }
}
