import { z } from 'zod';
import { CONVERSATION_LIMITS } from '../../protocol/im/conversations.ts';
import { frameHandler, type FrameHandler } from '../types.ts';
import { actorOfSession } from './deps.ts';
import { entityId, fileIds, pageLimit, requestId, seq } from './frame-schemas.ts';
import type { MessageService } from './message-service.ts';

/** Code points are counted by the service; UTF-16 units are at most twice as many. */
const text = z.string().max(CONVERSATION_LIMITS.messageChars * 2);

/** `message.send|edit|delete|history`, `typing` and `read` (docs/protocol/conversations.md). */
export function messageHandlers(messages: MessageService): FrameHandler[] {
  return [
    frameHandler({
      type: 'message.send',
      schema: z.object({
        t: z.literal('message.send'),
        id: requestId,
        conversationId: entityId,
        text,
        attachments: fileIds.optional(),
        mentions: z.array(entityId).max(CONVERSATION_LIMITS.mentionsPerMessage).optional(),
        clientId: z.string().max(CONVERSATION_LIMITS.clientIdChars).optional(),
      }),
      handle: (connection, frame) => messages.send(actorOfSession(connection.session), frame),
    }),
    frameHandler({
      type: 'message.edit',
      schema: z.object({ t: z.literal('message.edit'), id: requestId, conversationId: entityId, seq, text }),
      handle: (connection, frame) =>
        messages.edit(actorOfSession(connection.session), frame.conversationId, frame.seq, frame.text),
    }),
    frameHandler({
      type: 'message.delete',
      schema: z.object({ t: z.literal('message.delete'), id: requestId, conversationId: entityId, seq }),
      handle: (connection, frame) =>
        messages.delete(actorOfSession(connection.session), frame.conversationId, frame.seq),
    }),
    frameHandler({
      type: 'message.history',
      schema: z.object({
        t: z.literal('message.history'),
        id: requestId,
        conversationId: entityId,
        before: seq.optional(),
        limit: pageLimit,
      }),
      handle: (connection, frame) =>
        messages.history(actorOfSession(connection.session), frame.conversationId, {
          before: frame.before,
          limit: frame.limit,
        }),
    }),
    frameHandler({
      type: 'typing',
      schema: z.object({ t: z.literal('typing'), id: requestId, conversationId: entityId }),
      handle: (connection, frame) =>
        messages.typing(actorOfSession(connection.session), frame.conversationId),
    }),
    frameHandler({
      type: 'read',
      schema: z.object({ t: z.literal('read'), id: requestId, conversationId: entityId, seq }),
      handle: (connection, frame) =>
        messages.read(actorOfSession(connection.session), frame.conversationId, frame.seq),
    }),
  ];
}
