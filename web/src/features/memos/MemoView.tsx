import { useEffect, useState } from 'react';
import type { MessageAttachment } from '../../../../src/protocol/im/conversations.ts';
import type { InboxMemo, MemoReceipts, SentMemo } from '../../../../src/protocol/im/memos.ts';
import { initials } from '../../lib/initials.ts';
import { apiToken } from '../../lib/api.ts';
import { formatDateTime, useLocale, useT, type Locale } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { useStore } from '../../lib/store.ts';
import { ReadProgress } from './MemoList.tsx';
import { findInbox, findSent } from './memo-state.ts';
import type { MemosStore } from './memos-store.ts';
import { memoMessages } from './messages.ts';

/**
 * One memo: what it says and who sent it. A recipient confirms reading by
 * opening it; its sender sees, live, who has read it and when, and who has
 * not yet.
 */
export function MemoView({
  session,
  store,
  memoId,
}: {
  session: Session;
  store: MemosStore;
  memoId: number;
}) {
  const t = useT(memoMessages);
  const received = useStore(store.state, (s) => findInbox(s, memoId));
  const sent = useStore(store.state, (s) => findSent(s, memoId));
  const lookup = useStore(store.state, (s) => s.lookups[memoId]);
  const [confirmFailed, setConfirmFailed] = useState(false);
  const unread = received !== undefined && received.readAt === null;

  useEffect(() => {
    void store.lookUp(memoId);
  }, [store, memoId]);

  useEffect(() => {
    if (!unread) return;
    store.markRead(memoId).catch(() => setConfirmFailed(true));
  }, [store, memoId, unread]);

  const memo = received ?? sent;
  if (!memo) {
    return (
      <div className="memo-view">
        <BackLink />
        {lookup === 'missing' ? (
          <p className="notice" role="alert">
            {t('memoMissing')}
          </p>
        ) : (
          <p role="status">{t('loading')}</p>
        )}
      </div>
    );
  }
  return (
    <article className="memo-view" aria-labelledby="memo-subject" data-testid="memo-view">
      <BackLink sent={sent !== undefined} />
      <MemoHeader memo={memo} />
      <div className="memo-body">{memo.body}</div>
      {memo.attachments.length > 0 && <Attachments files={memo.attachments} />}
      {received && <ReaderFooter memo={received} confirmFailed={confirmFailed} self={session.user.id} />}
      {sent && <Receipts store={store} memo={sent} />}
    </article>
  );
}

function BackLink({ sent = false }: { sent?: boolean }) {
  const t = useT(memoMessages);
  return (
    <a className="memo-back" href={sent ? href('memos', 'sent') : href('memos')}>
      ← {t('back')}
    </a>
  );
}

function MemoHeader({ memo }: { memo: InboxMemo | SentMemo }) {
  const t = useT(memoMessages);
  const locale = useLocale();
  return (
    <header className="memo-header">
      <h2 id="memo-subject">{memo.subject || t('noSubject')}</h2>
      <div className="memo-meta">
        <span className="avatar" aria-hidden="true">
          {initials(memo.sender.displayName)}
        </span>
        <dl>
          <div>
            <dt>{t('from')}</dt>
            <dd data-testid="memo-sender">
              {memo.sender.displayName} <span className="memo-address">&lt;{memo.sender.address}&gt;</span>
            </dd>
          </div>
          <div>
            <dt>{t('sentAt')}</dt>
            <dd>
              <time dateTime={new Date(memo.sentAt).toISOString()}>
                {formatDateTime(memo.sentAt, locale)}
              </time>
              {' · '}
              {memo.recipientCount === 1
                ? t('oneRecipient')
                : t('recipients', { count: memo.recipientCount })}
            </dd>
          </div>
        </dl>
      </div>
    </header>
  );
}

