import swagger from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { ApiApp } from './routes/common.schema.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * Collects every route's zod schemas into an OpenAPI 3.1 document, served
 * without authentication at /api/v1/openapi.json. Must be registered before
 * the routes it describes.
 */
export async function installOpenApi(app: ApiApp, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coo admin API',
        version,
        description:
          'Administration of a Coo server: users, org units, groups, domains, API tokens and the audit log. ' +
          'Every /api/v1 route needs "Authorization: Bearer <token>" with a token made by `coo token create` ' +
          'or POST /api/v1/tokens. Errors are {"error": {"code", "message", "details"}}; see docs/api.md.',
      },
      components: {
        securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token, coo_…' } },
      },
      tags: [
        { name: 'users' },
        { name: 'org' },
        { name: 'groups' },
        { name: 'domains' },
        { name: 'tokens' },
        { name: 'audit' },
        { name: 'operations' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
  );
}
