import { useState } from 'react';
import type { ApiDnsRecord, ApiQueueEntry, ApiQueueStatus } from '../../../../src/protocol/admin-api.ts';
import { formatDateTime, useLocale, useT } from '../../lib/i18n.ts';
import { deleteQueueEntry, mailDns, mailQueue, retryQueueEntry } from './admin-api.ts';
import { dnsHeadingId } from './domain-model.ts';
import { DomainsPanel } from './DomainsPanel.tsx';
import { formatBytes } from './format.ts';
import { mailMessages } from './mail-messages.ts';
import { adminMessages } from './messages.ts';
import { ConfirmButton, ErrorNote, StatusNote, useAdminAction, useLoad } from './ui.tsx';

type MailKey = keyof (typeof mailMessages)['en'];

const STATUS_FILTERS: { value: ApiQueueStatus | ''; label: MailKey }[] = [
  { value: '', label: 'statusAll' },
  { value: 'queued', label: 'statusQueued' },
  { value: 'failed', label: 'statusFailed' },
  { value: 'delivered', label: 'statusDelivered' },
];

const STATUS_TONES: Record<ApiQueueStatus, { label: MailKey; tone: string }> = {
  queued: { label: 'statusQueued', tone: 'warn' },
  delivered: { label: 'statusDelivered', tone: 'ok' },
  failed: { label: 'statusFailed', tone: 'bad' },
};

/**
 * `#/admin/mail`: the mail domains, what to publish in DNS per domain, and the
 * outbound queue (`coo domain`, `coo dns`, `coo queue`).
 */
export function MailSection() {
  const ta = useT(adminMessages);
  // Bumped by every change to the domains: a new domain's DKIM record must show in the DNS view at once.
  const [domainsVersion, setDomainsVersion] = useState(0);
  return (
    <section className="admin-section" aria-labelledby="mail-title">
      <header className="admin-head">
        <h2 id="mail-title">{ta('navMail')}</h2>
      </header>
      <DomainsPanel version={domainsVersion} onChanged={() => setDomainsVersion((n) => n + 1)} />
      <DnsPanel version={domainsVersion} />
      <QueuePanel />
    </section>
  );
}

