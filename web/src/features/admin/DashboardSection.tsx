import { useEffect } from 'react';
import { formatDateTime, useLocale, useT } from '../../lib/i18n.ts';
import { dashboard } from './admin-api.ts';
import { diskUsed, listenersFromMetrics } from './dashboard-model.ts';
import { daysUntil, formatBytes } from './format.ts';
import { adminMessages } from './messages.ts';
import type { Dashboard, DashboardListener } from './types.ts';
import { ErrorNote, useLoad } from './ui.tsx';

/** Refreshed this often while the page is visible. */
const REFRESH_MS = 30_000;

interface Overview {
  dashboard: Dashboard;
  listeners: DashboardListener[] | null;
  healthy: boolean;
}

async function loadOverview(): Promise<Overview> {
  const [answer, healthy] = await Promise.all([
    dashboard(),
    fetch('/healthz').then(
      (response) => response.ok,
      () => false,
    ),
  ]);
  let listeners = answer.listeners;
  if (listeners === null) {
    // /metrics may be closed at a proxy: then the states are simply unknown.
    listeners = await fetch('/metrics')
      .then((response) => (response.ok ? response.text() : ''))
      .then((text) => listenersFromMetrics(text))
      .then((found) => (found.length > 0 ? found : null))
      .catch(() => null);
  }
  return { dashboard: answer, listeners, healthy };
}

/** `#/admin`: who is online, today's traffic, storage, listeners, the certificate. */
export function DashboardSection() {
  const t = useT(adminMessages);
  const locale = useLocale();
  const loaded = useLoad(loadOverview, 'dashboard');
  const { reload } = loaded;

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  const overview = loaded.data;
  const when = (iso: string) => formatDateTime(Date.parse(iso), locale);
  const number = (n: number) => n.toLocaleString(locale === 'ja' ? 'ja-JP' : 'en-US');

  return (
    <section className="admin-section" aria-labelledby="dash-title">
      <header className="admin-head">
        <h2 id="dash-title">{t('navDashboard')}</h2>
        <div className="admin-head-actions">
          {overview && (
            <span className="muted">{t('dashUpdated', { time: when(overview.dashboard.generatedAt) })}</span>
          )}
          <button type="button" onClick={reload} disabled={loaded.loading}>
            {t('refresh')}
          </button>
        </div>
      </header>
      <ErrorNote error={loaded.error} />
      {!overview && loaded.loading && <p className="muted">{t('loading')}</p>}
      {overview && (
        <div className="dash-grid">
          <OnlineCard data={overview.dashboard} />
          <article className="card" aria-labelledby="dash-today">
            <h3 id="dash-today">{t('dashToday')}</h3>
            <dl className="stats">
              <div>
                <dt>{t('dashMessages')}</dt>
                <dd data-testid="messages-today">{number(overview.dashboard.today.messages)}</dd>
              </div>
              <div>
                <dt>{t('dashMemos')}</dt>
                <dd>{number(overview.dashboard.today.memos)}</dd>
              </div>
            </dl>
            <p className="muted small">{t('dashSince', { time: when(overview.dashboard.today.since) })}</p>
          </article>
          <StorageCard data={overview.dashboard} />
          <article className="card" aria-labelledby="dash-directory">
            <h3 id="dash-directory">{t('dashDirectory')}</h3>
            <dl className="stats">
              {(
                [
                  ['dashUsers', overview.dashboard.directory.users],
                  ['dashDisabled', overview.dashboard.directory.disabledUsers],
                  ['dashAdmins', overview.dashboard.directory.admins],
                  ['dashUnits', overview.dashboard.directory.orgUnits],
                  ['dashGroups', overview.dashboard.directory.groups],
                  ['dashDomains', overview.dashboard.directory.domains],
                ] as const
              ).map(([key, value]) => (
                <div key={key}>
                  <dt>{t(key)}</dt>
                  <dd>{number(value)}</dd>
                </div>
              ))}
            </dl>
          </article>
          <ListenersCard listeners={overview.listeners} healthy={overview.healthy} />
          <CertificateCard data={overview.dashboard} />
          <article className="card" aria-labelledby="dash-server">
            <h3 id="dash-server">{t('dashServer')}</h3>
            <p>
              {t('dashVersion', {
                version: overview.dashboard.server.version,
                node: overview.dashboard.server.node,
                database: overview.dashboard.server.database === 'postgres' ? 'PostgreSQL' : 'SQLite',
              })}
            </p>
            <p className="muted">{t('dashStarted', { time: when(overview.dashboard.server.startedAt) })}</p>
          </article>
        </div>
      )}
    </section>
  );
}

function OnlineCard({ data }: { data: Dashboard }) {
  const t = useT(adminMessages);
  const online = data.online;
  return (
    <article className="card card-wide" aria-labelledby="dash-online">
      <h3 id="dash-online">{t('dashOnline')}</h3>
      {online === null ? (
        <p className="muted">{t('dashOnlineUnavailable')}</p>
      ) : (
        <>
          <p className="big-number" data-testid="online-count">
            {online.users === 1 ? t('dashOnlinePeopleOne') : t('dashOnlinePeople', { count: online.users })}
            <span className="muted small">
              {' '}
              ·{' '}
              {online.connections === 1
                ? t('dashOnlineConnectionsOne')
                : t('dashOnlineConnections', { count: online.connections })}
            </span>
          </p>
          {online.people.length === 0 ? (
            <p className="muted">{t('dashOnlineNobody')}</p>
          ) : (
            <ul className="online-list">
              {online.people.map((person) => (
                <li key={person.address} title={person.address}>
                  <span className="presence-dot" data-state="online" aria-hidden="true" />
                  <span>{person.displayName}</span>
                  {person.connections > 1 && (
                    <span className="muted small">{t('dashDevices', { count: person.connections })}</span>
                  )}
                </li>
              ))}
              {online.users > online.people.length && (
                <li className="muted">
                  {t('dashOnlineMore', { count: online.users - online.people.length })}
                </li>
              )}
            </ul>
          )}
          <p className="muted small">{t('dashOnlineNode')}</p>
        </>
      )}
    </article>
  );
}

