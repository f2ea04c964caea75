/**
 * Web Push (RFC 8030 delivery, RFC 8291 encryption, RFC 8292 VAPID): a
 * browser subscribes with the server's VAPID public key, hands the
 * subscription over the messenger connection, and gets notifications for
 * direct messages, mentions and memos while it has no open session.
 * Documented with examples in docs/protocol/push.md.
 */

/** `{t:'push.vapid', id}` → PushVapidResult: the applicationServerKey for PushManager.subscribe(). */
export interface PushVapidRequest {
  t: 'push.vapid';
  id: number;
}
export interface PushVapidResult {
  /** The uncompressed P-256 public key (65 bytes), base64url without padding. */
  publicKey: string;
}

/** What PushSubscription.toJSON() gives; `expirationTime` is accepted and ignored. */
export interface PushSubscriptionJson {
  /** The push service's https URL for this browser. */
  endpoint: string;
  keys: {
    /** The browser's P-256 public key (65 bytes), base64url. */
    p256dh: string;
    /** The 16-byte authentication secret, base64url. */
    auth: string;
  };
  expirationTime?: number | null;
}

/**
 * `{t:'push.subscribe', id, subscription}` → `{}`: this device's subscription;
 * it replaces the device's previous one.
 */
export interface PushSubscribeRequest {
  t: 'push.subscribe';
  id: number;
  subscription: PushSubscriptionJson;
}

/**
 * `{t:'push.unsubscribe', id, endpoint?}` → PushUnsubscribeResult: removes
 * this device's subscription (only the one with this endpoint, when given).
 */
export interface PushUnsubscribeRequest {
  t: 'push.unsubscribe';
  id: number;
  endpoint?: string;
}
export interface PushUnsubscribeResult {
  removed: number;
}

/** The decrypted push message the service worker receives (JSON, UTF-8). */
export interface PushPayload {
  title: string;
  body: string;
  /** Where a click should take the user: a route of the web client, e.g. "/#/chats/42", "/#/memos/7". */
  url?: string;
  /** Notifications with the same tag replace each other (one per conversation). */
  tag?: string;
}

/** Limits a payload is cut to, so it fits one push message (RFC 8291 §4: 4096-byte records). */
export const PUSH_LIMITS = {
  titleChars: 120,
  bodyChars: 1000,
  urlChars: 500,
  tagChars: 100,
  endpointChars: 2048,
} as const;
