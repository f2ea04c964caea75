import { useId, useState, type FormEvent } from 'react';
import type { ApiGroup } from '../../../../src/protocol/admin-api.ts';
import type { ApiVisibilityRule } from '../../../../src/protocol/visibility.ts';
import { ApiError } from '../../lib/api.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import { deleteGroup, groupMembers, listGroups, updateGroup, visibilityRules } from './admin-api.ts';
import { GroupMembers } from './GroupMembers.tsx';
import { groupMessages } from './group-messages.ts';
import { checkGroupName, rulesNaming } from './group-model.ts';
import { GroupFields, SectionNotes, type GroupActions } from './group-ui.tsx';
import { adminMessages } from './messages.ts';
import { DialogConfirm, Modal, useLoad } from './ui.tsx';

/** `#/admin/groups/<name>`: the group, its members, the rules that name it; rename and delete. */
export function GroupDetail({ name, actions }: { name: string; actions: GroupActions }) {
  const t = useT(groupMessages);
  const groups = useLoad(listGroups, `groups-${actions.version}`);
  const members = useLoad(() => groupMembers(name), `members-${actions.version}`);
  const rules = useLoad(visibilityRules, `rules-${actions.version}`);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const group = groups.data?.find((candidate) => candidate.name === name);
  const naming = rulesNaming(rules.data?.rules ?? [], name);
  const unknown = members.error instanceof ApiError && members.error.code === 'GROUP_UNKNOWN';

  return (
    <section className="admin-section group-detail" aria-labelledby="group-title">
      <p>
        <a href={href('admin', 'groups')}>← {t('allGroups')}</a>
      </p>
      <header className="admin-head">
        <h2 id="group-title">{name}</h2>
        {group && !editing && (
          <div className="admin-head-actions">
            <button type="button" onClick={() => setEditing(true)}>
              {t('rename')}
            </button>
            <button type="button" className="danger" onClick={() => setDeleting(true)}>
              {t('delete')}
            </button>
          </div>
        )}
      </header>
      {group?.description && !editing && <p className="muted">{group.description}</p>}
      <SectionNotes actions={actions} error={members.error ?? groups.error} />
      {group && editing && (
        <RenameForm
          group={group}
          others={(groups.data ?? []).map((other) => other.name).filter((other) => other !== name)}
          actions={actions}
          onDone={() => setEditing(false)}
        />
      )}
      {!unknown && (
        <GroupMembers group={name} members={members.data} loading={members.loading} actions={actions} />
      )}
      {naming.length > 0 && <NamingRules rules={naming} />}
      {group && (
        <DeleteDialog
          group={group}
          rules={naming}
          open={deleting}
          onClose={() => setDeleting(false)}
          actions={actions}
        />
      )}
    </section>
  );
}

function NamingRules({ rules }: { rules: ApiVisibilityRule[] }) {
  const t = useT(groupMessages);
  return (
    <section className="admin-panel" aria-labelledby="group-rules-title">
      <h3 id="group-rules-title">{t('rulesTitle')}</h3>
      <ul className="plain-list">
        {rules.map((rule) => (
          <li key={rule.id}>{rule.text}</li>
        ))}
      </ul>
      <p className="muted small">
        <a href={href('admin', 'rules')}>{t('rulesHelp')}</a>
      </p>
    </section>
  );
}

function RenameForm({
  group,
  others,
  actions,
  onDone,
}: {
  group: ApiGroup;
  others: string[];
  actions: GroupActions;
  onDone: () => void;
}) {
  const t = useT(groupMessages);
  const ta = useT(adminMessages);
  const titleId = useId();
  const [name, setName] = useState(group.name);
  const [description, setDescription] = useState(group.description);
  const [busy, setBusy] = useState(false);
  const check = checkGroupName(name, others);
  const renamed = check.ok && check.name !== group.name;
  const described = description.trim() !== group.description;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!check.ok) return;
    if (!renamed && !described) {
      onDone();
      return;
    }
    const newName = check.name;
    setBusy(true);
    const done = await actions.run(async () => {
      await updateGroup(group.name, {
        ...(renamed ? { name: newName } : {}),
        ...(described ? { description: description.trim() } : {}),
      });
      if (renamed) {
        navigate('admin', 'groups', newName);
        return t('renamed', { from: group.name, name: newName });
      }
      return t('described', { name: group.name });
    });
    setBusy(false);
    if (done) onDone();
  }

  return (
    <form
      className="admin-panel admin-form"
      onSubmit={(event) => void submit(event)}
      aria-labelledby={titleId}
    >
      <h3 id={titleId}>{t('renameTitle', { name: group.name })}</h3>
      <GroupFields
        name={name}
        description={description}
        problem={check.ok ? null : check.problem}
        autoFocus
        onNameChange={setName}
        onDescriptionChange={setDescription}
      />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || !check.ok}>
          {t('renameSave')}
        </button>
        <button type="button" onClick={onDone}>
          {ta('cancel')}
        </button>
      </div>
    </form>
  );
}

/** Says what deleting does (members stay users; the rules naming it go) before it is done. */
function DeleteDialog({
  group,
  rules,
  open,
  onClose,
  actions,
}: {
  group: ApiGroup;
  rules: ApiVisibilityRule[];
  open: boolean;
  onClose: () => void;
  actions: GroupActions;
}) {
  const t = useT(groupMessages);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await deleteGroup(group.name);
    } catch (failure) {
      setError(failure);
      setBusy(false);
      return;
    }
    onClose();
    navigate('admin', 'groups');
    actions.done(t('deleted', { name: group.name }));
  }

  const members =
    group.members === 0
      ? t('deleteNoMembers')
      : group.members === 1
        ? t('deleteMembersOne')
        : t('deleteMembers', { count: group.members });
  return (
    <Modal title={t('deleteTitle', { name: group.name })} open={open} onClose={onClose}>
      <div className="admin-form" data-testid="delete-group">
        <p>{members}</p>
        {rules.length === 0 ? (
          <p>{t('deleteNoRules')}</p>
        ) : (
          <>
            <p className="warn-note">{t('deleteRules')}</p>
            <ul className="dialog-list">
              {rules.map((rule) => (
                <li key={rule.id}>{rule.text}</li>
              ))}
            </ul>
          </>
        )}
        <DialogConfirm
          label={t('deleteConfirm')}
          busy={busy}
          error={error}
          onConfirm={() => void remove()}
          onCancel={onClose}
        />
      </div>
    </Modal>
  );
}
