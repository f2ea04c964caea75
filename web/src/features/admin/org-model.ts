import type { ApiOrgUnit } from '../../../../src/protocol/admin-api.ts';

/** Unit paths join names with "/": "Sales/Tokyo". */
export const SEPARATOR = '/';

/** One row of the tree as the editor draws it: flat, in display order, with its depth. */
export interface UnitRow {
  path: string;
  name: string;
  depth: number;
  parent: string | null;
  /** Place among its siblings, from 0. */
  index: number;
  siblingCount: number;
  members: number;
  childCount: number;
}

export function flattenUnits(
  units: readonly ApiOrgUnit[],
  collapsed: ReadonlySet<string> = new Set(),
): UnitRow[] {
  const rows: UnitRow[] = [];
  const walk = (list: readonly ApiOrgUnit[], depth: number, parent: string | null) => {
    for (const [index, unit] of list.entries()) {
      rows.push({
        path: unit.path,
        name: unit.name,
        depth,
        parent,
        index,
        siblingCount: list.length,
        members: unit.members,
        childCount: unit.children.length,
      });
      if (!collapsed.has(unit.path)) walk(unit.children, depth + 1, unit.path);
    }
  };
  walk(units, 0, null);
  return rows;
}

export function parentOf(path: string): string | null {
  const at = path.lastIndexOf(SEPARATOR);
  return at < 0 ? null : path.slice(0, at);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf(SEPARATOR) + 1);
}

export function joinPath(parent: string | null, name: string): string {
  return parent === null ? name : `${parent}${SEPARATOR}${name}`;
}

/** Whether `path` is `ancestor` or below it. */
export function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}${SEPARATOR}`);
}

export function findUnit(units: readonly ApiOrgUnit[], path: string): ApiOrgUnit | undefined {
  for (const unit of units) {
    if (unit.path === path) return unit;
    if (isWithin(path, unit.path)) return findUnit(unit.children, path);
  }
  return undefined;
}

export function childrenOf(units: readonly ApiOrgUnit[], parent: string | null): readonly ApiOrgUnit[] {
  if (parent === null) return units;
  return findUnit(units, parent)?.children ?? [];
}

/** Every unit's path, parents before children, in display order. */
export function allPaths(units: readonly ApiOrgUnit[]): string[] {
  return flattenUnits(units).map((row) => row.path);
}

/** Where a unit may go: any unit but itself and those below it. */
export function parentChoices(units: readonly ApiOrgUnit[], moving: string): string[] {
  return allPaths(units).filter((path) => !isWithin(path, moving));
}

/**
 * Where a dragged unit lands when dropped before or after `target`: its
 * parent becomes the target's parent, and its position counts the siblings
 * without itself (as the server does).
 */
export function dropPlacement(
  units: readonly ApiOrgUnit[],
  moving: string,
  target: string,
  where: 'before' | 'after',
): { parent: string | null; position: number } | null {
  if (isWithin(target, moving)) return null;
  const parent = parentOf(target);
  const siblings = childrenOf(units, parent)
    .map((unit) => unit.path)
    .filter((path) => path !== moving);
  const at = siblings.indexOf(target);
  if (at < 0) return null;
  return { parent, position: where === 'before' ? at : at + 1 };
}

/** Whether a unit may be dropped into `target` (as its last child). */
export function canDropInto(moving: string, target: string | null): boolean {
  if (target === null) return parentOf(moving) !== null;
  return !isWithin(target, moving) && parentOf(moving) !== target;
}
