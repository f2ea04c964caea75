import type { preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { ApiApp } from '../../http/routes/common.schema.ts';
import type { MessageHistoryResult } from '../../protocol/im/conversations.ts';
import { imUserOf } from '../sessions/rest-auth.ts';
import type { MessageService } from './message-service.ts';

/** Where clients page through a conversation's history over REST. */
export const HISTORY_PATH = '/api/v1/im/conversations/:id/messages';

const params = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const query = z.object({
  before: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().optional(),
});

/**
 * GET HISTORY_PATH?before=SEQ&limit=N: the same page as the `message.history`
 * frame (newest first, `hasMore`), for the device token of a remembered
 * login. Not a member (or no such conversation): 404 IM_CONVERSATION_UNKNOWN.
 */
export function installHistoryRoute(
  app: ApiApp,
  deps: { messages: MessageService; userSession: preHandlerAsyncHookHandler },
): void {
  app.get(
    HISTORY_PATH,
    {
      preHandler: deps.userSession,
      schema: {
        tags: ['messenger'],
        summary: 'A page of a conversation’s messages, newest first',
        params,
        querystring: query,
      },
    },
    async (request): Promise<MessageHistoryResult> => {
      const user = imUserOf(request);
      const actor = { userId: user.userId, address: user.address, protocol: 'http', remote: user.remote };
      return deps.messages.history(actor, request.params.id, request.query);
    },
  );
}
