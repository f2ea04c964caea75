import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { CooError, isCooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { DeviceKind } from '../../protocol/im/frames.ts';
import type { DeviceLogin, DeviceService } from './device-service.ts';

/** The person a client REST request acts for: like an ImSession, without a connection. */
export interface ImRequestUser {
  userId: number;
  address: string;
  name: string;
  deviceId: number;
  deviceKind: DeviceKind;
  deviceName: string;
  remote: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    imUser: ImRequestUser | null;
  }
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]{1,200})[ \t]*$/i;

/**
 * A preHandler for the messenger's client REST routes (`/api/v1/im/...`):
 * `Authorization: Bearer <resume token>` of a remembered device (RFC 6750
 * §2.1), checked like a resume. Puts the user on `request.imUser`; read it
 * with `imUserOf(request)`. Register it with
 * `app.addHook('preHandler', requireUserSession(devices))` inside the plugin
 * of your routes, or per route as `preHandler`.
 */
export function requireUserSession(devices: DeviceService): preHandlerAsyncHookHandler {
  return async function requireUserSessionHook(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    try {
      if (!match?.[1]) {
        throw new CooError(
          ErrorCode.AUTH_REQUIRED,
          'this API needs the device token of a remembered login: send "Authorization: Bearer <resumeToken>"',
        );
      }
      request.imUser = requestUser(await devices.authenticate(match[1], request.ip), request.ip);
    } catch (error) {
      if (isCooError(error) && error.code === ErrorCode.AUTH_REQUIRED) {
        reply.header('www-authenticate', 'Bearer realm="coo-im", error="invalid_token"');
      }
      throw error;
    }
  };
}

/**
 * requireUserSession, or a download ticket for the file in the path
 * (`?ticket=`, download-tickets.ts): what a plain link the browser follows
 * can carry, where it cannot send a header. Only for GET of a file.
 */
export function requireUserSessionOrTicket(devices: DeviceService): preHandlerAsyncHookHandler {
  const bearer = requireUserSession(devices);
  return async function requireUserSessionOrTicketHook(request: FastifyRequest, reply: FastifyReply) {
    const ticket = (request.query as { ticket?: unknown } | undefined)?.ticket;
    const fileId = (request.params as { id?: unknown } | undefined)?.id;
    if (typeof ticket !== 'string' || typeof fileId !== 'string') return bearer.call(this, request, reply);
    request.imUser = requestUser(await devices.authenticateDownloadTicket(ticket, fileId), request.ip);
  };
}

function requestUser(login: DeviceLogin, remote: string): ImRequestUser {
  return {
    userId: login.user.id,
    address: login.user.address,
    name: login.user.name,
    deviceId: login.device.id,
    deviceKind: login.device.kind as DeviceKind,
    deviceName: login.device.name,
    remote,
  };
}

/** The user of a request that passed requireUserSession. */
export function imUserOf(request: FastifyRequest): ImRequestUser {
  if (!request.imUser) {
    throw new Error(`route ${request.routeOptions.url ?? request.url} does not use requireUserSession`);
  }
  return request.imUser;
}
