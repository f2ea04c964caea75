/**
 * Web Push for this device (docs/protocol/push.md): subscribe with the
 * server's VAPID key and hand the subscription over the connection. Done at
 * every login while notifications are allowed, since the subscription may
 * have been renewed (sw.js `pushsubscriptionchange`) or the server may have
 * dropped it; the server keeps one per device, so sending it again is harmless.
 */
import type { Connection } from '../../lib/connection.ts';
import type { PushVapidResult } from '../../../../src/protocol/im/push.ts';
import { bytesOfBase64url, sameBytes, type Permission } from './notification-rules.ts';
import { serviceWorkerRegistration } from './service-worker.ts';

export function notificationPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export type PushOutcome = 'subscribed' | 'unsupported' | 'failed';

export async function subscribeToPush(connection: Connection): Promise<PushOutcome> {
  if (notificationPermission() !== 'granted' || typeof PushManager === 'undefined') return 'unsupported';
  const registration = await serviceWorkerRegistration();
  if (!registration) return 'unsupported';
  try {
    const { publicKey } = await connection.request<PushVapidResult>('push.vapid');
    const key = bytesOfBase64url(publicKey);
    let subscription = await registration.pushManager.getSubscription();
    // Subscribed with another server's key (the server was set up again): start over.
    if (subscription && !sameBytes(subscription.options.applicationServerKey, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    subscription ??= await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key,
    });
    await connection.request('push.subscribe', { subscription: subscription.toJSON() });
    return 'subscribed';
  } catch (error) {
    // No push service reachable (a LAN without internet): notifications still work while Coo is open.
    console.warn('Web Push is not available', error);
    return 'failed';
  }
}

/** After logging out: this browser should get nothing more for that account. */
export async function unsubscribeFromPush(): Promise<void> {
  const registration = await serviceWorkerRegistration();
  const subscription = await registration?.pushManager.getSubscription();
  await subscription?.unsubscribe();
}
