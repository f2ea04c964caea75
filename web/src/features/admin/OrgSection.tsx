import { useState } from 'react';
import { useT } from '../../lib/i18n.ts';
import { navigate } from '../../lib/router.ts';
import { moveUnit, orgTree, updateUser, visibilityRules } from './admin-api.ts';
import { adminMessages } from './messages.ts';
import { nameOf } from './org-model.ts';
import { orgMessages } from './org-messages.ts';
import { OrgTree, type Dragging } from './OrgTree.tsx';
import { UnitPanel } from './UnitPanel.tsx';
import { ErrorNote, StatusNote, useAdminAction, useLoad, type RunAction } from './ui.tsx';

/** What the right side shows: a unit, the people in no unit, or nothing yet. */
export type OrgSelection = { kind: 'unit'; path: string } | { kind: 'none' } | null;

export function selectionOf(route: string[]): OrgSelection {
  if (route[0] === 'unit' && route[1]) return { kind: 'unit', path: route[1] };
  if (route[0] === 'none') return { kind: 'none' };
  return null;
}

export function select(selection: OrgSelection): void {
  if (selection === null) navigate('admin', 'org');
  else if (selection.kind === 'none') navigate('admin', 'org', 'none');
  else navigate('admin', 'org', 'unit', selection.path);
}

/** Changes made here, shared by the tree and the unit panel so both say what happened. */
export interface OrgActions {
  run: RunAction;
  movePerson: (address: string, name: string, unit: string | null) => Promise<boolean>;
  moveUnitTo: (path: string, parent: string | null, position?: number) => Promise<boolean>;
  /** Bumped after every change: the members list reloads on it. */
  version: number;
}

/** `#/admin/org[/unit/<path>|/none]`: the org chart editor. */
export function OrgSection({ route }: { route: string[] }) {
  const t = useT(orgMessages);
  const ta = useT(adminMessages);
  const selection = selectionOf(route);
  const [version, setVersion] = useState(0);
  const tree = useLoad(orgTree, `tree-${version}`);
  const hidden = useLoad(() => visibilityRules().then((rules) => rules.hiddenUnits), `hidden-${version}`);
  const { run, status, error } = useAdminAction(() => setVersion((n) => n + 1));
  const [dragging, setDragging] = useState<Dragging>(null);

  const actions: OrgActions = {
    run,
    version,
    movePerson: (address, name, unit) =>
      run(async () => {
        await updateUser(address, { unit });
        return t('personMoved', { name, unit: unit ?? t('noUnit') });
      }),
    moveUnitTo: (path, parent, position) =>
      run(async () => {
        const moved = await moveUnit(path, parent, position);
        if (selection?.kind === 'unit' && selection.path === path) select({ kind: 'unit', path: moved.path });
        return t('moved', { path: moved.path });
      }),
  };

  const units = tree.data ?? [];
  return (
    <section className="admin-section org-editor" aria-labelledby="org-title">
      <header className="admin-head">
        <h2 id="org-title">{ta('navOrg')}</h2>
      </header>
      <p className="muted small">{t('dragHint')}</p>
      <ErrorNote error={tree.error ?? error} />
      <StatusNote text={status} />
      {!tree.data && tree.loading ? (
        <p className="muted">{ta('loading')}</p>
      ) : (
        <div className="org-columns">
          <OrgTree
            units={units}
            hidden={hidden.data ?? []}
            selection={selection}
            actions={actions}
            dragging={dragging}
            setDragging={setDragging}
          />
          {selection === null ? (
            <p className="muted org-pick">{t('pickUnit')}</p>
          ) : (
            <UnitPanel
              key={selection.kind === 'unit' ? selection.path : 'none'}
              units={units}
              selection={selection}
              title={selection.kind === 'unit' ? nameOf(selection.path) : t('noUnit')}
              actions={actions}
              setDragging={setDragging}
            />
          )}
        </div>
      )}
    </section>
  );
}
