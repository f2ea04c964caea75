import { useState, type FormEvent } from 'react';
import type { ApiOrgUnit, ApiUser } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import { deleteUnit, listAllUsers, renameUnit } from './admin-api.ts';
import { adminMessages } from './messages.ts';
import { allPaths, childrenOf, findUnit, parentChoices, parentOf } from './org-model.ts';
import { orgMessages } from './org-messages.ts';
import { select, type OrgActions, type OrgSelection } from './OrgSection.tsx';
import { NewUnitForm, type Dragging } from './OrgTree.tsx';
import { ConfirmButton, ErrorNote, Modal, useLoad } from './ui.tsx';

/** The chosen unit: its actions, and the people directly in it (each draggable, each with "Move to…"). */
export function UnitPanel({
  units,
  selection,
  title,
  actions,
  setDragging,
}: {
  units: ApiOrgUnit[];
  selection: NonNullable<OrgSelection>;
  title: string;
  actions: OrgActions;
  setDragging: (dragging: Dragging) => void;
}) {
  const t = useT(orgMessages);
  const path = selection.kind === 'unit' ? selection.path : null;
  const unit = path === null ? undefined : findUnit(units, path);
  const members = useLoad(
    () =>
      path === null
        ? listAllUsers().then((users) => users.filter((user) => user.unit === null))
        : listAllUsers({ unit: path }),
    `${path ?? ''}\n${actions.version}`,
  );
  const [moving, setMoving] = useState<ApiUser | null>(null);

  return (
    <div className="org-unit-panel">
      <h3>{path ?? title}</h3>
      {path !== null && unit && <UnitActions unit={unit} units={units} actions={actions} />}
      {path === null && <p className="muted small">{t('noUnitHint')}</p>}
      <h4>{t('people', { name: title })}</h4>
      <ErrorNote error={members.error} />
      {members.data && members.data.length === 0 && <p className="muted">{t('nobody')}</p>}
      <ul className="plain-list member-list" aria-label={t('people', { name: title })}>
        {(members.data ?? []).map((user) => (
          <li
            key={user.address}
            draggable
            data-person={user.address}
            onDragStart={(event) => {
              event.dataTransfer.setData('text/plain', user.address);
              event.dataTransfer.effectAllowed = 'move';
              setDragging({ kind: 'person', address: user.address, name: user.displayName });
            }}
            onDragEnd={() => setDragging(null)}
          >
            <span className="drag-handle" aria-hidden="true">
              ⠿
            </span>
            <a href={href('admin', 'users', user.address)} className="user-link">
              <strong>{user.displayName}</strong>
              <span className="muted small">{user.title || user.address}</span>
            </a>
            <button type="button" onClick={() => setMoving(user)}>
              {t('movePerson')}
            </button>
          </li>
        ))}
      </ul>
      <MoveDialog
        title={moving ? t('movePersonTitle', { name: moving.displayName }) : ''}
        open={moving !== null}
        current={moving?.unit ?? null}
        choices={allPaths(units)}
        noneLabel={t('noUnit')}
        onClose={() => setMoving(null)}
        onMove={async (unitPath) => {
          if (!moving) return;
          if (await actions.movePerson(moving.address, moving.displayName, unitPath)) setMoving(null);
        }}
      />
    </div>
  );
}

