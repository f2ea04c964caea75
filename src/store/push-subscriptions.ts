import type { Selectable } from 'kysely';
import { inTransaction, type Executor } from './database.ts';
import type { PushSubscriptionTable } from './schema-files.ts';

export type PushSubscriptionRow = Selectable<PushSubscriptionTable>;

export interface PushSubscriptionInput {
  userId: number;
  deviceId: number;
  endpoint: string;
  p256dh: string;
  auth: string;
}

/**
 * Stores a device's subscription. A device has one push channel at a time,
 * so its older ones go; an endpoint has one owner, so a browser that now
 * belongs to someone else (another login on it) stops notifying the old one.
 */
export function savePushSubscription(
  db: Executor,
  input: PushSubscriptionInput,
  now = Date.now(),
): Promise<void> {
  return inTransaction(db, async (tx) => {
    await tx
      .deleteFrom('push_subscriptions')
      .where('user_id', '=', input.userId)
      .where('device_id', '=', input.deviceId)
      .where('endpoint', '<>', input.endpoint)
      .execute();
    const values = {
      user_id: input.userId,
      device_id: input.deviceId,
      p256dh: input.p256dh,
      auth: input.auth,
      updated_at: now,
    };
    await tx
      .insertInto('push_subscriptions')
      .values({ ...values, endpoint: input.endpoint, created_at: now })
      .onConflict((oc) => oc.column('endpoint').doUpdateSet(values))
      .execute();
  });
}

/** Removes a device's subscriptions (only the given endpoint when there is one); returns how many. */
export async function deletePushSubscriptionsOfDevice(
  db: Executor,
  userId: number,
  deviceId: number,
  endpoint?: string,
): Promise<number> {
  let query = db
    .deleteFrom('push_subscriptions')
    .where('user_id', '=', userId)
    .where('device_id', '=', deviceId);
  if (endpoint !== undefined) query = query.where('endpoint', '=', endpoint);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Removes a subscription the push service said is gone, unless it was
 * renewed after `notAfter` (the browser re-subscribed while we were sending).
 */
export async function deletePushSubscription(db: Executor, id: number, notAfter: number): Promise<boolean> {
  const result = await db
    .deleteFrom('push_subscriptions')
    .where('id', '=', id)
    .where('updated_at', '<=', notAfter)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The subscriptions of these users' devices that are still signed in (not revoked, not expired). */
export function listPushSubscriptionsOfUsers(
  db: Executor,
  userIds: readonly number[],
  now = Date.now(),
): Promise<PushSubscriptionRow[]> {
  if (userIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('push_subscriptions')
    .innerJoin('im_devices', 'im_devices.id', 'push_subscriptions.device_id')
    .selectAll('push_subscriptions')
    .where('push_subscriptions.user_id', 'in', userIds)
    .where('im_devices.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('im_devices.expires_at', 'is', null), eb('im_devices.expires_at', '>', now)]))
    .orderBy('push_subscriptions.id')
    .execute();
}