function DnsPanel({ version }: { version: number }) {
  const t = useT(mailMessages);
  const dns = useLoad(mailDns, `dns-${version}`);
  // One status line for the whole panel: a copy reports here, read out by screen readers.
  const [status, setStatus] = useState<string | null>(null);
  const domains = dns.data?.domains ?? [];

  async function copy(record: ApiDnsRecord) {
    try {
      await navigator.clipboard.writeText(record.value);
      setStatus(t('copied', { type: record.type, name: record.name }));
    } catch {
      // Clipboard access needs a secure context and the page's focus; say how to do it by hand.
      setStatus(t('copyFailed'));
    }
  }

  return (
    <div className="admin-panel" data-testid="mail-dns">
      <h3>{t('dnsTitle')}</h3>
      {dns.data && <p className="muted small">{t('dnsHelp', { hostname: dns.data.hostname })}</p>}
      <ErrorNote error={dns.error} />
      {!dns.loading && domains.length === 0 && !dns.error && <p className="muted">{t('noDomains')}</p>}
      {domains.map((group) => (
        <div key={group.domain} data-domain={group.domain}>
          <h4 id={dnsHeadingId(group.domain)} tabIndex={-1}>
            {group.domain}{' '}
            {group.aliasOf && <span className="badge">{t('aliasOf', { domain: group.aliasOf })}</span>}
          </h4>
          <div className="table-scroll">
            <table className="admin-table compact">
              <thead>
                <tr>
                  <th scope="col">{t('colType')}</th>
                  <th scope="col">{t('colName')}</th>
                  <th scope="col">{t('colValue')}</th>
                  <th scope="col" className="hide-narrow">
                    {t('colPurpose')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {group.records.map((record) => (
                  <tr key={`${record.type} ${record.name} ${record.value}`} data-type={record.type}>
                    <td>{record.type}</td>
                    <td>
                      <code>{record.name}</code>
                    </td>
                    <td>
                      <code className="dns-value">{record.value}</code>{' '}
                      <button
                        type="button"
                        aria-label={t('copyValue', { type: record.type, name: record.name })}
                        onClick={() => void copy(record)}
                      >
                        {t('copy')}
                      </button>
                    </td>
                    <td className="hide-narrow muted small">{record.purpose}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
      <StatusNote text={status} />
    </div>
  );
}

function QueuePanel() {
  const t = useT(mailMessages);
  const ta = useT(adminMessages);
  const [filter, setFilter] = useState<ApiQueueStatus | ''>('queued');
  const queue = useLoad(() => mailQueue(filter || undefined), filter);
  // Reloaded after a failure too: a 404 means the queue moved on (delivered, deleted elsewhere).
  const { run, status, error } = useAdminAction(queue.reload);
  const [busy, setBusy] = useState<number | null>(null);
  const entries = queue.data ?? [];

  async function act(entry: ApiQueueEntry, action: 'retry' | 'delete') {
    setBusy(entry.id);
    await run(async () => {
      if (action === 'retry') await retryQueueEntry(entry.id);
      else await deleteQueueEntry(entry.id);
      return t(action === 'retry' ? 'retried' : 'deleted', { id: entry.id });
    });
    setBusy(null);
  }

  return (
    <div className="admin-panel" data-testid="mail-queue">
      <div className="admin-head">
        <h3>{t('queueTitle')}</h3>
        <div className="admin-head-actions">
          <label className="inline-field">
            {t('statusFilter')}
            <select value={filter} onChange={(event) => setFilter(event.target.value as ApiQueueStatus | '')}>
              {STATUS_FILTERS.map((option) => (
                <option key={option.value} value={option.value}>
                  {t(option.label)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" onClick={queue.reload} disabled={queue.loading}>
            {ta('refresh')}
          </button>
        </div>
      </div>
      <p className="muted small">{t('queueHelp')}</p>
      <ErrorNote error={queue.error ?? error} />
      <StatusNote text={status} />
      <div className="table-scroll">
        <table className="admin-table compact" aria-busy={queue.loading}>
          <thead>
            <tr>
              <th scope="col">{t('colCreated')}</th>
              <th scope="col">{t('colSender')}</th>
              <th scope="col">{t('colRecipient')}</th>
              <th scope="col" className="hide-narrow">
                {t('colKind')}
              </th>
              <th scope="col" className="hide-narrow">
                {t('colSize')}
              </th>
              <th scope="col">{t('colAttempts')}</th>
              <th scope="col">{t('colNextAttempt')}</th>
              <th scope="col">{t('colLastError')}</th>
              <th scope="col">{t('colActions')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <QueueRow
                key={entry.id}
                entry={entry}
                busy={busy === entry.id}
                onAction={(action) => void act(entry, action)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {!queue.loading && entries.length === 0 && <p className="muted">{t('queueEmpty')}</p>}
    </div>
  );
}

function QueueRow({
  entry,
  busy,
  onAction,
}: {
  entry: ApiQueueEntry;
  busy: boolean;
  onAction: (action: 'retry' | 'delete') => void;
}) {
  const t = useT(mailMessages);
  const locale = useLocale();
  const state = STATUS_TONES[entry.status];
  return (
    <tr data-queue-id={entry.id}>
      <td>{formatDateTime(Date.parse(entry.createdAt), locale)}</td>
      <td>{entry.sender === '' ? t('nullSender') : entry.sender}</td>
      <td>{entry.recipient}</td>
      <td className="hide-narrow">{entry.kind}</td>
      <td className="hide-narrow">{formatBytes(entry.size, locale)}</td>
      <td>{entry.attempts}</td>
      <td>
        {entry.status === 'queued' ? (
          formatDateTime(Date.parse(entry.nextAttemptAt), locale)
        ) : (
          <span className="badge" data-tone={state.tone}>
            {t(state.label)}
          </span>
        )}
      </td>
      <td className="small">{entry.lastError ?? ''}</td>
      <td>
        <span className="row-actions">
          {entry.status === 'queued' && (
            <button type="button" disabled={busy} onClick={() => onAction('retry')}>
              {t('retry')}
            </button>
          )}
          <ConfirmButton
            label={t('delete')}
            confirmLabel={t('confirmDelete')}
            disabled={busy}
            onConfirm={() => onAction('delete')}
          />
        </span>
      </td>
    </tr>
  );
}
