import { useEffect, useState, type ReactNode } from 'react';
import { AdminPage } from '../features/admin/AdminPage.tsx';
import { chatSessionFor } from '../features/chats/chat-session.ts';
import { ChatsPage } from '../features/chats/ChatsPage.tsx';
import { MemosPage } from '../features/memos/MemosPage.tsx';
import { useMemoUnread } from '../features/memos/use-memo-unread.ts';
import { NotificationsHost } from '../features/notifications/NotificationsHost.tsx';
import { OrgPage } from '../features/org/OrgPage.tsx';
import { StatusMenu } from '../features/presence/StatusMenu.tsx';
import { setLocale, useLocale, useT, type Locale } from '../lib/i18n.ts';
import { href, useRoute } from '../lib/router.ts';
import { initials } from '../lib/initials.ts';
import { logOut, type Session } from '../lib/session.ts';
import { useStore } from '../lib/store.ts';
import { appMessages } from './messages.ts';

/**
 * The logged-in app: a navigation rail (a bottom bar on a phone), the
 * connection banner, and the area the route names:
 * `#/org`, `#/chats[/ID]`, `#/memos[/inbox|sent|new|ID]`, `#/admin[/SECTION]`.
 */
export function Shell({ session }: { session: Session }) {
  const t = useT(appMessages);
  const route = useRoute();
  const area = route[0] ?? 'chats';
  const rest = route.slice(1);

  let page: ReactNode;
  switch (area) {
    case 'org':
      page = <OrgPage session={session} route={rest} />;
      break;
    case 'memos':
      page = <MemosPage session={session} route={rest} />;
      break;
    case 'admin':
      page = session.user.admin ? <AdminPage session={session} route={rest} /> : null;
      break;
    default:
      page = <ChatsPage session={session} route={rest} />;
  }

  const chatsUnread = useStore(chatSessionFor(session).chat.list, (list) =>
    list.entries.reduce((sum, entry) => sum + entry.unread, 0),
  );
  const memosUnread = useMemoUnread(session);
  const links: Array<{ id: string; label: string; icon: string; badge?: number }> = [
    { id: 'chats', label: t('navChats'), icon: '💬', badge: chatsUnread },
    { id: 'org', label: t('navOrg'), icon: '👥' },
    { id: 'memos', label: t('navMemos'), icon: '📝', badge: memosUnread },
  ];
  if (session.user.admin) links.push({ id: 'admin', label: t('navAdmin'), icon: '⚙️' });

  return (
    <div className="shell">
      <nav className="rail" aria-label={t('mainNav')}>
        <div className="rail-brand" aria-hidden="true">
          Coo
        </div>
        <ul>
          {links.map((link) => (
            <li key={link.id}>
              <a
                href={href(link.id)}
                className={area === link.id || (link.id === 'chats' && !route[0]) ? 'active' : undefined}
                aria-current={area === link.id ? 'page' : undefined}
              >
                <span className="rail-icon" aria-hidden="true">
                  {link.icon}
                </span>
                <span className="rail-label">{link.label}</span>
                {link.badge ? (
                  <span className="rail-badge" aria-label={t('unread', { count: link.badge })}>
                    {link.badge > 99 ? '99+' : link.badge}
                  </span>
                ) : null}
              </a>
            </li>
          ))}
        </ul>
        <div className="rail-bottom">
          <StatusMenu session={session} />
          <AccountMenu session={session} />
        </div>
      </nav>
      <div className="main">
        <ConnectionBanner session={session} />
        <main className="page">{page}</main>
      </div>
      <NotificationsHost session={session} />
    </div>
  );
}

function AccountMenu({ session }: { session: Session }) {
  const t = useT(appMessages);
  const locale = useLocale();
  return (
    <details className="account-menu">
      <summary aria-label={t('account')} title={session.user.address}>
        <span className="avatar" aria-hidden="true">
          {initials(session.user.name)}
        </span>
      </summary>
      <div className="menu-panel">
        <div className="menu-who">
          <strong>{session.user.name}</strong>
          <span>{session.user.address}</span>
        </div>
        <label>
          {t('language')}{' '}
          <select value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
            <option value="en">English</option>
            <option value="ja">日本語</option>
          </select>
        </label>
        <button type="button" onClick={() => void logOut()}>
          {t('logOut')}
        </button>
      </div>
    </details>
  );
}

function ConnectionBanner({ session }: { session: Session }) {
  const t = useT(appMessages);
  const status = useStore(session.connection.status);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (status.kind !== 'offline') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [status.kind]);
  if (status.kind === 'online' || status.kind === 'ended') return null;
  const text =
    status.kind === 'offline'
      ? t('offline', { seconds: Math.max(0, Math.ceil((status.retryAt - now) / 1000)) })
      : t('reconnecting');
  return (
    <div className="banner banner-offline" role="status" aria-live="polite">
      {text}
      {status.kind === 'offline' && (
        <button type="button" onClick={session.connection.reconnectNow}>
          {t('offlineNow')}
        </button>
      )}
    </div>
  );
}
