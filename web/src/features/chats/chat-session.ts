import type { Message, MessageHistoryResult } from '../../../../src/protocol/im/conversations.ts';
import { api, apiToken } from '../../lib/api.ts';
import type { Connection } from '../../lib/connection.ts';
import type { Session } from '../../lib/session.ts';
import { Uploads } from '../files/uploads.ts';
import { ChatClient } from './chat-client.ts';

/**
 * One ChatClient and one upload tray per logged-in connection, created the
 * first time the chats are shown and kept while the session lasts: the
 * list stays live and the outbox keeps sending while the user is elsewhere
 * in the app.
 */
export interface ChatSession {
  chat: ChatClient;
  uploads: Uploads;
}

const sessions = new WeakMap<Connection, ChatSession>();

async function fetchLastMessage(conversationId: number): Promise<Message | null> {
  const page = await api<MessageHistoryResult>(`/api/v1/im/conversations/${conversationId}/messages?limit=1`);
  return page.messages[0] ?? null;
}

export function chatSessionFor(session: Session): ChatSession {
  const connection = session.connection;
  let existing = sessions.get(connection);
  if (existing) return existing;
  const chat = new ChatClient(connection, session.user.id, { fetchLastMessage });
  const uploads = new Uploads({ token: apiToken });
  existing = { chat, uploads };
  sessions.set(connection, existing);
  chat.start();
  const flush = () => chat.outbox.flush();
  const resume = () => uploads.resumeInterrupted();
  window.addEventListener('pagehide', flush);
  window.addEventListener('online', resume);
  const unsubscribe = connection.status.subscribe(() => {
    if (connection.status.get().kind !== 'ended') return;
    unsubscribe();
    window.removeEventListener('pagehide', flush);
    window.removeEventListener('online', resume);
    chat.stop();
  });
  return existing;
}