function UnitActions({
  unit,
  units,
  actions,
}: {
  unit: ApiOrgUnit;
  units: ApiOrgUnit[];
  actions: OrgActions;
}) {
  const t = useT(orgMessages);
  const ta = useT(adminMessages);
  const parent = parentOf(unit.path);
  const siblings = childrenOf(units, parent);
  const index = siblings.findIndex((sibling) => sibling.path === unit.path);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(unit.name);
  const [moving, setMoving] = useState(false);

  async function rename(event: FormEvent) {
    event.preventDefault();
    const done = await actions.run(async () => {
      const renamed = await renameUnit(unit.path, name.trim());
      select({ kind: 'unit', path: renamed.path });
      return t('renamed', { path: renamed.path });
    });
    if (done) setRenaming(false);
  }

  return (
    <div className="unit-actions">
      {renaming ? (
        <form className="inline-form" onSubmit={(event) => void rename(event)} aria-label={t('rename')}>
          <input
            type="text"
            value={name}
            maxLength={100}
            aria-label={t('unitName')}
            autoFocus
            onChange={(event) => setName(event.target.value)}
          />
          <button type="submit" className="primary" disabled={!name.trim() || name.trim() === unit.name}>
            {t('rename')}
          </button>
          <button type="button" onClick={() => setRenaming(false)}>
            {ta('cancel')}
          </button>
        </form>
      ) : (
        <div className="form-actions">
          <button type="button" onClick={() => setRenaming(true)}>
            {t('rename')}
          </button>
          <button type="button" onClick={() => setMoving(true)}>
            {t('moveUnit')}
          </button>
          <button
            type="button"
            disabled={index <= 0}
            onClick={() => void actions.moveUnitTo(unit.path, parent, index - 1)}
          >
            ↑ {t('moveUp')}
          </button>
          <button
            type="button"
            disabled={index < 0 || index >= siblings.length - 1}
            onClick={() => void actions.moveUnitTo(unit.path, parent, index + 1)}
          >
            ↓ {t('moveDown')}
          </button>
          <ConfirmButton
            label={t('delete')}
            confirmLabel={t('deleteConfirm', { name: unit.name })}
            disabled={unit.members > 0 || unit.children.length > 0}
            onConfirm={() =>
              void actions.run(async () => {
                await deleteUnit(unit.path);
                select(parent === null ? null : { kind: 'unit', path: parent });
                return t('deleted', { path: unit.path });
              })
            }
          />
        </div>
      )}
      {(unit.members > 0 || unit.children.length > 0) && <p className="muted small">{t('deleteNotEmpty')}</p>}
      <NewUnitForm parent={unit.path} label={t('newSubUnit')} actions={actions} />
      <MoveDialog
        title={t('moveUnitTitle', { name: unit.name })}
        open={moving}
        current={parent}
        choices={parentChoices(units, unit.path)}
        noneLabel={t('topLevel')}
        onClose={() => setMoving(false)}
        onMove={async (target) => {
          if (await actions.moveUnitTo(unit.path, target)) setMoving(false);
        }}
      />
    </div>
  );
}

/** "Move to…" without a mouse: a list of places and a Move button. */
function MoveDialog(props: {
  title: string;
  open: boolean;
  current: string | null;
  choices: string[];
  noneLabel: string;
  onClose: () => void;
  onMove: (target: string | null) => Promise<void>;
}) {
  return (
    <Modal title={props.title} open={props.open} onClose={props.onClose}>
      <MoveForm {...props} />
    </Modal>
  );
}

/** Inside the dialog, so each opening starts from the current place. */
function MoveForm({
  current,
  choices,
  noneLabel,
  onClose,
  onMove,
}: {
  current: string | null;
  choices: string[];
  noneLabel: string;
  onClose: () => void;
  onMove: (target: string | null) => Promise<void>;
}) {
  const t = useT(orgMessages);
  const ta = useT(adminMessages);
  const [target, setTarget] = useState(current ?? '');
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await onMove(target === '' ? null : target);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="admin-form" onSubmit={(event) => void submit(event)}>
      <label>
        {t('newParent')}
        <select value={target} autoFocus onChange={(event) => setTarget(event.target.value)}>
          <option value="">{noneLabel}</option>
          {choices.map((path) => (
            <option key={path} value={path}>
              {path}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy || target === (current ?? '')}>
          {t('move')}
        </button>
        <button type="button" onClick={onClose}>
          {ta('cancel')}
        </button>
      </div>
    </form>
  );
}
