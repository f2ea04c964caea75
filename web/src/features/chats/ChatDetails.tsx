import { useMemo, useState, type FormEvent } from 'react';
import { CONVERSATION_LIMITS, type Conversation } from '../../../../src/protocol/im/conversations.ts';
import type { DirectoryPerson } from '../../../../src/protocol/im/directory.ts';
import { initials } from '../../lib/initials.ts';
import { useT } from '../../lib/i18n.ts';
import { navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { errorCode, type ChatClient } from './chat-client.ts';
import { chatMessages, errorKey } from './messages.ts';
import { PeoplePicker } from './PeoplePicker.tsx';
import './chat-panels.css';

/**
 * The side panel of a chat: its members and, for a group, renaming, adding
 * people (anyone), removing them (the owner) and leaving.
 */
export function ChatDetails({
  session,
  chat,
  conversation,
  onClose,
}: {
  session: Session;
  chat: ChatClient;
  conversation: Conversation;
  onClose: () => void;
}) {
  const t = useT(chatMessages);
  const [error, setError] = useState<string | null>(null);
  const [confirmLeave, setConfirmLeave] = useState(false);
  const group = conversation.kind === 'group';
  const iOwn = conversation.ownerId === chat.meId;
  const owner = conversation.members.find((m) => m.userId === conversation.ownerId);

  const run = (action: Promise<unknown>, then?: () => void) => {
    setError(null);
    action.then(
      () => then?.(),
      (failure: unknown) => {
        const code = errorCode(failure);
        setError(t(errorKey(code), { code, message: (failure as Error).message }));
      },
    );
  };

  return (
    <aside className="chat-details" aria-label={t('details')}>
      <header>
        <h2>{t('details')}</h2>
        <button type="button" className="link" onClick={onClose} aria-label={t('closeDetails')}>
          ✕
        </button>
      </header>
      {group && (
        <RenameForm
          key={conversation.title}
          conversation={conversation}
          onRename={(title) => run(chat.rename(conversation.id, title))}
        />
      )}
      {group && owner && <p className="chat-owner">{t('isOwner', { name: owner.displayName })}</p>}
      <section aria-labelledby={`members-${conversation.id}`}>
        <h3 id={`members-${conversation.id}`}>
          {t('members')} ({conversation.members.length})
        </h3>
        <ul className="member-list">
          {conversation.members.map((member) => (
            <li key={member.userId} data-testid="member">
              <span className="avatar" aria-hidden="true">
                {initials(member.displayName)}
              </span>
              <span className="person-text">
                <strong>
                  {member.displayName}
                  {member.userId === chat.meId && ` (${t('you')})`}
                </strong>
                <span>{member.address}</span>
              </span>
              {group && member.userId === conversation.ownerId && (
                <span className="owner-badge">{t('owner')}</span>
              )}
              {group && iOwn && member.userId !== chat.meId && (
                <button
                  type="button"
                  className="link danger"
                  onClick={() => run(chat.removeMembers(conversation.id, [member.userId]))}
                  aria-label={t('removeMember', { name: member.displayName })}
                >
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      {group && (
        <AddMembers
          session={session}
          conversation={conversation}
          onAdd={(ids, done) => run(chat.addMembers(conversation.id, ids), done)}
        />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {group &&
        (confirmLeave ? (
          <div className="message-confirm" role="alertdialog" aria-label={t('confirmLeave')}>
            <span>{t('confirmLeave')}</span>
            <button
              type="button"
              className="danger"
              onClick={() => run(chat.leave(conversation.id), () => navigate('chats'))}
            >
              {t('leave')}
            </button>
            <button type="button" onClick={() => setConfirmLeave(false)}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" className="danger" onClick={() => setConfirmLeave(true)}>
            {t('leave')}
          </button>
        ))}
    </aside>
  );
}

function RenameForm({
  conversation,
  onRename,
}: {
  conversation: Conversation;
  onRename: (title: string) => void;
}) {
  const t = useT(chatMessages);
  const [title, setTitle] = useState(conversation.title);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim() !== conversation.title) onRename(title.trim());
  };
  return (
    <form className="rename-form" onSubmit={submit}>
      <label className="field">
        {t('groupName')}
        <input
          type="text"
          value={title}
          maxLength={CONVERSATION_LIMITS.titleChars}
          onChange={(event) => setTitle(event.target.value)}
        />
      </label>
      <button type="submit" disabled={title.trim() === conversation.title}>
        {t('rename')}
      </button>
    </form>
  );
}

function AddMembers({
  session,
  conversation,
  onAdd,
}: {
  session: Session;
  conversation: Conversation;
  onAdd: (userIds: number[], done: () => void) => void;
}) {
  const t = useT(chatMessages);
  const [people, setPeople] = useState<DirectoryPerson[]>([]);
  const exclude = useMemo(() => new Set(conversation.members.map((m) => m.userId)), [conversation.members]);
  return (
    <section className="add-members" aria-labelledby={`add-${conversation.id}`}>
      <h3 id={`add-${conversation.id}`}>{t('addMembers')}</h3>
      <PeoplePicker session={session} selected={people} onChange={setPeople} exclude={exclude} />
      <button
        type="button"
        className="primary"
        disabled={people.length === 0}
        onClick={() =>
          onAdd(
            people.map((p) => p.id),
            () => setPeople([]),
          )
        }
      >
        {t('add')}
      </button>
    </section>
  );
}
