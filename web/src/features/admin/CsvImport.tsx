import { useState, type FormEvent } from 'react';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import { importUsersCsv, ImportRejected, type CsvEncoding } from './admin-api.ts';
import type { ImportReport, LineProblem } from './types.ts';
import { userMessages } from './users-messages.ts';
import { ErrorNote } from './ui.tsx';

type Step =
  | { kind: 'idle' }
  | { kind: 'running'; dryRun: boolean; done: number; total: number }
  | { kind: 'checked'; report: ImportReport }
  | { kind: 'imported'; report: ImportReport }
  | { kind: 'rejected'; problems: LineProblem[] }
  | { kind: 'failed'; error: unknown };

/**
 * `#/admin/users/import`: check the file first (a dry run lists every bad
 * line by number), then import it all or nothing, with the server's
 * progress while the passwords are hashed and the users written.
 */
export function CsvImport() {
  const t = useT(userMessages);
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState<CsvEncoding>('auto');
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const running = step.kind === 'running';
  const checkedFine = step.kind === 'checked' && step.report.errors.length === 0;

  async function run(dryRun: boolean) {
    if (!file || running) return;
    setStep({ kind: 'running', dryRun, done: 0, total: 0 });
    try {
      const report = await importUsersCsv(file, {
        dryRun,
        encoding,
        onProgress: (done, total) => setStep({ kind: 'running', dryRun, done, total }),
      });
      setStep(dryRun ? { kind: 'checked', report } : { kind: 'imported', report });
    } catch (error) {
      setStep(
        error instanceof ImportRejected
          ? { kind: 'rejected', problems: error.problems }
          : { kind: 'failed', error },
      );
    }
  }

  function check(event: FormEvent) {
    event.preventDefault();
    void run(true);
  }

  return (
    <section className="admin-section" aria-labelledby="import-title">
      <p>
        <a href={href('admin', 'users')}>← {t('backToList')}</a>
      </p>
      <h2 id="import-title">{t('importTitle')}</h2>
      <p className="muted">{t('importHelp')}</p>
      <form className="admin-form import-form" onSubmit={check}>
        <label>
          {t('importFile')}
          <input
            type="file"
            name="csv"
            accept=".csv,text/csv"
            required
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setStep({ kind: 'idle' });
            }}
          />
        </label>
        <label>
          {t('importEncoding')}
          <select
            value={encoding}
            onChange={(event) => {
              setEncoding(event.target.value as CsvEncoding);
              setStep({ kind: 'idle' });
            }}
          >
            <option value="auto">{t('encodingAuto')}</option>
            <option value="utf-8">UTF-8</option>
            <option value="shift_jis">Shift_JIS</option>
          </select>
        </label>
        <div className="form-actions">
          <button type="submit" disabled={!file || running}>
            {running && step.dryRun ? t('checking') : t('dryRun')}
          </button>
          <button type="button" className="primary" disabled={!checkedFine} onClick={() => void run(false)}>
            {running && !step.dryRun ? t('importing') : t('doImport')}
          </button>
        </div>
      </form>
      <ImportStep step={step} />
    </section>
  );
}

function ImportStep({ step }: { step: Step }) {
  const t = useT(userMessages);
  switch (step.kind) {
    case 'idle':
      return null;
    case 'running':
      return (
        <div className="import-progress" role="status" aria-live="polite">
          <progress
            max={step.total || 1}
            value={step.total ? step.done : undefined}
            aria-label={step.dryRun ? t('checking') : t('importing')}
          />
          <span>
            {step.total
              ? t('progress', { done: step.done, total: step.total })
              : t(step.dryRun ? 'checking' : 'importing')}
          </span>
        </div>
      );
    case 'checked':
      if (step.report.errors.length > 0) return <Problems problems={step.report.errors} />;
      return (
        <div className="import-result" role="status">
          <p>{t('checkOk', counts(step.report))}</p>
          {step.report.unitsCreated.length > 0 && (
            <p className="muted">{t('checkUnits', { units: step.report.unitsCreated.join(', ') })}</p>
          )}
        </div>
      );
    case 'imported':
      return (
        <p className="import-result" role="status">
          {t('importDone', counts(step.report))}
        </p>
      );
    case 'rejected':
      return (
        <>
          <p className="form-error" role="alert">
            {t('importRejected')}
          </p>
          <Problems problems={step.problems} />
        </>
      );
    case 'failed':
      return <ErrorNote error={step.error} />;
    default: {
      const unreachable: never = step;
      return unreachable;
    }
  }
}

function counts(report: ImportReport) {
  return { created: report.created, updated: report.updated, unchanged: report.unchanged };
}

function Problems({ problems }: { problems: LineProblem[] }) {
  const t = useT(userMessages);
  return (
    <div className="import-problems" role="alert">
      <p>{problems.length === 1 ? t('checkErrorsOne') : t('checkErrors', { count: problems.length })}</p>
      <div className="table-scroll">
        <table className="admin-table compact" data-testid="import-problems">
          <thead>
            <tr>
              <th scope="col">{t('colLine')}</th>
              <th scope="col">{t('colProblem')}</th>
            </tr>
          </thead>
          <tbody>
            {problems.map((problem, index) => (
              <tr key={`${problem.line}-${index}`}>
                <th scope="row">{t('lineN', { line: problem.line })}</th>
                <td>{problem.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
