import swagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { ApiApp } from './routes/common.schema.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

/** The name a trailing wildcard (`/org/units/*`) gets in the document: "*" is no name for a parameter. */
const WILDCARD_PARAM = 'path';

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
          'Every /api/v1 route needs "Authorization: Bearer <token>" with a token made by ' +
          '`coo token add NAME --admin ADDRESS` or POST /api/v1/tokens. ' +
          'Errors are {"error": {"code", "message", "details"}}; see docs/api.md.',
      },
      components: {
        securitySchemes: {
          bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token, coo_…' },
          botToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'A bot token, coob_… (docs/integration.md)',
          },
        },
      },
      tags: [
        'users',
        'mail',
        'org',
        'groups',
        'domains',
        'tokens',
        'bots',
        'bot API',
        'audit',
        'operations',
      ].map((name) => ({ name })),
    },
    transform: nameWildcard,
    transformObject: withoutUnusedSchemas,
  });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger())),
  );
}

const nameWildcard: SwaggerTransform = (document) => {
  const result = jsonSchemaTransform(document);
  if (!result.url.endsWith('/*')) return result;
  const params = result.schema.params as
    { properties?: Record<string, unknown>; required?: string[] } | undefined;
  const properties = params?.properties ?? {};
  const { '*': wildcard, ...others } = properties;
  return {
    url: `${result.url.slice(0, -1)}:${WILDCARD_PARAM}`,
    schema: {
      ...result.schema,
      params: {
        ...params,
        properties: { ...others, [WILDCARD_PARAM]: wildcard },
        required: (params?.required ?? []).map((name) => (name === '*' ? WILDCARD_PARAM : name)),
      },
    },
  };
};

/**
 * The zod provider emits an input and an output variant of every named
 * schema; keep only those some path refers to, directly or through another.
 */
const withoutUnusedSchemas: SwaggerTransformObject = (document) => {
  const transformed = jsonSchemaTransformObject(document) as {
    paths?: unknown;
    components?: { schemas?: Record<string, unknown> };
  };
  const schemas = transformed.components?.schemas ?? {};
  const used = new Set<string>();
  const pending = [JSON.stringify(transformed.paths ?? {})];
  for (let text = pending.pop(); text !== undefined; text = pending.pop()) {
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name === undefined || used.has(name) || !(name in schemas)) continue;
      used.add(name);
      pending.push(JSON.stringify(schemas[name]));
    }
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return {
    ...transformed,
    components: { ...transformed.components, schemas: kept },
  } as ReturnType<SwaggerTransformObject>;
};
