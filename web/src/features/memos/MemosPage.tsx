import { useEffect } from 'react';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { useStore } from '../../lib/store.ts';
import { Compose } from './Compose.tsx';
import { InboxList, SentList } from './MemoList.tsx';
import { MemoView } from './MemoView.tsx';
import { findSent } from './memo-state.ts';
import { parseMemoRoute } from './memo-route.ts';
import { memosStoreFor } from './memos-store.ts';
import { memoMessages } from './messages.ts';
import './memos.css';

/**
 * The memos area: the inbox or the sent box on the left, and on the right
 * the memo chosen, or a new memo being written. On a phone one pane shows
 * at a time, as the route says.
 */
export function MemosPage({ session, route }: { session: Session; route: string[] }) {
  const t = useT(memoMessages);
  const store = memosStoreFor(session.connection, session.user.id);
  const view = parseMemoRoute(route);
  const memoId = view.kind === 'memo' ? view.memoId : null;
  const isSentMemo = useStore(store.state, (s) =>
    memoId !== null ? findSent(s, memoId) !== undefined : false,
  );
  const unread = useStore(store.state, (s) => s.unread ?? 0);
  const box = view.kind === 'sent' || isSentMemo ? 'sent' : 'inbox';
  const sentStatus = useStore(store.state, (s) => s.sent.status);

  useEffect(() => {
    if (box === 'sent' && sentStatus === 'idle') void store.loadSent();
  }, [box, sentStatus, store]);

  const listOnly = view.kind === 'inbox' || view.kind === 'sent';
  return (
    <div className="memos" data-pane={listOnly ? 'list' : 'detail'}>
      <aside className="memos-list-pane" aria-label={t('memos')}>
        <header className="memos-head">
          <h1>{t('memos')}</h1>
          <a className="memos-new" href={href('memos', 'new')}>
            {t('newMemo')}
          </a>
        </header>
        <nav className="memos-tabs" aria-label={t('boxes')}>
          <a href={href('memos')} aria-current={box === 'inbox' ? 'page' : undefined}>
            {t('inbox')}
            {unread > 0 && (
              <span
                className="memos-badge"
                data-testid="memos-unread"
                title={t('unreadCount', { count: unread })}
              >
                <span aria-hidden="true">{unread}</span>
                <span className="visually-hidden">{t('unreadCount', { count: unread })}</span>
              </span>
            )}
          </a>
          <a href={href('memos', 'sent')} aria-current={box === 'sent' ? 'page' : undefined}>
            {t('sent')}
          </a>
        </nav>
        {box === 'inbox' ? (
          <InboxList store={store} selectedId={memoId} />
        ) : (
          <SentList store={store} selectedId={memoId} />
        )}
      </aside>
      <section className="memos-detail-pane">
        {view.kind === 'memo' && (
          <MemoView key={view.memoId} session={session} store={store} memoId={view.memoId} />
        )}
        {view.kind === 'new' && (
          <Compose
            key={`${view.userId ?? ''}/${view.unitId ?? ''}`}
            session={session}
            store={store}
            presetUserId={view.userId ?? null}
            presetUnitId={view.unitId ?? null}
          />
        )}
        {listOnly && <p className="memos-placeholder">{t('chooseMemo')}</p>}
      </section>
    </div>
  );
}
