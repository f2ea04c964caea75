import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { CONVERSATION_LIMITS } from '../../../../src/protocol/im/conversations.ts';
import type { DirectoryPerson } from '../../../../src/protocol/im/directory.ts';
import { useT } from '../../lib/i18n.ts';
import { navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { errorCode, type ChatClient } from './chat-client.ts';
import { chatMessages, errorKey } from './messages.ts';
import { PeoplePicker } from './PeoplePicker.tsx';
import './chat-panels.css';

/** "New chat": one person makes (or opens) the 1:1, several make a group with an optional name. */
export function NewChatDialog({
  session,
  chat,
  onClose,
}: {
  session: Session;
  chat: ChatClient;
  onClose: () => void;
}) {
  const t = useT(chatMessages);
  const dialog = useRef<HTMLDialogElement>(null);
  const [people, setPeople] = useState<DirectoryPerson[]>([]);
  const [makeGroup, setMakeGroup] = useState(false);
  const [title, setTitle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const exclude = useMemo(() => new Set([chat.meId]), [chat.meId]);
  const group = makeGroup || people.length > 1;

  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (people.length === 0 && !group) return;
    setBusy(true);
    setError(null);
    const ids = people.map((p) => p.id);
    const created = group ? chat.create('group', ids, title.trim()) : chat.directWith(ids[0] ?? 0);
    created.then(
      (conversation) => {
        onClose();
        navigate('chats', conversation.id);
      },
      (failure: unknown) => {
        setBusy(false);
        const code = errorCode(failure);
        setError(t(errorKey(code), { code, message: (failure as Error).message }));
      },
    );
  };

  return (
    <dialog ref={dialog} className="chat-dialog" onClose={onClose} aria-labelledby="new-chat-title">
      <form onSubmit={submit}>
        <header>
          <h2 id="new-chat-title">{t('newChatTitle')}</h2>
          <button type="button" className="link" onClick={onClose} aria-label={t('close')}>
            ✕
          </button>
        </header>
        <PeoplePicker session={session} selected={people} onChange={setPeople} exclude={exclude} autoFocus />
        {people.length === 1 && (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={makeGroup}
              onChange={(event) => setMakeGroup(event.target.checked)}
            />
            {t('makeGroup')}
          </label>
        )}
        {group && (
          <label className="field">
            {t('groupTitle')}
            <input
              type="text"
              value={title}
              maxLength={CONVERSATION_LIMITS.titleChars}
              onChange={(event) => setTitle(event.target.value)}
            />
          </label>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <footer>
          <button type="button" onClick={onClose}>
            {t('cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || people.length === 0}>
            {group ? t('createGroup') : t('startChat')}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
