import { useState, type DragEvent, type FormEvent } from 'react';
import type { ApiOrgUnit } from '../../../../src/protocol/admin-api.ts';
import { useT } from '../../lib/i18n.ts';
import { href } from '../../lib/router.ts';
import { createUnit } from './admin-api.ts';
import { canDropInto, dropPlacement, flattenUnits, type UnitRow } from './org-model.ts';
import { orgMessages } from './org-messages.ts';
import type { OrgActions, OrgSelection } from './OrgSection.tsx';

/** What is being dragged: a unit of the tree, or a person from the unit panel. */
export type Dragging =
  { kind: 'unit'; path: string } | { kind: 'person'; address: string; name: string } | null;

type Zone = 'before' | 'inside' | 'after';

/** Where on a row the pointer is: the top and bottom quarters place a unit beside the row, the rest inside it. */
function zoneOf(event: DragEvent<HTMLElement>, dragging: Dragging): Zone {
  if (dragging?.kind !== 'unit') return 'inside';
  const box = event.currentTarget.getBoundingClientRect();
  const y = (event.clientY - box.top) / Math.max(1, box.height);
  return y < 0.25 ? 'before' : y > 0.75 ? 'after' : 'inside';
}

export function OrgTree({
  units,
  hidden,
  selection,
  actions,
  dragging,
  setDragging,
}: {
  units: ApiOrgUnit[];
  hidden: string[];
  selection: OrgSelection;
  actions: OrgActions;
  dragging: Dragging;
  setDragging: (dragging: Dragging) => void;
}) {
  const t = useT(orgMessages);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [hint, setHint] = useState<{ target: string | null; zone: Zone } | null>(null);
  const rows = flattenUnits(units, collapsed);

  function allowed(target: string | null, zone: Zone): boolean {
    if (!dragging) return false;
    if (dragging.kind === 'person') return zone === 'inside';
    if (target === null) return false;
    if (zone === 'inside') return canDropInto(dragging.path, target);
    return dropPlacement(units, dragging.path, target, zone) !== null && target !== dragging.path;
  }

  function over(event: DragEvent<HTMLElement>, target: string | null) {
    const zone = target === null ? 'inside' : zoneOf(event, dragging);
    if (!allowed(target, zone)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    if (hint?.target !== target || hint.zone !== zone) setHint({ target, zone });
  }

  function drop(event: DragEvent<HTMLElement>, target: string | null) {
    const zone = target === null ? 'inside' : zoneOf(event, dragging);
    const moving = dragging;
    setHint(null);
    setDragging(null);
    if (!moving || !allowed(target, zone)) return;
    event.preventDefault();
    if (moving.kind === 'person') {
      void actions.movePerson(moving.address, moving.name, target);
    } else if (zone === 'inside') {
      void actions.moveUnitTo(moving.path, target);
    } else if (target !== null) {
      const placement = dropPlacement(units, moving.path, target, zone);
      if (placement) void actions.moveUnitTo(moving.path, placement.parent, placement.position);
    }
  }

  function toggle(path: string) {
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  }

  const rowProps = (target: string | null) => ({
    onDragOver: (event: DragEvent<HTMLElement>) => over(event, target),
    onDragLeave: () => setHint((current) => (current?.target === target ? null : current)),
    onDrop: (event: DragEvent<HTMLElement>) => drop(event, target),
    'data-drop': hint && hint.target === target ? hint.zone : undefined,
  });

  return (
    <div className="org-tree-panel">
      <h3 className="visually-hidden">{t('tree')}</h3>
      {rows.length === 0 && <p className="muted">{t('noUnits')}</p>}
      <ul className="org-tree" aria-label={t('tree')}>
        {rows.map((row) => (
          <li
            key={row.path}
            className="org-row"
            style={{ paddingInlineStart: `${0.25 + row.depth * 1.1}rem` }}
            draggable
            onDragStart={(event) => {
              event.dataTransfer.setData('text/plain', row.path);
              event.dataTransfer.effectAllowed = 'move';
              setDragging({ kind: 'unit', path: row.path });
            }}
            onDragEnd={() => {
              setDragging(null);
              setHint(null);
            }}
            {...rowProps(row.path)}
          >
            <TreeToggle row={row} collapsed={collapsed.has(row.path)} onToggle={() => toggle(row.path)} />
            <a
              className="org-row-link"
              href={href('admin', 'org', 'unit', row.path)}
              aria-current={selection?.kind === 'unit' && selection.path === row.path ? 'true' : undefined}
              data-unit={row.path}
            >
              <span className="org-row-name">{row.name}</span>
              <span className="muted small">
                {row.members === 1 ? t('membersOne') : t('members', { count: row.members })}
              </span>
              {hidden.includes(row.path) && <span className="badge">{t('hidden')}</span>}
            </a>
          </li>
        ))}
        <li className="org-row org-row-none" {...rowProps(null)}>
          <span className="org-toggle-space" aria-hidden="true" />
          <a
            className="org-row-link"
            href={href('admin', 'org', 'none')}
            aria-current={selection?.kind === 'none' ? 'true' : undefined}
            title={t('noUnitHint')}
          >
            <span className="org-row-name">{t('noUnit')}</span>
          </a>
        </li>
      </ul>
      <NewUnitForm parent={null} label={t('newTopUnit')} actions={actions} />
    </div>
  );
}

function TreeToggle({
  row,
  collapsed,
  onToggle,
}: {
  row: UnitRow;
  collapsed: boolean;
  onToggle: () => void;
}) {
  const t = useT(orgMessages);
  if (row.childCount === 0) return <span className="org-toggle-space" aria-hidden="true" />;
  return (
    <button
      type="button"
      className="org-toggle"
      aria-expanded={!collapsed}
      aria-label={collapsed ? t('expand', { name: row.name }) : t('collapse', { name: row.name })}
      onClick={onToggle}
    >
      {collapsed ? '▸' : '▾'}
    </button>
  );
}

/** A name and "Create": a unit at the top level, or under `parent`. */
export function NewUnitForm({
  parent,
  label,
  actions,
}: {
  parent: string | null;
  label: string;
  actions: OrgActions;
}) {
  const t = useT(orgMessages);
  const [name, setName] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    const path = parent === null ? trimmed : `${parent}/${trimmed}`;
    const done = await actions.run(async () => {
      const created = await createUnit(path);
      return t('createdUnit', { path: created.path });
    });
    if (done) setName('');
  }
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label={label}>
      <input
        type="text"
        value={name}
        maxLength={100}
        placeholder={label}
        aria-label={label}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" disabled={!name.trim()}>
        {t('create')}
      </button>
    </form>
  );
}