function StorageCard({ data }: { data: Dashboard }) {
  const t = useT(adminMessages);
  const locale = useLocale();
  const storage = data.storage;
  const used = diskUsed(storage.diskFreeBytes, storage.diskTotalBytes);
  return (
    <article className="card" aria-labelledby="dash-storage">
      <h3 id="dash-storage">{t('dashStorage')}</h3>
      <dl className="stats">
        <div>
          <dt>{t('dashFiles')}</dt>
          <dd data-testid="storage-bytes">{formatBytes(storage.blobBytes, locale)}</dd>
        </div>
        {storage.databaseBytes !== null && (
          <div>
            <dt>{t('dashDatabase')}</dt>
            <dd>{formatBytes(storage.databaseBytes, locale)}</dd>
          </div>
        )}
      </dl>
      <p className="muted small">
        {storage.blobFiles === 1 ? t('dashFilesCountOne') : t('dashFilesCount', { count: storage.blobFiles })}
      </p>
      {used !== null && storage.diskFreeBytes !== null && storage.diskTotalBytes !== null && (
        <div className="disk">
          <span>{t('dashDisk')}</span>
          <progress value={used} max={1} aria-label={t('dashDisk')} data-high={used > 0.9 || undefined} />
          <span className="muted small">
            {t('dashDiskFree', {
              free: formatBytes(storage.diskFreeBytes, locale),
              total: formatBytes(storage.diskTotalBytes, locale),
            })}
          </span>
        </div>
      )}
      <p className="muted small">
        {t('dashMeasured', { time: formatDateTime(Date.parse(storage.measuredAt), locale) })}
      </p>
    </article>
  );
}

function ListenersCard({ listeners, healthy }: { listeners: DashboardListener[] | null; healthy: boolean }) {
  const t = useT(adminMessages);
  return (
    <article className="card" aria-labelledby="dash-listeners">
      <h3 id="dash-listeners">{t('dashListeners')}</h3>
      <p>
        {t('dashHealth')}:{' '}
        <span className="badge" data-tone={healthy ? 'ok' : 'bad'}>
          {healthy ? t('dashHealthOk') : t('dashHealthDown')}
        </span>
      </p>
      {listeners === null ? (
        <p className="muted">{t('dashListenersUnknown')}</p>
      ) : (
        <table className="admin-table compact">
          <thead>
            <tr>
              <th scope="col">{t('dashListener')}</th>
              <th scope="col">{t('dashAddress')}</th>
              <th scope="col">{t('dashState')}</th>
            </tr>
          </thead>
          <tbody>
            {listeners.map((listener) => (
              <tr key={listener.name}>
                <td>{listener.name}</td>
                <td className="mono">{listener.address ?? (listener.configured || '—')}</td>
                <td>
                  <span
                    className="badge"
                    data-tone={listener.running ? 'ok' : 'muted'}
                    title={listener.reason ?? undefined}
                  >
                    {listener.running ? t('dashRunning') : t('dashStopped')}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

export function CertificateCard({ data }: { data: Pick<Dashboard, 'certificate'> }) {
  const t = useT(adminMessages);
  const locale = useLocale();
  const certificate = data.certificate;
  return (
    <article className="card card-wide" aria-labelledby="dash-certificate">
      <h3 id="dash-certificate">{t('dashCertificate')}</h3>
      {certificate === null ? (
        <p className="muted">{t('dashCertUnknown')}</p>
      ) : (
        <>
          <dl className="facts">
            <dt>{t('dashCertSubject')}</dt>
            <dd className="mono">{certificate.subject}</dd>
            <dt>{t('dashCertIssuer')}</dt>
            <dd className="mono">{certificate.issuer}</dd>
            <dt>{t('dashCertNames')}</dt>
            <dd className="mono">{certificate.dnsNames.join(', ') || '—'}</dd>
            <dt>{t('dashCertValid')}</dt>
            <dd>
              {formatDateTime(Date.parse(certificate.validTo), locale)}{' '}
              <CertificateDays validTo={certificate.validTo} />
            </dd>
            <dt>{t('dashCertFingerprint')}</dt>
            <dd className="mono small wrap">{certificate.fingerprint256}</dd>
          </dl>
          {certificate.selfSigned && <p className="notice">{t('dashCertSelfSigned')}</p>}
        </>
      )}
    </article>
  );
}

function CertificateDays({ validTo }: { validTo: string }) {
  const t = useT(adminMessages);
  const days = daysUntil(validTo);
  if (days < 0)
    return (
      <span className="badge" data-tone="bad">
        {t('dashCertExpired')}
      </span>
    );
  return (
    <span className="badge" data-tone={days < 30 ? 'warn' : 'ok'}>
      {t('dashCertDays', { days })}
    </span>
  );
}
