import { useEffect, useState } from 'react';
import type { ApiUser } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { exportUsersCsv, listUsers } from './admin-api.ts';
import { CsvImport } from './CsvImport.tsx';
import { validityState } from './format.ts';
import { adminMessages } from './messages.ts';
import { UserEditor } from './UserEditor.tsx';
import { userMessages } from './users-messages.ts';
import { downloadBlob, ErrorNote, SearchField, today, useLoad } from './ui.tsx';

const PAGE = 50;
const SEARCH_DELAY_MS = 250;

/** `#/admin/users`, `/users/new`, `/users/import`, `/users/<address>`. */
export function UsersSection({ session, route }: { session: Session; route: string[] }) {
  const [first] = route;
  if (first === 'new') return <UserEditor address={null} self={session.user.address} />;
  if (first === 'import') return <CsvImport />;
  if (first) return <UserEditor key={first} address={first} self={session.user.address} />;
  return <UserList self={session.user.address} />;
}

function UserList({ self }: { self: string }) {
  const t = useT(userMessages);
  const ta = useT(adminMessages);
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => {
      setSearch(text.trim());
      setOffset(0);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const loaded = useLoad(() => listUsers({ search, limit: PAGE + 1, offset }), `${search}\n${offset}`);
  const users = loaded.data?.users.slice(0, PAGE) ?? [];
  const hasNext = (loaded.data?.users.length ?? 0) > PAGE;

  return (
    <section className="admin-section" aria-labelledby="users-title">
      <header className="admin-head">
        <h2 id="users-title">{ta('navUsers')}</h2>
      </header>
      <div className="toolbar">
        <SearchField
          label={t('search')}
          placeholder={t('searchPlaceholder')}
          value={text}
          onChange={setText}
        />
        <a className="button primary" href={href('admin', 'users', 'new')}>
          {t('newUser')}
        </a>
        <a className="button" href={href('admin', 'users', 'import')}>
          {t('importCsv')}
        </a>
        <ExportButton />
      </div>
      <ErrorNote error={loaded.error} />
      <div className="table-scroll">
        <table className="admin-table users-table" aria-busy={loaded.loading}>
          <thead>
            <tr>
              <th scope="col">{t('colName')}</th>
              <th scope="col">{t('colUnit')}</th>
              <th scope="col" className="hide-narrow">
                {t('colTitle')}
              </th>
              <th scope="col">{t('colStatus')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.address} data-disabled={user.disabled || undefined}>
                <td>
                  <a href={href('admin', 'users', user.address)} className="user-link">
                    <strong>{user.displayName}</strong>
                    <span className="muted small">{user.address}</span>
                  </a>
                </td>
                <td>{user.unit ?? '—'}</td>
                <td className="hide-narrow">{user.title}</td>
                <td>
                  <UserBadges user={user} self={self} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!loaded.loading && users.length === 0 && <p className="muted">{t('noUsers')}</p>}
      {(offset > 0 || hasNext) && (
        <nav className="pager" aria-label={ta('navUsers')}>
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {t('previous')}
          </button>
          <span className="muted">{t('pageRange', { from: offset + 1, to: offset + users.length })}</span>
          <button type="button" disabled={!hasNext} onClick={() => setOffset(offset + PAGE)}>
            {t('next')}
          </button>
        </nav>
      )}
    </section>
  );
}

export function UserBadges({ user, self }: { user: ApiUser; self: string }) {
  const t = useT(userMessages);
  const validity = validityState(user);
  return (
    <span className="badges">
      {user.address === self && <span className="badge">{t('badgeYou')}</span>}
      {user.isAdmin && (
        <span className="badge" data-tone="accent">
          {t('badgeAdmin')}
        </span>
      )}
      {user.disabled && (
        <span className="badge" data-tone="bad">
          {t('badgeDisabled')}
        </span>
      )}
      {validity === 'expired' && (
        <span className="badge" data-tone="warn">
          {t('badgeExpired')}
        </span>
      )}
      {validity === 'not-yet' && (
        <span className="badge" data-tone="warn">
          {t('badgeNotYet')}
        </span>
      )}
      {!user.hasPassword && <span className="badge">{t('badgeNoPassword')}</span>}
    </span>
  );
}

function ExportButton() {
  const t = useT(userMessages);
  const [encoding, setEncoding] = useState<'utf-8' | 'shift_jis'>('utf-8');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run() {
    setBusy(true);
    setError(null);
    try {
      downloadBlob(await exportUsersCsv(encoding), `users-${today()}.csv`);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <span className="export-group">
      <select
        aria-label={t('exportEncoding')}
        value={encoding}
        onChange={(event) => setEncoding(event.target.value as 'utf-8' | 'shift_jis')}
      >
        <option value="utf-8">UTF-8</option>
        <option value="shift_jis">Shift_JIS</option>
      </select>
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? t('exporting') : t('exportCsv')}
      </button>
      <ErrorNote error={error} />
    </span>
  );
}

export function backToUsers(): void {
  navigate('admin', 'users');
}