function ReaderFooter({
  memo,
  confirmFailed,
  self,
}: {
  memo: InboxMemo;
  confirmFailed: boolean;
  self: number;
}) {
  const t = useT(memoMessages);
  const locale = useLocale();
  const fromSelf = memo.sender.userId === self;
  return (
    <footer className="memo-footer">
      <p role="status" className="memo-confirmation">
        {memo.readAt !== null
          ? t('youRead', { time: formatDateTime(memo.readAt, locale) })
          : confirmFailed
            ? t('confirmFailed')
            : t('confirming')}
      </p>
      {!fromSelf && (
        <div className="memo-actions">
          <a href={href('memos', 'new', 'user', memo.sender.userId)}>{t('replyMemo')}</a>
          <a href={href('chats', 'with', memo.sender.userId)}>{t('replyInChat')}</a>
        </div>
      )}
    </footer>
  );
}

function Receipts({ store, memo }: { store: MemosStore; memo: SentMemo }) {
  const t = useT(memoMessages);
  const locale = useLocale();
  const receipts: MemoReceipts | undefined = useStore(store.state, (s) => s.receipts[memo.id]);
  useEffect(() => store.watchReceipts(memo.id), [store, memo.id]);
  const read = receipts ? receipts.read.length : memo.readCount;
  return (
    <section className="memo-receipts" aria-labelledby="memo-receipts-title" data-testid="receipts">
      <h3 id="memo-receipts-title">{t('receipts')}</h3>
      <ReadProgress read={read} total={memo.recipientCount} />
      {!receipts ? (
        <p role="status">{t('loading')}</p>
      ) : (
        <div className="memo-receipt-lists">
          <div>
            <h4>{t('readList', { count: receipts.read.length })}</h4>
            {receipts.read.length === 0 && <p className="memos-empty">{t('nobodyYet')}</p>}
            <ul data-testid="receipts-read" aria-live="polite">
              {receipts.read.map((person) => (
                <Person key={person.userId} person={person} readAt={person.readAt} locale={locale} />
              ))}
            </ul>
          </div>
          <div>
            <h4>{t('unreadList', { count: receipts.unread.length })}</h4>
            {receipts.unread.length === 0 && <p className="memos-empty">{t('everyoneRead')}</p>}
            <ul className="memo-receipts-unread" data-testid="receipts-unread">
              {receipts.unread.map((person) => (
                <Person key={person.userId} person={person} readAt={null} locale={locale} />
              ))}
            </ul>
          </div>
        </div>
      )}
    </section>
  );
}

function Person({
  person,
  readAt,
  locale,
}: {
  person: { userId: number; displayName: string; address: string };
  readAt: number | null;
  locale: Locale;
}) {
  return (
    <li className="memo-receipt" data-testid="receipt" data-user-id={person.userId}>
      <span className="avatar" aria-hidden="true">
        {initials(person.displayName)}
      </span>
      <span className="memo-receipt-who">
        <span>{person.displayName}</span>
        <span className="memo-address">{person.address}</span>
      </span>
      {readAt !== null && (
        <time dateTime={new Date(readAt).toISOString()}>{formatDateTime(readAt, locale)}</time>
      )}
    </li>
  );
}

function formatSize(bytes: number, locale: Locale): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[index],
    unitDisplay: 'short',
    maximumFractionDigits: index === 0 ? 0 : 1,
  }).format(value);
}

function Attachments({ files }: { files: MessageAttachment[] }) {
  const t = useT(memoMessages);
  const locale = useLocale();
  const [failed, setFailed] = useState(false);
  // The files API wants the bearer token, which a plain link cannot carry.
  const download = async (file: MessageAttachment) => {
    setFailed(false);
    const token = apiToken();
    const response = await fetch(`/api/v1/im/files/${encodeURIComponent(file.id)}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    }).catch(() => null);
    if (!response?.ok) {
      setFailed(true);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  return (
    <section className="memo-attachments" aria-label={t('attachments')}>
      <ul>
        {files.map((file) => (
          <li key={file.id}>
            <button type="button" className="link" onClick={() => void download(file)}>
              <span aria-hidden="true">📎 </span>
              <span className="visually-hidden">{t('download', { name: file.name })}</span>
              <span aria-hidden="true">{file.name}</span>
            </button>{' '}
            <span className="memo-address">{formatSize(file.size, locale)}</span>
          </li>
        ))}
      </ul>
      {failed && (
        <p className="form-error" role="alert">
          {t('downloadFailed')}
        </p>
      )}
    </section>
  );
}
