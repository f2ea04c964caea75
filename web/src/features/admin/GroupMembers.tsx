import { useEffect, useId, useState, type FormEvent } from 'react';
import type { ApiUser } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import { addGroupMember, listUsers, removeGroupMember } from './admin-api.ts';
import { groupMessages } from './group-messages.ts';
import type { GroupActions } from './group-ui.tsx';
import { ErrorNote, useLoad } from './ui.tsx';

const SEARCH_DELAY_MS = 250;
const SEARCH_LIMIT = 20;

/** The members of a group (addresses, as the API answers them), and adding people found by search. */
export function GroupMembers({
  group,
  members,
  loading,
  actions,
}: {
  group: string;
  members: string[] | undefined;
  loading: boolean;
  actions: GroupActions;
}) {
  const t = useT(groupMessages);
  const titleId = useId();
  const list = members ?? [];
  const [busy, setBusy] = useState<string | null>(null);

  async function remove(address: string) {
    setBusy(address);
    await actions.run(async () => {
      await removeGroupMember(group, address);
      return t('memberRemoved', { address, group });
    });
    setBusy(null);
  }

  return (
    <div className="group-columns">
      <section className="admin-panel" aria-labelledby={titleId} data-testid="group-members">
        <h3 id={titleId}>
          {t('members')} <span className="muted">({list.length})</span>
        </h3>
        {!loading && list.length === 0 && <p className="muted">{t('noMembers')}</p>}
        <ul className="plain-list" aria-labelledby={titleId} aria-busy={loading}>
          {list.map((address) => (
            <li key={address} data-member={address}>
              <a href={href('admin', 'users', address)} className="wrap">
                {address}
              </a>
              <button
                type="button"
                className="danger"
                disabled={busy === address}
                aria-label={t('removeMemberOf', { address, group })}
                onClick={() => void remove(address)}
              >
                {t('removeMember')}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <MemberSearch group={group} members={list} actions={actions} />
    </div>
  );
}

function MemberSearch({
  group,
  members,
  actions,
}: {
  group: string;
  members: string[];
  actions: GroupActions;
}) {
  const t = useT(groupMessages);
  const ids = { title: useId(), results: useId() };
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setSearch(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const found = useLoad(
    () =>
      search === ''
        ? Promise.resolve([] as ApiUser[])
        : listUsers({ search, limit: SEARCH_LIMIT }).then((answer) => answer.users),
    search,
  );
  const results = found.data ?? [];

  function submit(event: FormEvent) {
    // Enter searches at once instead of waiting for the pause.
    event.preventDefault();
    setSearch(text.trim());
  }

  async function add(user: ApiUser) {
    setBusy(user.address);
    await actions.run(async () => {
      await addGroupMember(group, user.address);
      return t('memberAdded', { name: user.displayName, group });
    });
    setBusy(null);
  }

  return (
    <section className="admin-panel" aria-labelledby={ids.title}>
      <h3 id={ids.title}>{t('addMembers')}</h3>
      <form role="search" onSubmit={submit} aria-labelledby={ids.title}>
        <input
          type="search"
          value={text}
          placeholder={t('searchPlaceholder')}
          aria-label={t('search')}
          aria-controls={ids.results}
          autoComplete="off"
          onChange={(event) => setText(event.target.value)}
        />
      </form>
      <ErrorNote error={found.error} />
      {search === '' && <p className="muted small">{t('searchHint')}</p>}
      {search !== '' && found.loading && <p className="muted small">{t('searching')}</p>}
      {search !== '' && !found.loading && results.length === 0 && !found.error && (
        <p className="muted">{t('noUsersFound')}</p>
      )}
      <ul id={ids.results} className="plain-list search-results" aria-label={t('search')}>
        {results.map((user) => (
          <li key={user.address} data-user={user.address}>
            <span className="user-link">
              <strong>{user.displayName}</strong>
              <span className="muted small">
                {user.address}
                {user.unit ? ` · ${user.unit}` : ''}
              </span>
            </span>
            {members.includes(user.address) ? (
              <span className="badge" data-tone="ok">
                {t('alreadyMember')}
              </span>
            ) : (
              <button
                type="button"
                disabled={busy === user.address}
                aria-label={t('addMemberTo', { name: user.displayName, group })}
                onClick={() => void add(user)}
              >
                {t('addMember')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
