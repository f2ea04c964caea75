import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { initials } from '../../lib/initials.ts';
import { formatWhen, useLocale, useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import { useStore } from '../../lib/store.ts';
import type { ChatClient } from './chat-client.ts';
import { conversationTitle, type ConversationEntry } from './chat-model.ts';
import { segmentText } from './mentions.ts';
import { chatMessages } from './messages.ts';

const ROW_HEIGHT = 68;

/** The conversations, latest activity first, with unread badges and the last message. */
export function ConversationList({
  chat,
  selectedId,
  onNew,
}: {
  chat: ChatClient;
  selectedId: number | null;
  onNew: () => void;
}) {
  const t = useT(chatMessages);
  const state = useStore(chat.list);
  const [filter, setFilter] = useState('');
  const scroller = useRef<HTMLDivElement>(null);
  const entries = useMemo(() => {
    const query = filter.trim().toLowerCase();
    if (query === '') return state.entries;
    return state.entries.filter((e) => {
      const title = conversationTitle(e.conversation, chat.meId).toLowerCase();
      return (
        title.includes(query) || e.conversation.members.some((m) => m.address.toLowerCase().includes(query))
      );
    });
  }, [state.entries, filter, chat.meId]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => entries[index]?.conversation.id ?? index,
    overscan: 8,
  });

  return (
    <nav className="chat-list" aria-label={t('chatList')}>
      <header className="chat-list-header">
        <h1>{t('chats')}</h1>
        <button type="button" className="primary" onClick={onNew}>
          {t('newChat')}
        </button>
      </header>
      <div className="chat-list-filter">
        <input
          type="search"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          placeholder={t('filterChats')}
          aria-label={t('filterChats')}
        />
      </div>
      <div className="chat-list-scroll" ref={scroller}>
        {state.status === 'loading' && <p className="chat-list-note">{t('loading')}</p>}
        {state.status === 'error' && (
          <p className="chat-list-note" role="alert">
            {t('loadFailed')}{' '}
            <button type="button" className="link" onClick={() => void chat.reload()}>
              {t('retry')}
            </button>
          </p>
        )}
        {state.status === 'ready' && entries.length === 0 && (
          <p className="chat-list-note">{filter ? t('noMatch') : t('noChats')}</p>
        )}
        <ul style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const entry = entries[item.index];
            if (!entry) return null;
            return (
              <li
                key={item.key}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                data-testid="conversation"
              >
                <ConversationRow chat={chat} entry={entry} selected={entry.conversation.id === selectedId} />
              </li>
            );
          })}
        </ul>
      </div>
    </nav>
  );
}

const ConversationRow = memo(function ConversationRow({
  chat,
  entry,
  selected,
}: {
  chat: ChatClient;
  entry: ConversationEntry;
  selected: boolean;
}) {
  const t = useT(chatMessages);
  const locale = useLocale();
  const { conversation, unread, lastMessage } = entry;
  const typing = useStore(chat.typing, (all) => all[conversation.id]);
  const title = conversationTitle(conversation, chat.meId) || t('emptyGroup');
  const when = conversation.lastMessageAt ?? conversation.createdAt;

  useEffect(() => {
    if (lastMessage === undefined) chat.wantPreview(conversation.id);
  }, [chat, conversation.id, lastMessage]);

  const isTyping = typing !== undefined && Object.keys(typing).length > 0;
  let preview: string;
  if (isTyping) preview = t('typingShort');
  else if (lastMessage === undefined) preview = '';
  else if (lastMessage === null) preview = t('noMessagesYet');
  else if (lastMessage.deletedAt !== null) preview = t('deletedPreview');
  else {
    const text =
      lastMessage.text.trim() || t('filePreview', { name: lastMessage.attachments[0]?.name ?? '' });
    const sender =
      lastMessage.senderId === chat.meId
        ? t('youPrefix')
        : conversation.kind === 'group'
          ? `${conversation.members.find((m) => m.userId === lastMessage.senderId)?.displayName ?? ''}: `
          : '';
    // Mentions read as the member's name, as in the chat.
    const readable = segmentText(text, conversation.members)
      .map((segment) =>
        segment.kind === 'mention' && segment.member ? `@${segment.member.displayName}` : segment.text,
      )
      .join('');
    preview = sender + readable.replace(/\s+/g, ' ');
  }

  return (
    <a
      href={href('chats', conversation.id)}
      className="chat-row"
      aria-current={selected ? 'page' : undefined}
      data-unread={unread > 0 || undefined}
    >
      <span className="avatar" aria-hidden="true" data-kind={conversation.kind}>
        {conversation.kind === 'group' ? '👥' : initials(title)}
      </span>
      <span className="chat-row-main">
        <span className="chat-row-top">
          <span className="chat-row-title">{title}</span>
          <time className="chat-row-time" dateTime={new Date(when).toISOString()}>
            {formatWhen(when, locale)}
          </time>
        </span>
        <span className="chat-row-bottom">
          <span className="chat-row-preview" data-typing={isTyping || undefined}>
            {preview}
          </span>
          {unread > 0 && (
            <span className="badge" data-testid="unread-badge" aria-label={t('unread', { count: unread })}>
              {unread > 99 ? '99+' : unread}
            </span>
          )}
        </span>
      </span>
    </a>
  );
});
