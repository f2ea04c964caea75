import { useCallback, useId, useState, type FormEvent } from 'react';
import type { ApiGroup } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import { createGroup, listGroups, visibilityRules } from './admin-api.ts';
import { GroupDetail } from './GroupDetail.tsx';
import { groupMessages } from './group-messages.ts';
import {
  checkGroupName,
  filterGroups,
  MAX_GROUP_DESCRIPTION,
  MAX_GROUP_NAME,
  ruleCounts,
} from './group-model.ts';
import { GROUP_NAME_PROBLEMS, SectionNotes, type GroupActions } from './group-ui.tsx';
import { adminMessages } from './messages.ts';
import { useLoad } from './ui.tsx';

/** `#/admin/groups` (the list) and `#/admin/groups/<name>` (one group and its members). */
export function GroupsSection({ route }: { route: string[] }) {
  const [version, setVersion] = useState(0);
  // Kept here, not in the list or the group, so "created" / "deleted" survive the move between them.
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = useCallback(async (work: () => Promise<string>) => {
    setError(null);
    setStatus(null);
    try {
      setStatus(await work());
      return true;
    } catch (failure) {
      setError(failure);
      return false;
    } finally {
      setVersion((n) => n + 1);
    }
  }, []);

  const done = useCallback((message: string) => {
    setError(null);
    setStatus(message);
    setVersion((n) => n + 1);
  }, []);

  const actions: GroupActions = { run, done, version, status, error };
  const [name] = route;
  if (name) return <GroupDetail key={name} name={name} actions={actions} />;
  return <GroupList actions={actions} />;
}

function GroupList({ actions }: { actions: GroupActions }) {
  const t = useT(groupMessages);
  const ta = useT(adminMessages);
  const groups = useLoad(listGroups, `groups-${actions.version}`);
  const rules = useLoad(visibilityRules, `rules-${actions.version}`);
  const [filter, setFilter] = useState('');
  const all = groups.data ?? [];
  const shown = filterGroups(all, filter);
  const counts = ruleCounts(rules.data?.rules ?? []);

  return (
    <section className="admin-section" aria-labelledby="groups-title">
      <header className="admin-head">
        <h2 id="groups-title">{ta('navGroups')}</h2>
      </header>
      <p className="muted small">{t('help')}</p>
      <SectionNotes actions={actions} error={groups.error} />
      <div className="toolbar">
        <label className="search-field">
          <span className="visually-hidden">{t('filter')}</span>
          <input
            type="search"
            value={filter}
            placeholder={t('filterPlaceholder')}
            aria-label={t('filter')}
            onChange={(event) => setFilter(event.target.value)}
          />
        </label>
      </div>
      <div className="table-scroll">
        <table className="admin-table" aria-busy={groups.loading} data-testid="group-table">
          <thead>
            <tr>
              <th scope="col">{t('colName')}</th>
              <th scope="col" className="hide-narrow">
                {t('colDescription')}
              </th>
              <th scope="col">{t('colMembers')}</th>
              <th scope="col">{t('colRules')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((group) => (
              <GroupRow key={group.name} group={group} rules={counts.get(group.name) ?? 0} />
            ))}
          </tbody>
        </table>
      </div>
      {!groups.loading && all.length === 0 && <p className="muted">{t('noGroups')}</p>}
      {all.length > 0 && shown.length === 0 && <p className="muted">{t('noMatch')}</p>}
      <NewGroupForm names={all.map((group) => group.name)} actions={actions} />
    </section>
  );
}

function GroupRow({ group, rules }: { group: ApiGroup; rules: number }) {
  const t = useT(groupMessages);
  return (
    <tr data-group={group.name}>
      <td>
        <a href={href('admin', 'groups', group.name)} className="user-link">
          <strong>{group.name}</strong>
          {group.description && <span className="muted small show-narrow">{group.description}</span>}
        </a>
      </td>
      <td className="hide-narrow">{group.description}</td>
      <td>{group.members === 1 ? t('membersCountOne') : t('membersCount', { count: group.members })}</td>
      <td className="muted">
        {rules === 0 ? '—' : rules === 1 ? t('rulesCountOne') : t('rulesCount', { count: rules })}
      </td>
    </tr>
  );
}

function NewGroupForm({ names, actions }: { names: string[]; actions: GroupActions }) {
  const t = useT(groupMessages);
  const ids = { title: useId(), hint: useId(), problem: useId() };
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const check = checkGroupName(name, names);
  const showProblem = touched && !check.ok;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!check.ok) return;
    const created = check.name;
    setBusy(true);
    const done = await actions.run(async () => {
      await createGroup(created, description.trim());
      return t('created', { name: created });
    });
    setBusy(false);
    // The next step is adding people: open the new group.
    if (done) navigate('admin', 'groups', created);
  }

  return (
    <form
      className="admin-panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby={ids.title}
    >
      <h3 id={ids.title}>{t('newGroup')}</h3>
      <div className="form-grid">
        <label>
          {t('name')}
          <input
            type="text"
            name="group-name"
            value={name}
            maxLength={MAX_GROUP_NAME + 20}
            autoComplete="off"
            aria-invalid={showProblem || undefined}
            aria-describedby={showProblem ? `${ids.problem} ${ids.hint}` : ids.hint}
            onChange={(event) => setName(event.target.value)}
            onBlur={() => setTouched(name.trim() !== '')}
          />
          {showProblem && (
            <span id={ids.problem} className="form-error small" data-problem={check.problem}>
              {t(GROUP_NAME_PROBLEMS[check.problem])}
            </span>
          )}
          <span id={ids.hint} className="muted small">
            {t('nameHint')}
          </span>
        </label>
        <label>
          {t('description')}
          <input
            type="text"
            name="group-description"
            value={description}
            maxLength={MAX_GROUP_DESCRIPTION}
            onChange={(event) => setDescription(event.target.value)}
          />
        </label>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('create')}
        </button>
      </div>
    </form>
  );
}
