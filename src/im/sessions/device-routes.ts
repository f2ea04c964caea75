import { z } from 'zod';
import { actorOf, requireAdminToken } from '../../http/auth.ts';
import { API_PREFIX } from '../../http/admin-api.ts';
import {
  addressParams,
  addressSchema,
  errorResponses,
  isoTime,
  isoTimeSchema,
  noContent,
  tokenSecurity,
  type ApiApp,
} from '../../http/routes/common.schema.ts';
import type { ApiTokenService } from '../../auth/api-tokens.ts';
import { DEVICE_KINDS, type DeviceInfo } from '../../protocol/im/session.ts';
import type { DeviceService } from './device-service.ts';
import type { SessionControl } from './session-control.ts';

const tags = ['devices'];

const deviceSchema = z
  .object({
    id: z.number().int(),
    kind: z.enum(DEVICE_KINDS),
    name: z.string(),
    createdAt: isoTimeSchema,
    lastSeenAt: isoTimeSchema,
    lastRemote: z.string().describe('Client IP of the last login'),
    remembered: z.boolean().describe('Has a resume token'),
    expiresAt: isoTimeSchema.nullable().describe('When the resume token lapses unless used'),
  })
  .meta({ id: 'MessengerDevice' });

const deviceListSchema = z.object({ devices: z.array(deviceSchema) });

const deviceParams = z.object({
  address: addressSchema,
  id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

function toApiDevice(device: DeviceInfo): z.output<typeof deviceSchema> {
  return {
    id: device.id,
    kind: device.kind,
    name: device.name,
    createdAt: isoTime(device.createdAt),
    lastSeenAt: isoTime(device.lastSeenAt),
    lastRemote: device.lastRemote,
    remembered: device.remembered,
    expiresAt: isoTime(device.expiresAt),
  };
}

/**
 * /users/{address}/devices for administrators: a user's messenger devices,
 * and revoking one (its resume token stops working and its open sessions
 * close on every node).
 */
export function installDeviceAdminRoutes(
  app: ApiApp,
  deps: { tokens: ApiTokenService; devices: DeviceService; control: SessionControl },
): void {
  app.register(
    async (api: ApiApp) => {
      requireAdminToken(api, deps.tokens, deps.devices);
      api.get(
        '/users/:address/devices',
        {
          schema: {
            tags,
            summary: "A user's active messenger devices",
            security: tokenSecurity,
            params: addressParams,
            response: { 200: deviceListSchema, ...errorResponses },
          },
        },
        async (request) => ({
          devices: (await deps.devices.listOf(request.params.address)).map(toApiDevice),
        }),
      );
      api.delete(
        '/users/:address/devices/:id',
        {
          schema: {
            tags,
            summary: 'Revoke a messenger device and close its sessions',
            security: tokenSecurity,
            params: deviceParams,
            response: { 204: noContent, ...errorResponses },
          },
        },
        async (request, reply) => {
          const { address, id } = request.params;
          await deps.devices.revokeOf(address, id, actorOf(request));
          await deps.control.revoked([id]);
          return reply.code(204).send();
        },
      );
    },
    { prefix: API_PREFIX },
  );
}
