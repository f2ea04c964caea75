import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  checkAnswer,
  checkQuery,
  createRuleBody,
  hideAnswer,
  hideBody,
  modeAnswer,
  modeSchemaBody,
  ruleParams,
  ruleSchema,
  rulesOverviewSchema,
  toApiCheck,
  toApiRule,
} from './visibility.schema.ts';

const tags = ['rules'];

/** /rules: who may see and message whom; /org/units/hide and /unhide. */
export function registerVisibilityRoutes(app: ApiApp, services: Services): void {
  const admin = services.visibility.admin;

  app.get(
    '/rules',
    {
      schema: {
        tags,
        summary: 'The mode, every rule and the hidden units',
        security: tokenSecurity,
        response: { 200: rulesOverviewSchema, ...errorResponses },
      },
    },
    async () => {
      const overview = await admin.overview();
      return { ...overview, rules: overview.rules.map(toApiRule) };
    },
  );

  app.post(
    '/rules',
    {
      schema: {
        tags,
        summary: 'Add a rule: subject may (or may not) see or message object',
        security: tokenSecurity,
        body: createRuleBody,
        response: { 201: ruleSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(toApiRule(await admin.addRule(request.body, actorOf(request)))),
  );

  app.delete(
    '/rules/:id',
    {
      schema: {
        tags,
        summary: 'Remove a rule',
        security: tokenSecurity,
        params: ruleParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await admin.removeRule(request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/rules/mode',
    {
      schema: {
        tags,
        summary: 'The default mode: open or closed',
        security: tokenSecurity,
        response: { 200: modeAnswer, ...errorResponses },
      },
    },
    async () => ({ mode: await admin.mode() }),
  );

  app.put(
    '/rules/mode',
    {
      schema: {
        tags,
        summary: 'Set the default mode',
        security: tokenSecurity,
        body: modeSchemaBody,
        response: { 200: modeAnswer, ...errorResponses },
      },
    },
    async (request) => ({ mode: (await admin.setMode(request.body.mode, actorOf(request))).mode }),
  );

  app.get(
    '/rules/check',
    {
      schema: {
        tags,
        summary: 'Whether a may see and may message b, and what decided each',
        security: tokenSecurity,
        querystring: checkQuery,
        response: { 200: checkAnswer, ...errorResponses },
      },
    },
    async (request) => toApiCheck(await admin.check(request.query.a, request.query.b)),
  );

  for (const hidden of [true, false]) {
    app.post(
      hidden ? '/org/units/hide' : '/org/units/unhide',
      {
        schema: {
          tags: ['org', ...tags],
          summary: hidden
            ? 'Hide a unit: its members (and its sub-units’) are invisible outside it, except to admins'
            : 'Show a hidden unit again',
          security: tokenSecurity,
          body: hideBody,
          response: { 200: hideAnswer, ...errorResponses },
        },
      },
      async (request) => {
        const result = hidden
          ? await admin.hide(request.body.path, actorOf(request))
          : await admin.unhide(request.body.path, actorOf(request));
        return { ...result, hidden };
      },
    );
  }
}

/**
 * Users, units and groups changed through the API change who may see whom:
 * after any write the policy's cached facts of this process are dropped
 * (before the answer goes out, so the client's next request sees the change).
 * Changes made elsewhere (the CLI, another node) show within the cache's TTL.
 */
export function invalidateVisibilityAfterWrites(app: ApiApp, services: Services): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') services.visibility.invalidate();
    return payload;
  });
}
