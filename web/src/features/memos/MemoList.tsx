import { useEffect, useState, type ReactNode } from 'react';
import type { InboxMemo, SentMemo } from '../../../../src/protocol/im/memos.ts';
import { initials } from '../../lib/initials.ts';
import { formatDateTime, formatWhen, useLocale, useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import { useStore } from '../../lib/store.ts';
import type { Box } from './memo-state.ts';
import type { MemosStore } from './memos-store.ts';
import { memoMessages } from './messages.ts';

/** The first words of a body, on one line, for a list row. */
export function snippet(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 140 ? `${line.slice(0, 140)}…` : line;
}

/** The time now, moved on each minute, so "10:42" becomes "Nov 22" once the day has passed. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function InboxList({ store, selectedId }: { store: MemosStore; selectedId: number | null }) {
  const t = useT(memoMessages);
  const locale = useLocale();
  const box = useStore(store.state, (s) => s.inbox);
  const now = useNow();
  return (
    <ListFrame box={box} empty={t('emptyInbox')} label={t('inbox')} onLoad={(more) => store.loadInbox(more)}>
      {box.memos.map((memo: InboxMemo) => {
        const unread = memo.readAt === null;
        return (
          <li key={memo.id}>
            <a
              href={href('memos', memo.id)}
              className="memo-row"
              data-testid="memo-row"
              data-unread={unread}
              aria-current={memo.id === selectedId ? 'true' : undefined}
            >
              <span className="avatar" aria-hidden="true">
                {initials(memo.sender.displayName)}
              </span>
              <span className="memo-row-main">
                <span className="memo-row-top">
                  <span className="memo-row-who">{memo.sender.displayName}</span>
                  <time
                    dateTime={new Date(memo.sentAt).toISOString()}
                    title={formatDateTime(memo.sentAt, locale)}
                  >
                    {formatWhen(memo.sentAt, locale, now)}
                  </time>
                </span>
                <span className="memo-row-subject">
                  {unread && <span className="visually-hidden">{t('unread')}: </span>}
                  {memo.subject || t('noSubject')}
                </span>
                <span className="memo-row-snippet">{snippet(memo.body)}</span>
              </span>
              {unread && <span className="memo-row-dot" aria-hidden="true" />}
            </a>
          </li>
        );
      })}
    </ListFrame>
  );
}

export function SentList({ store, selectedId }: { store: MemosStore; selectedId: number | null }) {
  const t = useT(memoMessages);
  const locale = useLocale();
  const box = useStore(store.state, (s) => s.sent);
  const now = useNow();
  return (
    <ListFrame box={box} empty={t('emptySent')} label={t('sent')} onLoad={(more) => store.loadSent(more)}>
      {box.memos.map((memo: SentMemo) => (
        <li key={memo.id}>
          <a
            href={href('memos', memo.id)}
            className="memo-row"
            data-testid="memo-row"
            aria-current={memo.id === selectedId ? 'true' : undefined}
          >
            <span className="memo-row-main">
              <span className="memo-row-top">
                <span className="memo-row-subject">{memo.subject || t('noSubject')}</span>
                <time
                  dateTime={new Date(memo.sentAt).toISOString()}
                  title={formatDateTime(memo.sentAt, locale)}
                >
                  {formatWhen(memo.sentAt, locale, now)}
                </time>
              </span>
              <span className="memo-row-snippet">{snippet(memo.body)}</span>
              <ReadProgress read={memo.readCount} total={memo.recipientCount} />
            </span>
          </a>
        </li>
      ))}
    </ListFrame>
  );
}

/** "Read by 2 of 3", with a bar. */
export function ReadProgress({ read, total }: { read: number; total: number }) {
  const t = useT(memoMessages);
  const share = total > 0 ? Math.min(1, read / total) : 0;
  return (
    <span className="memo-progress" data-testid="read-progress" data-complete={total > 0 && read >= total}>
      <span className="memo-progress-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </span>
      <span>{t('readByOf', { read, total })}</span>
    </span>
  );
}

function ListFrame<M>({
  box,
  empty,
  label,
  onLoad,
  children,
}: {
  box: Box<M>;
  empty: string;
  label: string;
  onLoad: (more: boolean) => Promise<void>;
  children: ReactNode;
}) {
  const t = useT(memoMessages);
  const failed = box.status === 'error';
  const loading = box.status === 'loading' || box.status === 'idle';
  return (
    <div className="memo-list-frame">
      <ul className="memo-list" aria-label={label} aria-busy={loading}>
        {children}
      </ul>
      {box.memos.length === 0 && box.status === 'ready' && <p className="memos-empty">{empty}</p>}
      {loading && box.memos.length === 0 && (
        <p className="memos-empty" role="status">
          {t('loading')}
        </p>
      )}
      {failed && (
        <div className="memos-empty" role="alert">
          <p>{t('loadFailed')}</p>
          <button type="button" onClick={() => void onLoad(box.memos.length > 0)}>
            {t('retry')}
          </button>
        </div>
      )}
      {box.status === 'ready' && box.hasMore && (
        <button type="button" className="memo-more" onClick={() => void onLoad(true)}>
          {t('loadMore')}
        </button>
      )}
    </div>
  );
}
