import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiTokenService } from '../auth/api-tokens.ts';
import type { Actor } from '../directory/types.ts';
import { CooError, isCooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';

/** The administrator a request acts as, once its token has been checked. */
export interface RequestAdmin {
  address: string;
  tokenName: string;
  /** For the audit log: the admin's address, protocol "http", the client's IP. */
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin: RequestAdmin | null;
  }
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;
const MAX_AUTHORIZATION_LENGTH = 512;

/**
 * Requires `Authorization: Bearer coo_…` on every route of the instance it is
 * added to (RFC 6750 §2.1): an API token, or, when `devices` is given, the
 * device token of an administrator's messenger login (the web console). No token or a bad one is 401 with a challenge; a
 * token whose admin can no longer administer is 403.
 */
export function requireAdminToken(
  app: FastifyInstance,
  tokens: ApiTokenService,
  devices?: DeviceTokenCheck,
): void {
  if (!app.hasRequestDecorator('admin')) app.decorateRequest('admin', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      throw new CooError(
        ErrorCode.AUTH_REQUIRED,
        'this API needs an API token: send "Authorization: Bearer <token>"',
      );
    }
    const match = header.length <= MAX_AUTHORIZATION_LENGTH ? BEARER.exec(header) : null;
    let authenticated: { user: { address: string }; tokenName: string };
    try {
      if (!match?.[1])
        throw new CooError(ErrorCode.AUTH_REQUIRED, 'the Authorization header is not "Bearer <token>"');
      authenticated =
        devices && match[1].startsWith(DEVICE_TOKEN_PREFIX)
          ? await adminByDevice(devices, match[1], request.ip)
          : await tokens.authenticate(match[1]);
    } catch (error) {
      // RFC 6750 §3.1: tell the client the token it sent is the problem.
      if (isCooError(error) && error.code === ErrorCode.AUTH_REQUIRED) {
        reply.header('www-authenticate', 'Bearer realm="coo", error="invalid_token"');
      }
      throw error;
    }
    const { user, tokenName } = authenticated;
    request.admin = {
      address: user.address,
      tokenName,
      actor: { name: user.address, protocol: 'http', remote: request.ip },
    };
  });
}

/**
 * The device tokens of the messenger (a remembered login's resume token, or
 * a session's token), checked by the messenger's device service. The web
 * console calls the admin API with its own login's token rather than an API
 * token, so an administrator needs no extra credential in the browser.
 */
export interface DeviceTokenCheck {
  authenticate(
    token: string,
    remote: string,
  ): Promise<{ user: { address: string; admin: boolean }; device: { id: number; name: string } }>;
}

const DEVICE_TOKEN_PREFIX = 'coo_dev_';

async function adminByDevice(
  devices: DeviceTokenCheck,
  token: string,
  remote: string,
): Promise<{ user: { address: string }; tokenName: string }> {
  const login = await devices.authenticate(token, remote);
  if (!login.user.admin) {
    throw new CooError(ErrorCode.AUTH_FORBIDDEN, `${login.user.address} is not an administrator`);
  }
  return { user: login.user, tokenName: `device ${login.device.id} (${login.device.name})` };
}

/** The admin of an authenticated request; a route outside the API has none. */
export function adminOf(request: FastifyRequest): RequestAdmin {
  if (!request.admin)
    throw new Error(`route ${request.routeOptions.url ?? request.url} has no admin: it is outside the API`);
  return request.admin;
}

export function actorOf(request: FastifyRequest): Actor {
  return adminOf(request).actor;
}
