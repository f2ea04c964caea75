import { useId, useRef, useState, type FormEvent } from 'react';
import type { ApiDomain } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { addDomain } from './admin-api.ts';
import { domainMessages } from './domain-messages.ts';
import { checkDomainName, type DomainProblem } from './domain-model.ts';
import type { RunAction } from './ui.tsx';

type DomainKey = keyof (typeof domainMessages)['en'];

const PROBLEMS: Record<DomainProblem, DomainKey> = {
  empty: 'problemEmpty',
  'too-long': 'problemTooLong',
  'label-too-long': 'problemLabelTooLong',
  'empty-label': 'problemEmptyLabel',
  characters: 'problemCharacters',
  hyphen: 'problemHyphen',
  'one-label': 'problemOneLabel',
  numeric: 'problemNumeric',
  exists: 'problemExists',
};

/** Adds a domain of its own (the server makes its DKIM key) or an alias of a main domain. */
export function DomainForm({ domains, run }: { domains: ApiDomain[]; run: RunAction }) {
  const t = useT(domainMessages);
  const ids = { hint: useId(), problem: useId(), title: useId() };
  const input = useRef<HTMLInputElement>(null);
  const mains = domains.filter((domain) => domain.aliasOf === null).map((domain) => domain.name);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'main' | 'alias'>('main');
  const [aliasOf, setAliasOf] = useState('');
  const [makeDefault, setMakeDefault] = useState(false);
  // Problems show once the field was left or the form sent, not while the first letters are typed.
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const check = checkDomainName(
    name,
    domains.map((domain) => domain.name),
  );
  const target = mains.includes(aliasOf) ? aliasOf : (mains[0] ?? '');
  const showProblem = touched && !check.ok;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!check.ok || (kind === 'alias' && !target)) {
      input.current?.focus();
      return;
    }
    const added = check.name;
    setBusy(true);
    const done = await run(async () => {
      if (kind === 'alias') {
        await addDomain({ name: added, aliasOf: target });
        return t('addedAlias', { domain: added, main: target });
      }
      await addDomain({ name: added, makeDefault });
      return t('added', { domain: added });
    });
    setBusy(false);
    if (done) {
      setName('');
      setTouched(false);
      setMakeDefault(false);
    }
  }

  return (
    <form
      className="admin-form domain-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby={ids.title}
    >
      <h4 id={ids.title}>{t('addTitle')}</h4>
      <label>
        {t('name')}
        <input
          ref={input}
          type="text"
          name="domain"
          value={name}
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          inputMode="url"
          maxLength={300}
          aria-invalid={showProblem || undefined}
          aria-describedby={showProblem ? `${ids.problem} ${ids.hint}` : ids.hint}
          onChange={(event) => setName(event.target.value)}
          onBlur={() => setTouched(name.trim() !== '')}
        />
      </label>
      {showProblem && (
        <p id={ids.problem} className="form-error small" data-problem={check.problem}>
          {t(PROBLEMS[check.problem])}
        </p>
      )}
      <p id={ids.hint} className="muted small">
        {check.ok && check.converted ? t('willAddAs', { name: check.name }) : t('nameHint')}
      </p>
      <fieldset>
        <legend>{t('kind')}</legend>
        <label className="checkbox">
          <input type="radio" name="domain-kind" checked={kind === 'main'} onChange={() => setKind('main')} />
          {t('kindMain')}
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name="domain-kind"
            checked={kind === 'alias'}
            disabled={mains.length === 0}
            onChange={() => setKind('alias')}
          />
          {t('kindAlias')}
        </label>
      </fieldset>
      {kind === 'alias' ? (
        <label>
          {t('aliasOf')}
          <select
            value={target}
            aria-label={t('aliasOf')}
            onChange={(event) => setAliasOf(event.target.value)}
          >
            {mains.map((main) => (
              <option key={main} value={main}>
                {main}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={makeDefault}
            onChange={(event) => setMakeDefault(event.target.checked)}
          />
          {t('makeNewDefault')}
        </label>
      )}
      {kind === 'alias' && mains.length === 0 && <p className="form-error small">{t('noMainDomain')}</p>}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('adding') : t('add')}
        </button>
      </div>
    </form>
  );
}
