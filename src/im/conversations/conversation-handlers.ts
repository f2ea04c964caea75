import { z } from 'zod';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CONVERSATION_LIMITS, type ConversationListResult } from '../../protocol/im/conversations.ts';
import { frameHandler, type FrameHandler } from '../types.ts';
import type { ConversationService } from './conversation-service.ts';
import { actorOfSession } from './deps.ts';
import { entityId, requestId, userIds } from './frame-schemas.ts';

const title = z.string().max(CONVERSATION_LIMITS.titleChars * 2);

/** `conversation.create|rename|add|remove|leave|list` (docs/protocol/conversations.md). */
export function conversationHandlers(conversations: ConversationService): FrameHandler[] {
  return [
    frameHandler({
      type: 'conversation.create',
      schema: z.object({
        t: z.literal('conversation.create'),
        id: requestId,
        kind: z.enum(['direct', 'group']),
        userIds,
        title: title.optional(),
      }),
      async handle(connection, frame) {
        const actor = actorOfSession(connection.session);
        if (frame.kind === 'group') return conversations.createGroup(actor, frame.title ?? '', frame.userIds);
        const [other] = frame.userIds;
        if (frame.userIds.length !== 1 || other === undefined) {
          throw new CooError(
            ErrorCode.INVALID_INPUT,
            'userIds: a 1:1 conversation names exactly one other user',
            [{ field: 'userIds', message: 'exactly one for a 1:1' }],
          );
        }
        return conversations.createDirect(actor, other);
      },
    }),
    frameHandler({
      type: 'conversation.rename',
      schema: z.object({
        t: z.literal('conversation.rename'),
        id: requestId,
        conversationId: entityId,
        title,
      }),
      handle: (connection, frame) =>
        conversations.rename(actorOfSession(connection.session), frame.conversationId, frame.title),
    }),
    frameHandler({
      type: 'conversation.add',
      schema: z.object({
        t: z.literal('conversation.add'),
        id: requestId,
        conversationId: entityId,
        userIds,
      }),
      handle: (connection, frame) =>
        conversations.addMembers(actorOfSession(connection.session), frame.conversationId, frame.userIds),
    }),
    frameHandler({
      type: 'conversation.remove',
      schema: z.object({
        t: z.literal('conversation.remove'),
        id: requestId,
        conversationId: entityId,
        userIds,
      }),
      handle: (connection, frame) =>
        conversations.removeMembers(actorOfSession(connection.session), frame.conversationId, frame.userIds),
    }),
    frameHandler({
      type: 'conversation.leave',
      schema: z.object({ t: z.literal('conversation.leave'), id: requestId, conversationId: entityId }),
      async handle(connection, frame) {
        await conversations.leave(actorOfSession(connection.session), frame.conversationId);
        return {};
      },
    }),
    frameHandler({
      type: 'conversation.list',
      schema: z.object({ t: z.literal('conversation.list'), id: requestId }),
      async handle(connection): Promise<ConversationListResult> {
        return { conversations: await conversations.list(actorOfSession(connection.session)) };
      },
    }),
  ];
}
