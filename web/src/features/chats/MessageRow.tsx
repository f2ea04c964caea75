import { memo, useState, type KeyboardEvent } from 'react';
import {
  CONVERSATION_LIMITS,
  type Conversation,
  type Message,
} from '../../../../src/protocol/im/conversations.ts';
import { initials } from '../../lib/initials.ts';
import { formatDateTime, useLocale, useT, type Locale } from '../../lib/i18n.ts';
import { Attachments } from '../files/Attachments.tsx';
import { errorCode, type ChatClient } from './chat-client.ts';
import { continuesRun, readBy } from './chat-model.ts';
import { segmentText, type MentionCandidate } from './mentions.ts';
import { chatMessages, errorKey } from './messages.ts';
import type { OutgoingMessage } from './outbox.ts';

/** One message of the timeline: header (unless it continues a run), text, files, receipt, own actions. */
export const MessageRow = memo(function MessageRow({
  chat,
  conversation,
  message,
  previous,
  editing,
  onEdit,
}: {
  chat: ChatClient;
  conversation: Conversation;
  message: Message;
  previous: Message | undefined;
  editing: boolean;
  onEdit: (seq: number | null) => void;
}) {
  const t = useT(chatMessages);
  const locale = useLocale();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mine = message.senderId === chat.meId;
  const deleted = message.deletedAt !== null;
  const sender = conversation.members.find((m) => m.userId === message.senderId);
  const name = mine ? t('you') : (sender?.displayName ?? '—');
  const newDay = !previous || dayOf(previous.sentAt) !== dayOf(message.sentAt);
  const header = newDay || !continuesRun(previous, message);
  const readCount = mine && !deleted ? readBy(conversation, message) : 0;

  const remove = () => {
    setConfirming(false);
    chat.deleteMessage(conversation.id, message.seq).catch((failure: unknown) => {
      const code = errorCode(failure);
      setError(t(errorKey(code), { code, message: (failure as Error).message }));
    });
  };

  return (
    <>
      {newDay && (
        <div className="day-divider" role="separator">
          <span>{formatDay(message.sentAt, locale)}</span>
        </div>
      )}
      <article
        className="message"
        data-testid="message"
        aria-posinset={message.seq}
        aria-setsize={conversation.lastSeq}
        data-seq={message.seq}
        data-mine={mine || undefined}
        data-header={header || undefined}
        data-deleted={deleted || undefined}
      >
        {header && (
          <header className="message-header">
            <span className="avatar" aria-hidden="true">
              {initials(sender?.displayName ?? name)}
            </span>
            <strong className="message-sender">{name}</strong>
            <time
              dateTime={new Date(message.sentAt).toISOString()}
              title={formatDateTime(message.sentAt, locale)}
            >
              {formatClock(message.sentAt, locale)}
            </time>
          </header>
        )}
        <div className="message-body">
          {deleted ? (
            <p className="message-deleted">{t('deletedMessage')}</p>
          ) : editing ? (
            <EditBox
              chat={chat}
              conversationId={conversation.id}
              message={message}
              onDone={() => onEdit(null)}
            />
          ) : (
            <>
              {message.text !== '' && (
                <p className="message-text">
                  <MessageText text={message.text} members={conversation.members} meId={chat.meId} />
                  {message.editedAt !== null && <span className="message-edited"> {t('edited')}</span>}
                </p>
              )}
              <Attachments attachments={message.attachments} />
            </>
          )}
          {readCount > 0 && (
            <span className="receipt" data-testid="receipt">
              {conversation.kind === 'direct' ? t('read') : t('readBy', { count: readCount })}
            </span>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          {confirming && (
            <div className="message-confirm" role="alertdialog" aria-label={t('confirmDelete')}>
              <span>{t('confirmDelete')}</span>
              <button type="button" className="danger" onClick={remove}>
                {t('delete')}
              </button>
              <button type="button" onClick={() => setConfirming(false)} autoFocus>
                {t('cancel')}
              </button>
            </div>
          )}
        </div>
        {mine && !deleted && !editing && !confirming && (
          <div className="message-actions" role="toolbar" aria-label={t('messageActions')}>
            <button
              type="button"
              className="link"
              onClick={() => onEdit(message.seq)}
              aria-label={t('editMessage')}
            >
              {t('edit')}
            </button>
            <button type="button" className="link danger" onClick={() => setConfirming(true)}>
              {t('delete')}
            </button>
          </div>
        )}
      </article>
    </>
  );
});

/** A message the server has not confirmed: "sending…", or why it failed with retry and discard. */
export function OutgoingRow({ chat, outgoing }: { chat: ChatClient; outgoing: OutgoingMessage }) {
  const t = useT(chatMessages);
  const failed = outgoing.status === 'failed';
  const code = outgoing.error ?? 'INTERNAL';
  return (
    <article className="message" data-testid="message" data-mine data-status={outgoing.status} data-header>
      <div className="message-body">
        {outgoing.text !== '' && <p className="message-text">{outgoing.text}</p>}
        <Attachments attachments={outgoing.attachments} pending />
        {failed ? (
          <div className="message-failed" role="alert">
            <span>
              {t('failed')}:{' '}
              {t(errorKey(code), { code, message: code, max: CONVERSATION_LIMITS.messageChars })}
            </span>
            <button type="button" className="link" onClick={() => chat.retry(outgoing.clientId)}>
              {t('retry')}
            </button>
            <button type="button" className="link danger" onClick={() => chat.discard(outgoing.clientId)}>
              {t('discard')}
            </button>
          </div>
        ) : (
          <span className="receipt" role="status">
            {t('sending')}
          </span>
        )}
      </div>
    </article>
  );
}

/** The text with mentions highlighted (the reader's own more strongly) and links clickable. */
export function MessageText({
  text,
  members,
  meId,
}: {
  text: string;
  members: MentionCandidate[];
  meId: number;
}) {
  return (
    <>
      {segmentText(text, members).map((segment, index) => {
        switch (segment.kind) {
          case 'text':
            return <span key={index}>{segment.text}</span>;
          case 'mention':
            return (
              <span
                key={index}
                className="mention"
                data-me={segment.member?.userId === meId || undefined}
                title={segment.address}
              >
                @{segment.member?.displayName ?? segment.address}
              </span>
            );
          case 'link':
            return (
              <a key={index} href={segment.url} target="_blank" rel="noopener noreferrer">
                {segment.text}
              </a>
            );
          default: {
            const unknown: never = segment;
            return unknown;
          }
        }
      })}
    </>
  );
}

function EditBox({
  chat,
  conversationId,
  message,
  onDone,
}: {
  chat: ChatClient;
  conversationId: number;
  message: Message;
  onDone: () => void;
}) {
  const t = useT(chatMessages);
  const [text, setText] = useState(message.text);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const save = () => {
    const trimmed = text.trim();
    if (trimmed === message.text.trim()) return onDone();
    if (trimmed === '' && message.attachments.length === 0) return;
    setSaving(true);
    chat.edit(conversationId, message.seq, trimmed).then(onDone, (failure: unknown) => {
      setSaving(false);
      const code = errorCode(failure);
      setError(t(errorKey(code), { code, message: (failure as Error).message }));
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      onDone();
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      save();
    }
  };
  return (
    <div className="edit-box">
      <textarea
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        aria-label={t('editMessage')}
        rows={Math.min(8, text.split('\n').length + 1)}
        autoFocus
        disabled={saving}
      />
      <div className="edit-box-bar">
        <span className="hint">{t('editHint')}</span>
        <button type="button" onClick={onDone}>
          {t('cancel')}
        </button>
        <button type="button" className="primary" onClick={save} disabled={saving}>
          {t('save')}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function dayOf(ms: number): string {
  return new Date(ms).toDateString();
}

const dayFormats = new Map<Locale, Intl.DateTimeFormat>();
const clockFormats = new Map<Locale, Intl.DateTimeFormat>();

function cachedFormat(
  cache: Map<Locale, Intl.DateTimeFormat>,
  locale: Locale,
  options: Intl.DateTimeFormatOptions,
) {
  let format = cache.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en', options);
    cache.set(locale, format);
  }
  return format;
}

function formatDay(ms: number, locale: Locale): string {
  return cachedFormat(dayFormats, locale, {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    weekday: 'short',
  }).format(new Date(ms));
}

function formatClock(ms: number, locale: Locale): string {
  return cachedFormat(clockFormats, locale, { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}
