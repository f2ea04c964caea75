import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { DirectoryProfile, DirectoryTree } from '../../../../src/protocol/im/directory.ts';
import { MEMO_LIMITS } from '../../../../src/protocol/im/memos.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { createStore, useStore } from '../../lib/store.ts';
import {
  addRecipient,
  addUnit,
  draftProblems,
  emptyDraft,
  findUnit,
  isEmptyDraft,
  loadDraft,
  oneLine,
  saveDraft,
  sendErrorKey,
  targetsOf,
  type Draft,
  type DraftProblem,
  type StorageLike,
} from './compose-model.ts';
import type { MemosStore } from './memos-store.ts';
import { memoMessages, type MemoMessageKey } from './messages.ts';
import { RecipientField } from './RecipientField.tsx';
import './compose.css';

function storage(): StorageLike | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const problemKeys: Record<DraftProblem, MemoMessageKey> = {
  noRecipients: 'problemNoRecipients',
  emptyBody: 'problemEmptyBody',
  subjectTooLong: 'problemSubjectTooLong',
  bodyTooLong: 'problemBodyTooLong',
};

/**
 * Writing a memo. Every keystroke is kept in localStorage, so a reload or a
 * lost connection loses nothing; the draft is forgotten once sent or
 * discarded. `#/memos/new/user/ID` and `#/memos/new/unit/ID` add that
 * recipient to the draft.
 */
export function Compose({
  session,
  store,
  presetUserId,
  presetUnitId,
}: {
  session: Session;
  store: MemosStore;
  presetUserId: number | null;
  presetUnitId: number | null;
}) {
  const t = useT(memoMessages);
  const userId = session.user.id;
  const { connection } = session;
  const [draftStore] = useState(() => createStore<Draft>(loadDraft(storage(), userId)));
  const draft = useStore(draftStore);
  const [saved, setSaved] = useState(true);
  const [tree, setTree] = useState<DirectoryTree | 'failed' | null>(null);
  const [problems, setProblems] = useState<DraftProblem[]>([]);
  const [error, setError] = useState<MemoMessageKey | null>(null);
  const [sending, setSending] = useState(false);
  const formId = useId();
  const subjectRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  // Saved as it changes, not when leaving: a closed tab or a crash keeps every keystroke.
  const setDraft = useCallback(
    (change: (current: Draft) => Draft) => {
      draftStore.set(change);
      setSaved(saveDraft(storage(), userId, draftStore.get()));
    },
    [draftStore, userId],
  );

  useEffect(() => {
    let live = true;
    connection
      .request<DirectoryTree>('directory.tree')
      .then((answer) => {
        if (!live) return;
        setTree(answer);
        if (presetUnitId === null) return;
        const unit = findUnit(answer.units, presetUnitId);
        if (unit) setDraft((d) => ({ ...d, recipients: addUnit(d.recipients, unit) }));
        else setError('unitUnknown');
      })
      .catch(() => live && setTree('failed'));
    return () => {
      live = false;
    };
  }, [connection, presetUnitId, setDraft]);

  useEffect(() => {
    if (presetUserId === null || presetUserId === userId) return;
    let live = true;
    connection
      .request<DirectoryProfile>('directory.profile', { userId: presetUserId })
      .then((person) => {
        if (!live) return;
        const recipient = {
          kind: 'user',
          id: person.id,
          name: person.name,
          address: person.address,
        } as const;
        setDraft((d) => ({ ...d, recipients: addRecipient(d.recipients, recipient) }));
      })
      .catch(() => live && setError('personUnknown'));
    return () => {
      live = false;
    };
  }, [connection, presetUserId, userId, setDraft]);

  const change = (next: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...next }));
    setProblems([]);
    setError(null);
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (sending) return;
    const found = draftProblems(draft);
    setProblems(found);
    setError(null);
    if (found.length > 0) {
      if (found.includes('noRecipients')) searchRef.current?.focus();
      else if (found.includes('subjectTooLong')) subjectRef.current?.focus();
      else bodyRef.current?.focus();
      return;
    }
    setSending(true);
    try {
      const memo = await store.send({
        subject: draft.subject.trim(),
        body: draft.body,
        to: targetsOf(draft.recipients),
      });
      setDraft(() => emptyDraft);
      navigate('memos', memo.id);
    } catch (caught) {
      const code = typeof caught === 'object' && caught && 'code' in caught ? String(caught.code) : '';
      setError(sendErrorKey(code, draft));
    } finally {
      setSending(false);
    }
  };

  const onBodyKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  };

  const discard = () => {
    setDraft(() => emptyDraft);
    setProblems([]);
    setError(null);
    searchRef.current?.focus();
  };

  const bodyLeft = MEMO_LIMITS.bodyChars - [...draft.body].length;
  return (
    <form
      className="memo-compose"
      aria-labelledby={`${formId}-title`}
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      <a className="memo-back" href={href('memos')}>
        ← {t('back')}
      </a>
      <h2 id={`${formId}-title`}>{t('compose')}</h2>
      <RecipientField
        session={session}
        tree={tree}
        recipients={draft.recipients}
        onChange={(recipients) => change({ recipients })}
        searchRef={searchRef}
        invalid={problems.includes('noRecipients')}
      />
      <label className="memo-field">
        <span>
          {t('subject')} <span className="memo-hint">{t('subjectHint')}</span>
        </span>
        <input
          ref={subjectRef}
          type="text"
          name="subject"
          value={draft.subject}
          maxLength={MEMO_LIMITS.subjectChars * 2}
          aria-invalid={problems.includes('subjectTooLong') || undefined}
          onChange={(e) => change({ subject: oneLine(e.target.value) })}
          onKeyDown={(e) => {
            // Enter after the subject goes on to the message, as in a mail app; it never sends.
            if (e.key === 'Enter' && !e.nativeEvent.isComposing) {
              e.preventDefault();
              bodyRef.current?.focus();
            }
          }}
        />
      </label>
      <label className="memo-field memo-field-body">
        <span>{t('body')}</span>
        <textarea
          ref={bodyRef}
          name="body"
          value={draft.body}
          rows={10}
          aria-invalid={problems.includes('emptyBody') || problems.includes('bodyTooLong') || undefined}
          aria-describedby={`${formId}-hint`}
          onChange={(e) => change({ body: e.target.value })}
          onKeyDown={onBodyKey}
        />
      </label>
      <p className="memo-hint" id={`${formId}-hint`}>
        {t('shortcut')}
        {bodyLeft < 1000 && ` · ${t('charsLeft', { count: bodyLeft })}`}
      </p>
      {(problems.length > 0 || error) && (
        <div role="alert" className="memo-errors">
          {problems.map((problem) => (
            <p key={problem} className="form-error">
              {t(problemKeys[problem])}
            </p>
          ))}
          {error && (
            <p className="form-error" data-testid="send-error">
              {t(error)}
            </p>
          )}
        </div>
      )}
      <div className="memo-compose-actions">
        <span className="memo-hint" role="status">
          {saved ? (isEmptyDraft(draft) ? '' : t('draftSaved')) : t('draftNotSaved')}
        </span>
        <button type="button" onClick={discard} disabled={sending}>
          {t('discard')}
        </button>
        <button type="submit" className="primary" disabled={sending}>
          {sending ? t('sending') : t('send')}
        </button>
      </div>
    </form>
  );
}
