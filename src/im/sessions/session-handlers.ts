import { z } from 'zod';
import type { SessionDevicesResult, SyncResult } from '../../protocol/im/session.ts';
import { frameHandler, type FrameHandler, type SyncSource } from '../types.ts';
import type { DeviceService } from './device-service.ts';
import type { SessionControl } from './session-control.ts';

const requestId = z.number().int().nonnegative().optional();

/** Most sync sources a client may name; more than the areas that exist is a client bug. */
const MAX_SYNC_CURSORS = 32;

/** `session.devices`, `session.revoke` and `sync`. */
export function sessionHandlers(deps: {
  devices: DeviceService;
  control: SessionControl;
  /** Read at each sync, so areas may register their sources after these handlers are made. */
  syncSources: readonly SyncSource[];
}): FrameHandler[] {
  return [
    frameHandler({
      type: 'session.devices',
      schema: z.object({ t: z.literal('session.devices'), id: requestId }),
      async handle(connection): Promise<SessionDevicesResult> {
        const devices = await deps.devices.list(connection.session.userId);
        return {
          devices: devices.map((d) => (d.id === connection.session.deviceId ? { ...d, current: true } : d)),
        };
      },
    }),
    frameHandler({
      type: 'session.revoke',
      schema: z.object({
        t: z.literal('session.revoke'),
        id: requestId,
        deviceId: z.number().int().positive(),
      }),
      async handle(connection, frame) {
        const { session } = connection;
        await deps.devices.revoke(session.userId, frame.deviceId, {
          name: session.address,
          protocol: 'ws',
          remote: session.remote,
        });
        await deps.control.revoked([frame.deviceId]);
        return {};
      },
    }),
    frameHandler({
      type: 'sync',
      schema: z.object({
        t: z.literal('sync'),
        id: requestId,
        cursors: z
          .record(z.string().max(64), z.unknown())
          .refine((cursors) => Object.keys(cursors).length <= MAX_SYNC_CURSORS, {
            message: `at most ${MAX_SYNC_CURSORS} cursors`,
          })
          .optional(),
      }),
      async handle(connection, frame): Promise<SyncResult> {
        const cursors: Record<string, unknown> = {};
        for (const source of deps.syncSources) {
          const given = frame.cursors?.[source.name];
          const result = await source.sync(connection.session, given);
          for (const event of result.frames) connection.send(event);
          cursors[source.name] = result.cursor;
        }
        return { cursors };
      },
    }),
  ];
}
