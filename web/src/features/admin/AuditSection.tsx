import { useState, type FormEvent } from 'react';
import type { ApiAuditEntry, ApiAuditVerification } from '../../../../src/protocol/admin-api.ts';
import { formatDateTime, useLocale, useT } from '../../lib/i18n.ts';
import { auditPage, verifyAudit, type AuditFilter } from './admin-api.ts';
import { auditMessages } from './audit-messages.ts';
import { AUDIT_CSV_HEADER, auditCsvRow, toCsv } from './csv.ts';
import { adminMessages } from './messages.ts';
import { downloadBlob, ErrorNote, StatusNote, today, useLoad } from './ui.tsx';

const PAGE = 50;
/** An export reads the log a thousand entries at a time, up to this many. */
const EXPORT_MAX = 500_000;

type AuditKey = keyof (typeof auditMessages)['en'];

const KINDS: { prefix: string; label: AuditKey }[] = [
  { prefix: 'auth.', label: 'kindLogins' },
  { prefix: 'user.', label: 'kindUsers' },
  { prefix: 'org.', label: 'kindOrg' },
  { prefix: 'visibility.', label: 'kindRules' },
  { prefix: 'settings.', label: 'kindSettings' },
  { prefix: 'im.message.', label: 'kindMessages' },
  { prefix: 'im.memo.', label: 'kindMemos' },
  { prefix: 'file.', label: 'kindFiles' },
  { prefix: 'token.', label: 'kindTokens' },
];

const EMPTY: Required<AuditFilter> = { actor: '', action: '', target: '', since: '', until: '' };

/** `#/admin/audit`: the log, newest first, filtered and paged; CSV export; chain verification. */
export function AuditSection() {
  const t = useT(auditMessages);
  const ta = useT(adminMessages);
  const [draft, setDraft] = useState(EMPTY);
  const [filter, setFilter] = useState(EMPTY);
  // The beforeSeq of each page shown so far: back is a pop.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const page = useLoad(
    () => auditPage(clean(filter), { beforeSeq: cursor, limit: PAGE }),
    `${JSON.stringify(filter)}\n${cursor ?? ''}`,
  );
  const set = (key: keyof AuditFilter, value: string) =>
    setDraft((current) => ({ ...current, [key]: value }));

  function apply(event: FormEvent) {
    event.preventDefault();
    setFilter(draft);
    setCursors([undefined]);
  }

  const entries = page.data?.entries ?? [];
  const next = page.data?.nextBeforeSeq ?? null;
  const [customMode, setCustomMode] = useState(false);
  const custom = customMode || (draft.action !== '' && !KINDS.some((kind) => kind.prefix === draft.action));

  return (
    <section className="admin-section" aria-labelledby="audit-title">
      <header className="admin-head">
        <h2 id="audit-title">{ta('navAudit')}</h2>
        <div className="admin-head-actions">
          <ExportButton filter={clean(filter)} />
          <VerifyButton />
        </div>
      </header>
      <form className="admin-form audit-filters" onSubmit={apply} aria-label={t('filters')}>
        <label>
          {t('actor')}
          <input
            type="text"
            name="actor"
            placeholder={t('actorHint')}
            spellCheck={false}
            value={draft.actor}
            onChange={(event) => set('actor', event.target.value)}
          />
        </label>
        <label>
          {t('action')}
          <select
            name="action-kind"
            value={custom ? '*' : draft.action}
            onChange={(event) => {
              const choice = event.target.value;
              setCustomMode(choice === '*');
              set('action', choice === '*' ? '' : choice);
            }}
          >
            <option value="">{t('actionAny')}</option>
            {KINDS.map((kind) => (
              <option key={kind.prefix} value={kind.prefix}>
                {t(kind.label)}
              </option>
            ))}
            <option value="*">{t('actionCustom')}</option>
          </select>
        </label>
        {custom && (
          <label>
            {t('actionCustom')}
            <input
              type="text"
              name="action"
              spellCheck={false}
              value={draft.action}
              onChange={(event) => set('action', event.target.value)}
            />
          </label>
        )}
        <label>
          {t('target')}
          <input
            type="text"
            name="target"
            spellCheck={false}
            value={draft.target}
            onChange={(event) => set('target', event.target.value)}
          />
        </label>
        <label>
          {t('since')}
          <input
            type="date"
            name="since"
            value={draft.since}
            onChange={(event) => set('since', event.target.value)}
          />
        </label>
        <label>
          {t('until')}
          <input
            type="date"
            name="until"
            value={draft.until}
            onChange={(event) => set('until', event.target.value)}
          />
        </label>
        <div className="form-actions">
          <button type="submit" className="primary">
            {t('apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setCustomMode(false);
              setDraft(EMPTY);
              setFilter(EMPTY);
              setCursors([undefined]);
            }}
          >
            {t('clear')}
          </button>
        </div>
      </form>
      <ErrorNote error={page.error} />
      <div className="table-scroll">
        <table className="admin-table audit-table" aria-busy={page.loading} data-testid="audit-table">
          <thead>
            <tr>
              <th scope="col">{t('colTime')}</th>
              <th scope="col">{t('colActor')}</th>
              <th scope="col">{t('colAction')}</th>
              <th scope="col">{t('colTarget')}</th>
              <th scope="col" className="hide-narrow">
                {t('colFrom')}
              </th>
              <th scope="col">{t('colDetails')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <AuditRow key={entry.seq} entry={entry} />
            ))}
          </tbody>
        </table>
      </div>
      {!page.loading && entries.length === 0 && <p className="muted">{t('noEntries')}</p>}
      <nav className="pager" aria-label={ta('navAudit')}>
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          ← {t('newer')}
        </button>
        <button
          type="button"
          disabled={next === null}
          onClick={() => next !== null && setCursors([...cursors, next])}
        >
          {t('older')} →
        </button>
      </nav>
    </section>
  );
}

