import { useId, useState, type FormEvent } from 'react';
import type { ApiGroup } from '../../../../src/protocol/admin-api.ts';
import type { RuleEffect, RuleParty, RulePermission } from '../../../../src/protocol/visibility.ts';
import { useT } from '../../lib/i18n.ts';
import { addRule } from './admin-api.ts';
import { ruleMessages } from './rules-messages.ts';
import type { RunAction } from './ui.tsx';

type PartyDraft = {
  kind: 'everyone' | 'unit' | 'group';
  path: string;
  includeSubunits: boolean;
  name: string;
};

function partyOf(draft: PartyDraft): RuleParty | null {
  if (draft.kind === 'everyone') return { kind: 'everyone' };
  if (draft.kind === 'unit')
    return draft.path ? { kind: 'unit', path: draft.path, includeSubunits: draft.includeSubunits } : null;
  return draft.name ? { kind: 'group', name: draft.name } : null;
}

const EMPTY: PartyDraft = { kind: 'unit', path: '', includeSubunits: true, name: '' };

/** Who may (or may not) see or message whom. */
export function RuleForm({
  unitPaths,
  groups,
  run,
}: {
  unitPaths: string[];
  groups: ApiGroup[];
  run: RunAction;
}) {
  const t = useT(ruleMessages);
  const [subject, setSubject] = useState<PartyDraft>(EMPTY);
  const [object, setObject] = useState<PartyDraft>(EMPTY);
  const [permission, setPermission] = useState<RulePermission>('see');
  const [effect, setEffect] = useState<RuleEffect>('allow');
  const subjectParty = partyOf(subject);
  const objectParty = partyOf(object);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!subjectParty || !objectParty) return;
    const done = await run(async () => {
      await addRule({ subject: subjectParty, object: objectParty, permission, effect });
      return t('ruleAdded');
    });
    if (done) {
      setSubject(EMPTY);
      setObject(EMPTY);
    }
  }

  return (
    <form
      className="admin-form rule-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby="new-rule-title"
    >
      <h4 id="new-rule-title">{t('newRule')}</h4>
      <div className="rule-form-row">
        <PartyPicker
          legend={t('subject')}
          value={subject}
          onChange={setSubject}
          unitPaths={unitPaths}
          groups={groups}
        />
        <div className="rule-verb">
          <label>
            {t('effect')}
            <select value={effect} onChange={(event) => setEffect(event.target.value as RuleEffect)}>
              <option value="allow">{t('effectAllow')}</option>
              <option value="deny">{t('effectDeny')}</option>
            </select>
          </label>
          <label>
            {t('permission')}
            <select
              value={permission}
              onChange={(event) => setPermission(event.target.value as RulePermission)}
            >
              <option value="see">{t('permissionSee')}</option>
              <option value="message">{t('permissionMessage')}</option>
            </select>
          </label>
        </div>
        <PartyPicker
          legend={t('object')}
          value={object}
          onChange={setObject}
          unitPaths={unitPaths}
          groups={groups}
        />
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={!subjectParty || !objectParty}>
          {t('addRule')}
        </button>
      </div>
    </form>
  );
}

function PartyPicker({
  legend,
  value,
  onChange,
  unitPaths,
  groups,
}: {
  legend: string;
  value: PartyDraft;
  onChange: (value: PartyDraft) => void;
  unitPaths: string[];
  groups: ApiGroup[];
}) {
  const t = useT(ruleMessages);
  const id = useId();
  const set = (patch: Partial<PartyDraft>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="party-picker">
      <legend>{legend}</legend>
      <label htmlFor={`${id}-kind`}>{t('kind')}</label>
      <select
        id={`${id}-kind`}
        value={value.kind}
        onChange={(event) => set({ kind: event.target.value as PartyDraft['kind'] })}
      >
        <option value="unit">{t('kindUnit')}</option>
        <option value="group">{t('kindGroup')}</option>
        <option value="everyone">{t('kindEveryone')}</option>
      </select>
      {value.kind === 'unit' && (
        <>
          <label htmlFor={`${id}-unit`}>{t('unit')}</label>
          <select
            id={`${id}-unit`}
            value={value.path}
            onChange={(event) => set({ path: event.target.value })}
          >
            <option value="" disabled>
              —
            </option>
            {unitPaths.map((path) => (
              <option key={path} value={path}>
                {path}
              </option>
            ))}
          </select>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={value.includeSubunits}
              onChange={(event) => set({ includeSubunits: event.target.checked })}
            />
            {t('includeSubunits')}
          </label>
        </>
      )}
      {value.kind === 'group' &&
        (groups.length === 0 ? (
          <p className="muted small">{t('noGroups')}</p>
        ) : (
          <>
            <label htmlFor={`${id}-group`}>{t('group')}</label>
            <select
              id={`${id}-group`}
              value={value.name}
              onChange={(event) => set({ name: event.target.value })}
            >
              <option value="" disabled>
                —
              </option>
              {groups.map((group) => (
                <option key={group.name} value={group.name}>
                  {group.name}
                </option>
              ))}
            </select>
          </>
        ))}
    </fieldset>
  );
}
