import { useId, useState, type FormEvent } from 'react';
import type { ApiGroup } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import { createGroup, listGroups, visibilityRules } from './admin-api.ts';
import { GroupDetail } from './GroupDetail.tsx';
import { groupMessages } from './group-messages.ts';
import { checkGroupName, filterGroups, ruleCounts } from './group-model.ts';
import { GroupFields, SectionNotes, type GroupActions } from './group-ui.tsx';
import { adminMessages } from './messages.ts';
import { SearchField, useAdminAction, useLoad } from './ui.tsx';

/** `#/admin/groups` (the list) and `#/admin/groups/<name>` (one group and its members). */
export function GroupsSection({ route }: { route: string[] }) {
  const [version, setVersion] = useState(0);
  // Kept here, not in the list or the group, so "created" / "deleted" survive the move between them.
  const action = useAdminAction(() => setVersion((n) => n + 1));
  const actions: GroupActions = { ...action, version };
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
        <SearchField
          label={t('filter')}
          placeholder={t('filterPlaceholder')}
          value={filter}
          onChange={setFilter}
        />
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
  const titleId = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const check = checkGroupName(name, names);

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
      aria-labelledby={titleId}
    >
      <h3 id={titleId}>{t('newGroup')}</h3>
      <GroupFields
        name={name}
        description={description}
        problem={touched && !check.ok ? check.problem : null}
        hint={t('nameHint')}
        onNameChange={setName}
        onNameBlur={() => setTouched(name.trim() !== '')}
        onDescriptionChange={setDescription}
      />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('create')}
        </button>
      </div>
    </form>
  );
}
