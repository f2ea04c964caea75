import type { FastifyReply, FastifyRequest } from 'fastify';
import { CooError, isCooError } from '../../errors.ts';
import { errorResponses, type ApiApp } from '../../http/routes/common.schema.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { BotPoster } from './bot-poster.ts';
import {
  botMemoBody,
  botMemoResultSchema,
  botMessageBody,
  botMessageResultSchema,
} from './bot-routes.schema.ts';
import type { BotIdentity, BotService } from './bot-service.ts';

declare module 'fastify' {
  interface FastifyRequest {
    bot: BotIdentity | null;
  }
}

export const BOT_API_PREFIX = '/api/v1/bot';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]{1,200})[ \t]*$/i;
const botSecurity = [{ botToken: [] }];
const tags = ['bot API'];

/**
 * The integration API a bot calls with its own token (RFC 6750 §2.1):
 * POST /api/v1/bot/messages and /api/v1/bot/memos.
 */
export function installBotApi(app: ApiApp, deps: { bots: BotService; poster: BotPoster }): void {
  app.register(
    async (api: ApiApp) => {
      if (!api.hasRequestDecorator('bot')) api.decorateRequest('bot', null);
      api.addHook('onRequest', async (request, reply) => authenticateBot(request, reply, deps.bots));

      api.post(
        '/messages',
        {
          schema: {
            tags,
            summary: "A chat message in the bot's 1:1 with a person, or with each member of a unit",
            security: botSecurity,
            body: botMessageBody,
            response: { 200: botMessageResultSchema, ...errorResponses },
          },
        },
        async (request) => deps.poster.message(botOf(request), request.ip, request.body),
      );

      api.post(
        '/memos',
        {
          schema: {
            tags,
            summary: 'A memo to users and whole org units',
            security: botSecurity,
            body: botMemoBody,
            response: { 200: botMemoResultSchema, ...errorResponses },
          },
        },
        async (request) => deps.poster.memo(botOf(request), request.ip, request.body),
      );
    },
    { prefix: BOT_API_PREFIX },
  );
}

async function authenticateBot(
  request: FastifyRequest,
  reply: FastifyReply,
  bots: BotService,
): Promise<void> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  try {
    if (!match?.[1]) {
      throw new CooError(
        ErrorCode.AUTH_REQUIRED,
        'the bot API needs a bot token: send "Authorization: Bearer <token>"',
      );
    }
    request.bot = await bots.authenticate(match[1]);
  } catch (error) {
    if (isCooError(error) && error.code === ErrorCode.AUTH_REQUIRED) {
      reply.header('www-authenticate', 'Bearer realm="coo-bot", error="invalid_token"');
    }
    throw error;
  }
}

function botOf(request: FastifyRequest): BotIdentity {
  if (!request.bot) throw new Error(`route ${request.url} is outside the bot API`);
  return request.bot;
}
