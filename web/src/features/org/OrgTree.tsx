import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { DirectoryUnit } from '../../../../src/protocol/im/directory.ts';
import { useT } from '../../lib/i18n.ts';
import { orgMessages } from './messages.ts';
import { treeKey, visibleRows } from './tree-model.ts';

/**
 * The org chart as a WAI-ARIA tree: one focusable row at a time (roving
 * tabindex), arrows to move, expand and collapse, Enter to open a unit.
 * Each row shows how many of the unit's people (sub-units included) are
 * online.
 */
export function OrgTree({
  units,
  selectedId,
  expanded,
  onToggle,
  onSelect,
}: {
  units: readonly DirectoryUnit[];
  selectedId: number | null;
  expanded: ReadonlySet<number>;
  onToggle: (unitId: number, open: boolean) => void;
  onSelect: (unitId: number) => void;
}) {
  const t = useT(orgMessages);
  const rows = useMemo(() => visibleRows(units, expanded), [units, expanded]);
  const [focusedId, setFocusedId] = useState<number | null>(null);
  const treeRef = useRef<HTMLUListElement>(null);
  const moved = useRef(false);

  // The focusable row: the one last moved to, else the selected unit, else the first.
  const activeId =
    (focusedId !== null && rows.some((row) => row.unit.id === focusedId) ? focusedId : null) ??
    (selectedId !== null && rows.some((row) => row.unit.id === selectedId) ? selectedId : null) ??
    rows[0]?.unit.id ??
    null;

  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    treeRef.current?.querySelector<HTMLElement>(`[data-unit-id="${activeId}"]`)?.focus();
  }, [activeId, rows]);

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const index = rows.findIndex((row) => row.unit.id === activeId);
    const move = treeKey(rows, index, event.key);
    switch (move.kind) {
      case 'none':
        return;
      case 'focus': {
        const target = rows[move.index];
        if (target) {
          moved.current = true;
          setFocusedId(target.unit.id);
        }
        break;
      }
      case 'expand':
        onToggle(move.unitId, true);
        break;
      case 'collapse':
        onToggle(move.unitId, false);
        break;
      case 'select':
        onSelect(move.unitId);
        break;
      default: {
        const exhaustive: never = move;
        return exhaustive;
      }
    }
    event.preventDefault();
  };

  return (
    <ul
      className="org-tree"
      role="tree"
      aria-label={t('treeLabel')}
      data-testid="org-tree"
      ref={treeRef}
      onKeyDown={onKeyDown}
    >
      {rows.map((row) => {
        const { unit } = row;
        const hasChildren = unit.children.length > 0;
        const selected = unit.id === selectedId;
        return (
          <li
            key={unit.id}
            role="treeitem"
            data-unit-id={unit.id}
            aria-level={row.level}
            aria-setsize={row.siblings}
            aria-posinset={row.position}
            aria-expanded={hasChildren ? row.expanded : undefined}
            aria-selected={selected}
            tabIndex={unit.id === activeId ? 0 : -1}
            className={selected ? 'org-tree-row selected' : 'org-tree-row'}
            style={{ paddingLeft: `${0.4 + (row.level - 1) * 1.1}rem` }}
            onFocus={() => setFocusedId(unit.id)}
            onClick={() => {
              onSelect(unit.id);
              if (hasChildren && !row.expanded) onToggle(unit.id, true);
            }}
          >
            <span
              className="org-tree-toggle"
              aria-hidden="true"
              data-open={hasChildren ? String(row.expanded) : undefined}
              onClick={(event) => {
                if (!hasChildren) return;
                event.stopPropagation();
                onToggle(unit.id, !row.expanded);
              }}
            />
            <span className="org-tree-name">{unit.name}</span>
            <span
              className="org-tree-count"
              title={t('onlineOf', { online: unit.totalOnline, total: unit.totalMembers })}
            >
              <span aria-hidden="true">
                <span className="org-tree-online">{unit.totalOnline}</span>/{unit.totalMembers}
              </span>
              <span className="visually-hidden">
                ({t('onlineOf', { online: unit.totalOnline, total: unit.totalMembers })})
              </span>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
