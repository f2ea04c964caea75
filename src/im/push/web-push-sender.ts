import { createHash } from 'node:crypto';
import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { VapidKeys } from './vapid.ts';

/** The server's VAPID identity (RFC 8292 §2.1): its keys and a contact for push service operators. */
export interface VapidIdentity {
  keys: VapidKeys;
  /** "mailto:postmaster@DOMAIN". */
  subject: string;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What became of one push message. */
export type PushOutcome =
  | { kind: 'sent' }
  /** RFC 8030 §7.3: 404 or 410, the subscription has expired or was withdrawn. */
  | { kind: 'gone'; status: number }
  | { kind: 'failed'; status: number | undefined; reason: string };

export interface PushSendOptions {
  /** Seconds the push service keeps the message for an offline browser (RFC 8030 §5.2). */
  ttlSeconds: number;
  /** Messages with the same topic replace each other while undelivered (RFC 8030 §5.4). */
  topic?: string;
  timeoutMs: number;
  /** For push services with a private CA (tests); the default agent otherwise. */
  agent?: Agent;
}

/** Sends one message, encrypted (RFC 8291, aes128gcm) and VAPID-signed, with the `web-push` library. */
export async function sendWebPush(
  target: PushTarget,
  payload: string,
  vapid: VapidIdentity,
  options: PushSendOptions,
): Promise<PushOutcome> {
  try {
    await webpush.sendNotification(
      { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
      payload,
      {
        vapidDetails: {
          subject: vapid.subject,
          publicKey: vapid.keys.publicKey,
          privateKey: vapid.keys.privateKey,
        },
        TTL: options.ttlSeconds,
        contentEncoding: 'aes128gcm',
        timeout: options.timeoutMs,
        ...(options.topic === undefined ? {} : { topic: pushTopic(options.topic) }),
        ...(options.agent === undefined ? {} : { agent: options.agent }),
      },
    );
    return { kind: 'sent' };
  } catch (error) {
    if (error instanceof webpush.WebPushError) {
      if (error.statusCode === 404 || error.statusCode === 410)
        return { kind: 'gone', status: error.statusCode };
      return {
        kind: 'failed',
        status: error.statusCode,
        reason: `${error.statusCode} ${error.body.slice(0, 200)}`,
      };
    }
    return {
      kind: 'failed',
      status: undefined,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

/** RFC 8030 §5.4: a topic is at most 32 base64url characters; any tag maps to one. */
export function pushTopic(tag: string): string {
  return createHash('sha256').update(tag).digest('base64url').slice(0, 32);
}
