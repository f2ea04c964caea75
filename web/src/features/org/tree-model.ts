import type { DirectoryUnit } from '../../../../src/protocol/im/directory.ts';

/**
 * The org tree as the page shows it: the visible rows (units whose
 * ancestors are all expanded) in order, the keyboard moves of a WAI-ARIA
 * tree over them, and the online counts patched with what the client sees
 * live. DOM-free, tested beside it.
 */
export interface TreeRow {
  unit: DirectoryUnit;
  /** 1 for a top-level unit (aria-level). */
  level: number;
  parentId: number | null;
  expanded: boolean;
  /** Position among its siblings, from 1, and how many they are (aria-posinset, aria-setsize). */
  position: number;
  siblings: number;
}

export function visibleRows(units: readonly DirectoryUnit[], expanded: ReadonlySet<number>): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (list: readonly DirectoryUnit[], level: number, parentId: number | null) => {
    list.forEach((unit, index) => {
      const open = unit.children.length > 0 && expanded.has(unit.id);
      rows.push({ unit, level, parentId, expanded: open, position: index + 1, siblings: list.length });
      if (open) walk(unit.children, level + 1, unit.id);
    });
  };
  walk(units, 1, null);
  return rows;
}

/** The units from the top down to `unitId` (inclusive); empty when it is not in the tree. */
export function pathTo(units: readonly DirectoryUnit[], unitId: number): DirectoryUnit[] {
  for (const unit of units) {
    if (unit.id === unitId) return [unit];
    const below = pathTo(unit.children, unitId);
    if (below.length > 0) return [unit, ...below];
  }
  return [];
}

/**
 * What the tree opens with: top-level units with children when there are
 * few of them, and the way down to the selected unit.
 */
export function initialExpanded(units: readonly DirectoryUnit[], selectedId: number | null): Set<number> {
  const expanded = new Set<number>();
  if (units.length <= 12) for (const unit of units) if (unit.children.length > 0) expanded.add(unit.id);
  if (selectedId !== null) for (const unit of pathTo(units, selectedId).slice(0, -1)) expanded.add(unit.id);
  return expanded;
}

/**
 * The tree with one unit's direct `online` count replaced by what the
 * client sees live, and its ancestors' totals moved by the same difference
 * (the tree itself is a snapshot taken when it was loaded).
 */
export function withLiveOnline(
  units: readonly DirectoryUnit[],
  unitId: number,
  online: number,
): readonly DirectoryUnit[] {
  const path = pathTo(units, unitId);
  const target = path.at(-1);
  if (!target || target.online === online) return units;
  const delta = online - target.online;
  const onPath = new Set(path.map((unit) => unit.id));
  const patch = (list: readonly DirectoryUnit[]): DirectoryUnit[] =>
    list.map((unit) => {
      if (!onPath.has(unit.id)) return unit;
      return {
        ...unit,
        online: unit.id === unitId ? online : unit.online,
        totalOnline: Math.max(0, unit.totalOnline + delta),
        children: patch(unit.children),
      };
    });
  return patch(units);
}

export type TreeMove =
  | { kind: 'focus'; index: number }
  | { kind: 'expand'; unitId: number }
  | { kind: 'collapse'; unitId: number }
  | { kind: 'select'; unitId: number }
  | { kind: 'none' };

/** The WAI-ARIA tree keys (APG "Tree View"): arrows, Home, End, Enter and Space. */
export function treeKey(rows: readonly TreeRow[], index: number, key: string): TreeMove {
  const row = rows[index];
  if (!row) return { kind: 'none' };
  switch (key) {
    case 'ArrowDown':
      return index + 1 < rows.length ? { kind: 'focus', index: index + 1 } : { kind: 'none' };
    case 'ArrowUp':
      return index > 0 ? { kind: 'focus', index: index - 1 } : { kind: 'none' };
    case 'Home':
      return { kind: 'focus', index: 0 };
    case 'End':
      return { kind: 'focus', index: rows.length - 1 };
    case 'ArrowRight':
      if (row.unit.children.length === 0) return { kind: 'none' };
      return row.expanded ? { kind: 'focus', index: index + 1 } : { kind: 'expand', unitId: row.unit.id };
    case 'ArrowLeft': {
      if (row.expanded) return { kind: 'collapse', unitId: row.unit.id };
      const parent = rows.findIndex((candidate) => candidate.unit.id === row.parentId);
      return parent >= 0 ? { kind: 'focus', index: parent } : { kind: 'none' };
    }
    case 'Enter':
    case ' ':
      return { kind: 'select', unitId: row.unit.id };
    default:
      return { kind: 'none' };
  }
}
