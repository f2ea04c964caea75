import { useCallback, useRef, useState, type DragEvent } from 'react';
import type { Conversation } from '../../../../src/protocol/im/conversations.ts';
import { initials } from '../../lib/initials.ts';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { useStore } from '../../lib/store.ts';
import { UploadTray } from '../files/UploadTray.tsx';
import type { ChatClient } from './chat-client.ts';
import { conversationTitle, otherMember } from './chat-model.ts';
import type { ChatSession } from './chat-session.ts';
import { ChatDetails } from './ChatDetails.tsx';
import { Composer } from './Composer.tsx';
import { MessageList } from './MessageList.tsx';
import { chatMessages } from './messages.ts';
import './chat-view.css';

/** One open chat: its header, the timeline, who is typing, the upload tray and the composer. */
export function ChatView({
  session,
  chatSession,
  conversationId,
}: {
  session: Session;
  chatSession: ChatSession;
  conversationId: number;
}) {
  const t = useT(chatMessages);
  const { chat, uploads } = chatSession;
  const entry = useStore(chat.list, (state) =>
    state.entries.find((e) => e.conversation.id === conversationId),
  );
  const listStatus = useStore(chat.list, (state) => state.status);
  const [editingSeq, setEditingSeq] = useState<number | null>(null);
  const [details, setDetails] = useState(false);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  const editLast = useCallback(() => {
    const messages = chat.timeline(conversationId).get().messages;
    for (let index = messages.length - 1; index >= 0; index--) {
      const message = messages[index];
      if (message && message.senderId === chat.meId && message.deletedAt === null) {
        setEditingSeq(message.seq);
        return;
      }
    }
  }, [chat, conversationId]);

  if (!entry) {
    return (
      <div className="chat-empty">
        {listStatus === 'loading' ? (
          <p role="status">{t('loading')}</p>
        ) : (
          <>
            <p role="alert">{t('chatNotFound')}</p>
            <a href={href('chats')}>{t('backToList')}</a>
          </>
        )}
      </div>
    );
  }
  const { conversation } = entry;
  const title = conversationTitle(conversation, chat.meId) || t('emptyGroup');
  const other = otherMember(conversation, chat.meId);

  const hasFiles = (event: DragEvent) => event.dataTransfer.types.includes('Files');
  const onDragEnter = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth.current++;
    setDragging(true);
  };
  const onDragLeave = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (event: DragEvent) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    for (const file of event.dataTransfer.files) uploads.add(conversation.id, file);
  };

  return (
    <div className="chat-view" data-details={details || undefined}>
      <div
        className="chat-main"
        onDragEnter={onDragEnter}
        onDragOver={(event) => hasFiles(event) && event.preventDefault()}
        onDragLeave={onDragLeave}
        onDrop={onDrop}
      >
        <header className="chat-header">
          <a className="chat-back" href={href('chats')} aria-label={t('back')}>
            ←
          </a>
          <span className="avatar" aria-hidden="true">
            {conversation.kind === 'group' ? '👥' : initials(title)}
          </span>
          <div className="chat-header-text">
            <h2 data-testid="chat-title">{title}</h2>
            <span className="chat-subtitle">
              {conversation.kind === 'group'
                ? t('membersCount', { count: conversation.members.length })
                : (other?.address ?? '')}
            </span>
          </div>
          <button
            type="button"
            className="link"
            onClick={() => setDetails((open) => !open)}
            aria-expanded={details}
            aria-label={t('details')}
            title={t('details')}
          >
            ⓘ
          </button>
        </header>
        <MessageList chat={chat} conversation={conversation} editingSeq={editingSeq} onEdit={setEditingSeq} />
        <TypingLine chat={chat} conversation={conversation} />
        <UploadTray uploads={uploads} conversationId={conversation.id} />
        <Composer
          chat={chat}
          uploads={uploads}
          conversation={conversation}
          placeholderName={title}
          onEditLast={editLast}
        />
        {dragging && (
          <div className="drop-overlay" aria-hidden="true">
            {t('dropHere')}
          </div>
        )}
      </div>
      {details && (
        <ChatDetails
          session={session}
          chat={chat}
          conversation={conversation}
          onClose={() => setDetails(false)}
        />
      )}
    </div>
  );
}

function TypingLine({ chat, conversation }: { chat: ChatClient; conversation: Conversation }) {
  const t = useT(chatMessages);
  const typing = useStore(chat.typing, (all) => all[conversation.id]);
  const names = Object.keys(typing ?? {})
    .map((id) => conversation.members.find((m) => m.userId === Number(id))?.displayName)
    .filter((name): name is string => name !== undefined);
  const text =
    names.length === 0
      ? ''
      : names.length === 1
        ? t('typingOne', { name: names[0] ?? '' })
        : names.length === 2
          ? t('typingTwo', { first: names[0] ?? '', second: names[1] ?? '' })
          : t('typingMany');
  return (
    <div className="typing-line" role="status" aria-live="polite" data-testid="typing">
      {text}
    </div>
  );
}
