import { useEffect, useState } from 'react';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { errorCode } from './chat-client.ts';
import { chatSessionFor } from './chat-session.ts';
import { ChatView } from './ChatView.tsx';
import { ConversationList } from './ConversationList.tsx';
import { chatMessages, errorKey } from './messages.ts';
import { NewChatDialog } from './NewChatDialog.tsx';
import './chats.css';

/**
 * `#/chats` (the list), `#/chats/<id>` (the list and that chat; the chat
 * alone on a phone) and `#/chats/with/<userId>` (opens, or starts, the 1:1
 * with that person, then shows it under its own id).
 */
export function ChatsPage({ session, route }: { session: Session; route: string[] }) {
  const chatSession = chatSessionFor(session);
  const [creating, setCreating] = useState(false);
  const openId = /^\d+$/.test(route[0] ?? '') ? Number(route[0]) : null;
  const withUser = route[0] === 'with' && /^\d+$/.test(route[1] ?? '') ? Number(route[1]) : null;

  return (
    <div className="chats" data-pane={openId !== null || withUser !== null ? 'chat' : 'list'}>
      <ConversationList chat={chatSession.chat} selectedId={openId} onNew={() => setCreating(true)} />
      <section className="chat-pane">
        {withUser !== null ? (
          <OpenDirect key={withUser} session={session} userId={withUser} />
        ) : openId !== null ? (
          <ChatView key={openId} session={session} chatSession={chatSession} conversationId={openId} />
        ) : (
          <EmptyPane />
        )}
      </section>
      {creating && (
        <NewChatDialog session={session} chat={chatSession.chat} onClose={() => setCreating(false)} />
      )}
    </div>
  );
}

function EmptyPane() {
  const t = useT(chatMessages);
  return (
    <div className="chat-empty">
      <p>{t('pickChat')}</p>
    </div>
  );
}

/** Finds or creates the 1:1, then replaces the route so Back does not come here again. */
function OpenDirect({ session, userId }: { session: Session; userId: number }) {
  const t = useT(chatMessages);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    chatSessionFor(session)
      .chat.directWith(userId)
      .then(
        (conversation) => {
          if (live) window.location.replace(href('chats', conversation.id));
        },
        (failure: unknown) => {
          if (!live) return;
          const code = errorCode(failure);
          setError(t(errorKey(code), { code, message: (failure as Error).message }));
        },
      );
    return () => {
      live = false;
    };
  }, [session, userId, t]);
  return (
    <div className="chat-empty">
      {error ? (
        <>
          <p role="alert" className="form-error">
            {error}
          </p>
          <a href={href('chats')}>{t('backToList')}</a>
        </>
      ) : (
        <p role="status">{t('openingChat')}</p>
      )}
    </div>
  );
}
