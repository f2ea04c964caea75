import { actorOf } from '../../http/auth.ts';
import { errorResponses, noContent, tokenSecurity, type ApiApp } from '../../http/routes/common.schema.ts';
import type { Services } from '../../services.ts';
import { botListSchema, botParams, createBotBody, createdBotSchema, toApiBot } from './bot-routes.schema.ts';
import { BotService } from './bot-service.ts';

const tags = ['bots'];

/** /bots in the admin API: make, list and remove bots; a bot's token is shown once, on creation. */
export function registerBotRoutes(app: ApiApp, services: Services): void {
  const bots = new BotService(services);

  app.get(
    '/bots',
    {
      schema: {
        tags,
        summary: 'List the bots (never their tokens)',
        security: tokenSecurity,
        response: { 200: botListSchema, ...errorResponses },
      },
    },
    async () => ({ bots: (await bots.list()).map(toApiBot) }),
  );

  app.post(
    '/bots',
    {
      schema: {
        tags,
        summary: 'Make a bot for an integration; its token is in this answer only',
        security: tokenSecurity,
        body: createBotBody,
        response: { 201: createdBotSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await bots.create(request.body.name, request.body.displayName, actorOf(request));
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ ...toApiBot(created.bot), token: created.token });
    },
  );

  app.delete(
    '/bots/:name',
    {
      schema: {
        tags,
        summary: 'Remove a bot: its token stops working and its account is disabled',
        security: tokenSecurity,
        params: botParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await bots.remove(request.params.name, actorOf(request));
      return reply.code(204).send();
    },
  );
}
