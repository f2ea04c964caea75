import type { preHandlerAsyncHookHandler } from 'fastify';
import type { ApiApp } from '../../http/routes/common.schema.ts';
import { memoHandlers } from '../memos/memo-handlers.ts';
import { MemoService } from '../memos/memo-service.ts';
import { MemoSync } from '../memos/memo-sync.ts';
import type { FrameHandler, SyncSource } from '../types.ts';
import { conversationHandlers } from './conversation-handlers.ts';
import { ConversationService } from './conversation-service.ts';
import { ConversationSync } from './conversation-sync.ts';
import type { MessagingDeps } from './deps.ts';
import { installHistoryRoute } from './history-route.ts';
import { messageHandlers } from './message-handlers.ts';
import { MessageService } from './message-service.ts';

export interface MessagingArea {
  conversations: ConversationService;
  messages: MessageService;
  memos: MemoService;
  handlers: FrameHandler[];
  syncSources: SyncSource[];
  /** The client REST route for history pages. */
  installRoutes(app: ApiApp, userSession: preHandlerAsyncHookHandler): void;
}

/** Chats and memos: their services, frame handlers, sync sources and REST route, wired once. */
export function createMessagingArea(deps: MessagingDeps): MessagingArea {
  const conversations = new ConversationService(deps);
  const messages = new MessageService(deps);
  const memos = new MemoService(deps);
  const db = deps.services.store.db;
  return {
    conversations,
    messages,
    memos,
    handlers: [...conversationHandlers(conversations), ...messageHandlers(messages), ...memoHandlers(memos)],
    syncSources: [new ConversationSync(db), new MemoSync(db)],
    installRoutes: (app, userSession) => installHistoryRoute(app, { messages, userSession }),
  };
}
