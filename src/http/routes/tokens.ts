import { parseValidityDate } from '../../directory/user-fields.ts';
import type { Services } from '../../services.ts';
import { adminOf } from '../auth.ts';
import { errorResponses, isoTime, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  createdTokenSchema,
  createTokenBody,
  tokenListSchema,
  tokenParams,
  toApiToken,
} from './tokens.schema.ts';

const tags = ['tokens'];

/** /tokens: API tokens; the secret is shown once, on creation. */
export function registerTokenRoutes(app: ApiApp, services: Services): void {
  const tokens = services.tokens;

  app.get(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'List API tokens (never their secrets)',
        security: tokenSecurity,
        response: { 200: tokenListSchema, ...errorResponses },
      },
    },
    async () => ({ tokens: (await tokens.list()).map(toApiToken) }),
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token acting as an administrator',
        security: tokenSecurity,
        body: createTokenBody,
        response: { 201: createdTokenSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const admin = adminOf(request);
      const { name, expiresAt } = request.body;
      const owner = (await services.directory.users.get(request.body.owner ?? admin.address)).address;
      const expires = expiresAt == null ? null : parseValidityDate('expiresAt', expiresAt, 'end');
      const created = await tokens.create(name, owner, admin.actor, expires);
      // The secret only leaves the server in this answer: keep it out of caches.
      reply.header('cache-control', 'no-store');
      return reply
        .code(201)
        .send({ id: created.id, name, owner, expiresAt: isoTime(expires), token: created.token });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API token',
        security: tokenSecurity,
        params: tokenParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await tokens.revoke(request.params.id, adminOf(request).actor);
      return reply.code(204).send();
    },
  );
}