function clean(filter: Required<AuditFilter>): AuditFilter {
  const trimmed = Object.entries(filter).map(([key, value]) => [key, value.trim()] as const);
  return Object.fromEntries(trimmed.filter(([, value]) => value !== ''));
}

function AuditRow({ entry }: { entry: ApiAuditEntry }) {
  const t = useT(auditMessages);
  const locale = useLocale();
  const details = Object.keys(entry.details).length > 0 ? JSON.stringify(entry.details, null, 2) : '';
  return (
    <tr data-outcome={entry.outcome}>
      <td className="nowrap">
        <time dateTime={entry.at}>{formatDateTime(Date.parse(entry.at), locale)}</time>
      </td>
      <td className="wrap">{entry.actor}</td>
      <td className="mono">
        {entry.action}
        {entry.outcome !== 'success' && (
          <>
            {' '}
            <span className="badge" data-tone="bad">
              {t('failure')}
            </span>
          </>
        )}
      </td>
      <td className="wrap">{entry.target}</td>
      <td className="hide-narrow muted small">
        {entry.protocol}
        {entry.remote && ` · ${entry.remote}`}
      </td>
      <td>
        {details && (
          <details>
            <summary>#{entry.seq}</summary>
            <pre className="audit-details">{details}</pre>
          </details>
        )}
      </td>
    </tr>
  );
}

function ExportButton({ filter }: { filter: AuditFilter }) {
  const t = useT(auditMessages);
  const [count, setCount] = useState<number | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run() {
    setError(null);
    setStatus(null);
    setCount(0);
    const rows: string[][] = [[...AUDIT_CSV_HEADER]];
    try {
      let before: number | undefined;
      do {
        const page = await auditPage(filter, { beforeSeq: before, limit: 1000 });
        rows.push(...page.entries.map(auditCsvRow));
        setCount(rows.length - 1);
        before = page.nextBeforeSeq ?? undefined;
      } while (before !== undefined && rows.length <= EXPORT_MAX);
      downloadBlob(new Blob([toCsv(rows)], { type: 'text/csv;charset=utf-8' }), `audit-${today()}.csv`);
      setStatus(t('exported', { count: rows.length - 1 }));
    } catch (failure) {
      setError(failure);
    } finally {
      setCount(null);
    }
  }

  return (
    <span className="export-group">
      <button type="button" onClick={() => void run()} disabled={count !== null}>
        {count !== null ? t('exporting', { count }) : t('export')}
      </button>
      <StatusNote text={status} />
      <ErrorNote error={error} />
    </span>
  );
}

function VerifyButton() {
  const t = useT(auditMessages);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ApiAuditVerification | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run() {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await verifyAudit());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="verify">
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? t('verifying') : t('verify')}
      </button>
      <ErrorNote error={error} />
      {result && (
        <div className={result.ok ? 'verify-ok' : 'verify-bad'} role="status" data-testid="verify-result">
          <p>
            {result.ok
              ? t('verifyOk', { count: result.checked })
              : t('verifyBroken', {
                  count: result.checked,
                  problems: result.problems.length + result.omittedProblems,
                })}
          </p>
          {result.problems.length > 0 && (
            <ul>
              {result.problems.map((problem) => (
                <li key={`${problem.seq}-${problem.kind}`}>
                  {t('problemSeq', { seq: problem.seq })}: {problem.message}
                </li>
              ))}
              {result.omittedProblems > 0 && <li>{t('verifyMore', { count: result.omittedProblems })}</li>}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
