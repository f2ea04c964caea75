import { useMemo, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { CONVERSATION_LIMITS, type Conversation } from '../../../../src/protocol/im/conversations.ts';
import { useT } from '../../lib/i18n.ts';
import { useStore } from '../../lib/store.ts';
import type { Uploads } from '../files/uploads.ts';
import type { ChatClient } from './chat-client.ts';
import { insertMention, matchMembers, mentionQueryAt, type MentionCandidate } from './mentions.ts';
import { chatMessages } from './messages.ts';

/**
 * On a phone the on-screen keyboard's Enter is the way to break a line (it
 * has no Shift to hold): there the Send button sends.
 */
const touchKeyboard =
  typeof matchMedia === 'function' && matchMedia('(hover: none) and (pointer: coarse)').matches;

/**
 * Writing a message: Enter sends, Shift+Enter breaks the line (and neither
 * fires while an IME is composing Japanese). The text is the conversation's
 * draft, kept across reloads. `@` opens the member list for a mention;
 * files come from the paperclip, a paste, or a drop on the chat.
 */
export function Composer({
  chat,
  uploads,
  conversation,
  placeholderName,
  onEditLast,
}: {
  chat: ChatClient;
  uploads: Uploads;
  conversation: Conversation;
  placeholderName: string;
  onEditLast: () => void;
}) {
  const t = useT(chatMessages);
  const id = conversation.id;
  const [text, setText] = useState(() => chat.outbox.draft(id));
  const [mention, setMention] = useState<{ start: number; query: string; index: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const items = useStore(uploads.items);
  const mine = items.filter((item) => item.conversationId === id);
  const uploading = mine.some((item) => item.status === 'uploading');
  const ready = mine.some((item) => item.status === 'done');

  const candidates = useMemo(
    () =>
      conversation.members
        .filter((m) => m.userId !== chat.meId)
        .map((m): MentionCandidate => ({ userId: m.userId, address: m.address, displayName: m.displayName })),
    [conversation.members, chat.meId],
  );
  const matches = mention ? matchMembers(candidates, mention.query) : [];
  const listOpen = mention !== null && matches.length > 0;

  const change = (value: string, caret: number) => {
    setText(value);
    setError(null);
    chat.outbox.setDraft(id, value);
    if (value.trim() !== '') chat.sendTyping(id);
    const found = mentionQueryAt(value, caret);
    setMention(found ? { ...found, index: 0 } : null);
  };

  const pick = (candidate: MentionCandidate) => {
    if (!mention) return;
    const caret = input.current?.selectionStart ?? text.length;
    const next = insertMention(text, mention.start, caret, candidate.address);
    setText(next.text);
    chat.outbox.setDraft(id, next.text);
    setMention(null);
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const send = () => {
    const body = text.trim();
    if (uploading) {
      setError(t('waitForUploads'));
      return;
    }
    if ([...body].length > CONVERSATION_LIMITS.messageChars) {
      setError(t('errTooLong', { max: CONVERSATION_LIMITS.messageChars }));
      return;
    }
    if (body === '' && !ready) return;
    const attachments = uploads.takeReady(id);
    chat.sendMessage(id, body, attachments);
    setText('');
    setMention(null);
    chat.outbox.setDraft(id, '');
    chat.outbox.flush();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing || event.keyCode === 229) return;
    if (listOpen && mention) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const step = event.key === 'ArrowDown' ? 1 : -1;
        setMention({ ...mention, index: (mention.index + step + matches.length) % matches.length });
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        const chosen = matches[mention.index] ?? matches[0];
        if (chosen) pick(chosen);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        setMention(null);
        return;
      }
    }
    if (event.key === 'Enter' && !event.shiftKey && !touchKeyboard) {
      event.preventDefault();
      send();
    } else if (event.key === 'ArrowUp' && text === '') {
      event.preventDefault();
      onEditLast();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    for (const file of files) uploads.add(id, file);
  };

  const listId = `mentions-${id}`;
  return (
    <div className="composer">
      {listOpen && mention && (
        <ul className="mention-list" id={listId} role="listbox" aria-label={t('mentionList')}>
          {matches.map((candidate, index) => (
            <li
              key={candidate.userId}
              id={`${listId}-${candidate.userId}`}
              role="option"
              aria-selected={index === mention.index}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(candidate);
              }}
            >
              <strong>{candidate.displayName}</strong> <span>{candidate.address}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <button
          type="button"
          className="composer-attach"
          onClick={() => fileInput.current?.click()}
          aria-label={t('attach')}
          title={t('attach')}
        >
          📎
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label={t('attach')}
          onChange={(event) => {
            for (const file of event.target.files ?? []) uploads.add(id, file);
            event.target.value = '';
          }}
        />
        <textarea
          ref={input}
          value={text}
          rows={1}
          onChange={(event) => change(event.target.value, event.target.selectionStart)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => setMention(null)}
          placeholder={t('composerPlaceholder', { name: placeholderName })}
          aria-label={t('composer')}
          aria-describedby={`composer-hint-${id}`}
          aria-autocomplete="list"
          aria-controls={listOpen ? listId : undefined}
          aria-activedescendant={
            listOpen && mention ? `${listId}-${matches[mention.index]?.userId ?? ''}` : undefined
          }
        />
        <button
          type="button"
          className="primary composer-send"
          onClick={send}
          disabled={uploading || (text.trim() === '' && !ready)}
        >
          {t('send')}
        </button>
      </div>
      <p className="composer-hint" id={`composer-hint-${id}`}>
        {error ? (
          <span className="form-error" role="alert">
            {error}
          </span>
        ) : uploading ? (
          t('waitForUploads')
        ) : touchKeyboard ? null : (
          t('composerHint')
        )}
      </p>
    </div>
  );
}
