import { z } from 'zod';
import {
  PRESENCE_CHOICES,
  PRESENCE_IDLE_MAX_SECONDS,
  PRESENCE_TEXT_MAX,
  PRESENCE_WATCH_MAX,
  type PresenceOwnState,
  type PresenceSnapshot,
  type PresenceWatchCount,
} from '../../protocol/im/presence.ts';
import { frameHandler, type FrameHandler } from '../types.ts';
import type { PresenceService } from './presence-service.ts';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A status text: trimmed, NFC, at most PRESENCE_TEXT_MAX characters, one line. */
const statusText = z
  .string()
  .transform((text) => text.trim().normalize('NFC'))
  .refine((text) => [...text].length <= PRESENCE_TEXT_MAX, {
    message: `the status text is longer than ${PRESENCE_TEXT_MAX} characters`,
  })
  .refine((text) => !CONTROL.test(text), { message: 'the status text contains control characters' });

const userIds = z.array(z.number().int().positive()).max(PRESENCE_WATCH_MAX);

/** The presence frames, served by one PresenceService. */
export function presenceHandlers(presence: PresenceService): FrameHandler[] {
  return [
    frameHandler({
      type: 'presence.set',
      schema: z.object({
        t: z.literal('presence.set'),
        state: z.enum(PRESENCE_CHOICES),
        text: statusText.optional(),
      }),
      handle: async (connection, frame): Promise<PresenceOwnState> =>
        presence.set(connection.session, frame.state, frame.text ?? ''),
    }),
    frameHandler({
      type: 'presence.activity',
      schema: z.object({
        t: z.literal('presence.activity'),
        idleSeconds: z.number().int().min(0).max(PRESENCE_IDLE_MAX_SECONDS),
      }),
      handle: async (connection, frame): Promise<PresenceOwnState> =>
        presence.activity(connection.session, frame.idleSeconds),
    }),
    frameHandler({
      type: 'presence.watch',
      schema: z.object({ t: z.literal('presence.watch'), users: userIds }),
      handle: async (connection, frame): Promise<PresenceSnapshot> => ({
        users: await presence.watch(connection, frame.users),
      }),
    }),
    frameHandler({
      type: 'presence.unwatch',
      schema: z.object({ t: z.literal('presence.unwatch'), users: userIds }),
      handle: async (connection, frame): Promise<PresenceWatchCount> => ({
        watching: presence.unwatch(connection, frame.users),
      }),
    }),
  ];
}
