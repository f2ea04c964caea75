import { useId, useMemo } from 'react';
import { initials } from '../../lib/initials.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { PresenceDot, usePresenceLabel } from '../presence/PresenceDot.tsx';
import { usePresence, useWatchPresence } from '../presence/presence-store.ts';
import { orgMessages } from './messages.ts';
import { useProfile } from './org-data.ts';

/**
 * A person's card: name and reading, live presence and status text, title,
 * department, phone and mail, with "Chat" (`#/chats/with/<id>`) and
 * "Send memo" (`#/memos/new/user/<id>`).
 */
export function ProfileCard({ session, userId }: { session: Session; userId: number }) {
  const t = useT(orgMessages);
  const label = usePresenceLabel();
  const profile = useProfile(session, userId);
  const ids = useMemo(() => [userId], [userId]);
  useWatchPresence(session, ids);
  const presence = usePresence(session, userId, profile?.kind === 'ready' ? profile.value : undefined);
  const titleId = useId();

  if (!profile || profile.kind === 'loading') {
    return (
      <p className="org-empty" role="status">
        {t('loading')}
      </p>
    );
  }
  if (profile.kind === 'failed') {
    return (
      <div className="org-empty" role="alert">
        <p>{profile.code === 'USER_UNKNOWN' ? t('userUnknown') : t('loadFailed')}</p>
        {profile.code !== 'USER_UNKNOWN' && (
          <button type="button" onClick={profile.retry}>
            {t('retry')}
          </button>
        )}
      </div>
    );
  }
  const person = profile.value;
  const self = person.id === session.user.id;
  return (
    <section className="profile-card" aria-labelledby={titleId} data-testid="profile-card">
      <header className="profile-head">
        <span className="profile-avatar">
          <span className="avatar" aria-hidden="true">
            {initials(person.name)}
          </span>
          <PresenceDot state={presence.state} text={presence.text} className="person-dot" />
        </span>
        <div>
          <h2 id={titleId} className="profile-name">
            {person.name}
          </h2>
          {person.reading && <p className="profile-reading">{person.reading}</p>}
        </div>
      </header>
      <p className="profile-status" data-testid="profile-status" data-state={presence.state}>
        <strong>{label(presence.state)}</strong>
        {presence.text && <span> — {presence.text}</span>}
      </p>
      <dl className="profile-fields">
        {person.title && (
          <>
            <dt>{t('fieldTitle')}</dt>
            <dd>{person.title}</dd>
          </>
        )}
        <dt>{t('fieldUnit')}</dt>
        <dd>
          {person.unitId !== null && person.unitPath !== null ? (
            <a href={href('org', 'unit', person.unitId)}>{person.unitPath}</a>
          ) : (
            t('noUnit')
          )}
        </dd>
        {person.phone && (
          <>
            <dt>{t('fieldPhone')}</dt>
            <dd>
              <a href={`tel:${person.phone.replace(/[^\d+]/g, '')}`}>{person.phone}</a>
            </dd>
          </>
        )}
        <dt>{t('fieldAddress')}</dt>
        <dd>
          <a href={`mailto:${person.address}`}>{person.address}</a>
        </dd>
      </dl>
      {self ? (
        <p className="profile-self">{t('you')}</p>
      ) : (
        <div className="profile-actions">
          <button type="button" className="primary" onClick={() => navigate('chats', 'with', person.id)}>
            {t('chat')}
          </button>
          <button type="button" onClick={() => navigate('memos', 'new', 'user', person.id)}>
            {t('sendMemo')}
          </button>
        </div>
      )}
    </section>
  );
}
