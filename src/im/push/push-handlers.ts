import { z } from 'zod';
import { PUSH_LIMITS, type PushUnsubscribeResult, type PushVapidResult } from '../../protocol/im/push.ts';
import { frameHandler, type FrameHandler } from '../types.ts';
import type { PushService } from './push-service.ts';

const requestId = z.number().int().nonnegative().optional();

/** RFC 8030: the push service's URL. https only: the server posts to it. */
const endpoint = z
  .string()
  .max(PUSH_LIMITS.endpointChars)
  .refine((text) => URL.canParse(text) && new URL(text).protocol === 'https:', {
    message: 'must be an https URL',
  });

/** base64url of exactly `bytes` bytes (padding tolerated, as some browsers send it). */
function base64url(bytes: number, check?: (decoded: Buffer) => boolean) {
  return z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((text) => {
      const decoded = Buffer.from(text.replace(/=+$/, ''), 'base64url');
      return decoded.length === bytes && (check?.(decoded) ?? true);
    }, `must be ${bytes} bytes`);
}

const subscription = z.object({
  endpoint,
  keys: z.object({
    // RFC 8291 §3.1: an uncompressed P-256 point.
    p256dh: base64url(65, (point) => point[0] === 0x04),
    // RFC 8291 §3.2: a 16-byte authentication secret.
    auth: base64url(16),
  }),
  expirationTime: z.number().nullable().optional(),
});

/** `push.vapid`, `push.subscribe` and `push.unsubscribe`: per device, the session's. */
export function pushHandlers(push: PushService): FrameHandler[] {
  return [
    frameHandler({
      type: 'push.vapid',
      schema: z.object({ t: z.literal('push.vapid'), id: requestId }),
      async handle(): Promise<PushVapidResult> {
        return { publicKey: await push.vapidPublicKey() };
      },
    }),
    frameHandler({
      type: 'push.subscribe',
      schema: z.object({ t: z.literal('push.subscribe'), id: requestId, subscription }),
      async handle(connection, frame) {
        await push.subscribe(connection.session, frame.subscription);
        return {};
      },
    }),
    frameHandler({
      type: 'push.unsubscribe',
      schema: z.object({ t: z.literal('push.unsubscribe'), id: requestId, endpoint: endpoint.optional() }),
      async handle(connection, frame): Promise<PushUnsubscribeResult> {
        return { removed: await push.unsubscribe(connection.session, frame.endpoint) };
      },
    }),
  ];
}
