import { useState, type FormEvent } from 'react';
import type { ApiVisibilityCheck } from '../../../../src/protocol/visibility.ts';
import { useT } from '../../lib/i18n.ts';
import {
  checkVisibility,
  deleteRule,
  listGroups,
  orgTree,
  setUnitHidden,
  setVisibilityMode,
  visibilityRules,
} from './admin-api.ts';
import { adminMessages } from './messages.ts';
import { allPaths } from './org-model.ts';
import { RuleForm } from './RuleForm.tsx';
import { ruleMessages } from './rules-messages.ts';
import { ConfirmButton, ErrorNote, StatusNote, useAdminAction, useLoad, type RunAction } from './ui.tsx';

/** `#/admin/rules`: the default, the rules, hidden units, and "can A see / message B?". */
export function RulesSection() {
  const t = useT(ruleMessages);
  const ta = useT(adminMessages);
  const [version, setVersion] = useState(0);
  const rules = useLoad(visibilityRules, `rules-${version}`);
  const units = useLoad(orgTree, `units-${version}`);
  const groups = useLoad(listGroups, 'groups');
  const { run, status, error } = useAdminAction(() => setVersion((n) => n + 1));
  const unitPaths = allPaths(units.data ?? []);

  const overview = rules.data;
  return (
    <section className="admin-section" aria-labelledby="rules-title">
      <header className="admin-head">
        <h2 id="rules-title">{ta('navRules')}</h2>
      </header>
      <ErrorNote error={rules.error ?? error} />
      <StatusNote text={status} />
      {overview && (
        <>
          <fieldset className="admin-panel mode-choice">
            <legend>{t('mode')}</legend>
            {(['open', 'closed'] as const).map((mode) => (
              <label key={mode} className="checkbox">
                <input
                  type="radio"
                  name="visibility-mode"
                  value={mode}
                  checked={overview.mode === mode}
                  onChange={() => void run(() => setVisibilityMode(mode).then(() => t('modeSaved')))}
                />
                {mode === 'open' ? t('modeOpen') : t('modeClosed')}
              </label>
            ))}
          </fieldset>
          <section className="admin-panel" aria-labelledby="rule-list-title">
            <h3 id="rule-list-title">{t('rules')}</h3>
            {overview.rules.length === 0 && <p className="muted">{t('noRules')}</p>}
            <ul className="plain-list rule-list">
              {overview.rules.map((rule) => (
                <li key={rule.id}>
                  <span className="badge" data-tone={rule.effect === 'allow' ? 'ok' : 'bad'}>
                    {rule.effect === 'allow' ? t('allow') : t('deny')}
                  </span>
                  <span className="rule-text">{rule.text}</span>
                  <ConfirmButton
                    label={t('deleteRule')}
                    confirmLabel={t('deleteRuleConfirm')}
                    onConfirm={() => void run(() => deleteRule(rule.id).then(() => t('ruleDeleted')))}
                  />
                </li>
              ))}
            </ul>
            <RuleForm unitPaths={unitPaths} groups={groups.data ?? []} run={run} />
          </section>
          <HiddenUnits hidden={overview.hiddenUnits} unitPaths={unitPaths} run={run} />
        </>
      )}
      <VisibilityCheck />
    </section>
  );
}

function HiddenUnits({ hidden, unitPaths, run }: { hidden: string[]; unitPaths: string[]; run: RunAction }) {
  const t = useT(ruleMessages);
  const [path, setPath] = useState('');
  const candidates = unitPaths.filter((unit) => !hidden.includes(unit));
  async function hide(event: FormEvent) {
    event.preventDefault();
    if (!path) return;
    if (await run(() => setUnitHidden(path, true).then(() => t('hiddenDone', { path })))) setPath('');
  }
  return (
    <section className="admin-panel" aria-labelledby="hidden-title">
      <h3 id="hidden-title">{t('hiddenUnits')}</h3>
      <p className="muted small">{t('hiddenHelp')}</p>
      {hidden.length === 0 && <p className="muted">{t('noHidden')}</p>}
      <ul className="plain-list">
        {hidden.map((unit) => (
          <li key={unit}>
            <span>{unit}</span>
            <button
              type="button"
              onClick={() =>
                void run(() => setUnitHidden(unit, false).then(() => t('unhiddenDone', { path: unit })))
              }
            >
              {t('unhide')}
            </button>
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={(event) => void hide(event)} aria-label={t('hide')}>
        <select value={path} aria-label={t('unit')} onChange={(event) => setPath(event.target.value)}>
          <option value="">—</option>
          {candidates.map((unit) => (
            <option key={unit} value={unit}>
              {unit}
            </option>
          ))}
        </select>
        <button type="submit" disabled={!path}>
          {t('hide')}
        </button>
      </form>
    </section>
  );
}

/** The reason in the reader's language; the rule itself stays as the server words it. */
function reasonText(
  check: ApiVisibilityCheck,
  what: 'see' | 'message',
  t: (key: RuleKey, vars?: Record<string, string | number>) => string,
): string {
  const reason = check.decidedBy[what];
  switch (reason.kind) {
    case 'self':
      return t('reasonSelf');
    case 'admin':
      return t('reasonAdmin', { a: check.a });
    case 'hidden-unit':
      return t('reasonHidden', { a: check.a, b: check.b, unit: reason.unit });
    case 'own-unit':
      return t('reasonOwnUnit', { unit: reason.unit });
    case 'rule':
      return t('reasonRule', { id: reason.rule.id, text: reason.rule.text });
    case 'mode':
      return reason.mode === 'open' ? t('reasonOpen') : t('reasonClosed');
    default: {
      const unknown: never = reason;
      return (unknown as { explanation: string }).explanation;
    }
  }
}

type RuleKey = keyof (typeof ruleMessages)['en'];

function VisibilityCheck() {
  const t = useT(ruleMessages);
  const ta = useT(adminMessages);
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [result, setResult] = useState<ApiVisibilityCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setResult(null);
    try {
      setResult(await checkVisibility(a.trim(), b.trim()));
    } catch (failure) {
      setError(failure);
    }
  }
  return (
    <section className="admin-panel" aria-labelledby="check-title">
      <h3 id="check-title">{t('check')}</h3>
      <p className="muted small">{t('checkHelp')}</p>
      <form className="admin-form check-form" onSubmit={(event) => void submit(event)}>
        <label>
          {t('checkA')}
          <input
            type="text"
            name="a"
            required
            spellCheck={false}
            value={a}
            onChange={(event) => setA(event.target.value)}
          />
        </label>
        <label>
          {t('checkB')}
          <input
            type="text"
            name="b"
            required
            spellCheck={false}
            value={b}
            onChange={(event) => setB(event.target.value)}
          />
        </label>
        <div className="form-actions">
          <button type="submit">{t('checkRun')}</button>
        </div>
      </form>
      <ErrorNote error={error} />
      {result && (
        <dl className="check-result" role="status" data-testid="visibility-check">
          {(['see', 'message'] as const).map((what) => (
            <div key={what}>
              <dt>
                {what === 'see' ? t('canSee') : t('canMessage')}:{' '}
                <span className="badge" data-tone={result[what] ? 'ok' : 'bad'}>
                  {result[what] ? ta('yes') : ta('no')}
                </span>
              </dt>
              <dd className="muted">{t('because', { why: reasonText(result, what, t) })}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
