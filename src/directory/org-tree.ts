import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { OrgUnitRow } from '../store/org-units.ts';
import type { OrgUnit } from './types.ts';

export const PATH_SEPARATOR = '/';
const MAX_UNIT_NAME = 100;

/** Checks one unit name: not empty, no "/", no control characters, at most 100 characters. */
export function checkUnitName(name: string): string {
  const trimmed = name.trim().normalize('NFC');
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || trimmed.includes(PATH_SEPARATOR) || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new CooError(ErrorCode.INVALID_INPUT, `"${name}" is not a valid unit name (no "/" and not empty)`);
  }
  if ([...trimmed].length > MAX_UNIT_NAME) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `unit name "${name}" is longer than ${MAX_UNIT_NAME} characters`,
    );
  }
  return trimmed;
}

/** Splits "Sales/Tokyo" (leading and trailing slashes ignored) into checked names. */
export function splitUnitPath(path: string): string[] {
  const parts = path
    .split(PATH_SEPARATOR)
    .filter((part, i, all) => part !== '' || (i > 0 && i < all.length - 1));
  if (parts.length === 0) throw new CooError(ErrorCode.INVALID_INPUT, `"${path}" is not a unit path`);
  return parts.map(checkUnitName);
}

/** The org chart in memory, built from all unit rows: paths, lookups, subtrees. */
export class OrgTree {
  readonly #byId = new Map<number, OrgUnitRow>();
  readonly #children = new Map<number | null, OrgUnitRow[]>();

  constructor(rows: OrgUnitRow[]) {
    for (const row of rows) {
      this.#byId.set(row.id, row);
      const siblings = this.#children.get(row.parent_id) ?? [];
      siblings.push(row);
      this.#children.set(row.parent_id, siblings);
    }
    for (const siblings of this.#children.values())
      siblings.sort((a, b) => a.position - b.position || a.id - b.id);
  }

  get(id: number): OrgUnitRow | undefined {
    return this.#byId.get(id);
  }

  childrenOf(parentId: number | null): OrgUnitRow[] {
    return this.#children.get(parentId) ?? [];
  }

  pathOf(id: number): string {
    const names: string[] = [];
    for (
      let row = this.#byId.get(id);
      row;
      row = row.parent_id === null ? undefined : this.#byId.get(row.parent_id)
    ) {
      names.unshift(row.name);
    }
    return names.join(PATH_SEPARATOR);
  }

  find(path: string): OrgUnitRow | undefined {
    let parent: number | null = null;
    let found: OrgUnitRow | undefined;
    for (const name of splitUnitPath(path)) {
      found = this.childrenOf(parent).find((row) => row.name === name);
      if (!found) return undefined;
      parent = found.id;
    }
    return found;
  }

  /** Like find, but an unknown path is an error naming the first missing part. */
  require(path: string): OrgUnitRow {
    const found = this.find(path);
    if (found) return found;
    const names = splitUnitPath(path);
    let known = '';
    for (const name of names) {
      const next = known ? `${known}${PATH_SEPARATOR}${name}` : name;
      if (!this.find(next)) {
        throw new CooError(
          ErrorCode.UNIT_UNKNOWN,
          `unknown org unit "${next}"${next === path ? '' : ` (in "${path}")`}`,
        );
      }
      known = next;
    }
    throw new CooError(ErrorCode.UNIT_UNKNOWN, `unknown org unit "${path}"`);
  }

  /** The unit and every unit below it. */
  subtreeIds(id: number): number[] {
    const ids = [id];
    for (let i = 0; i < ids.length; i++) {
      for (const child of this.childrenOf(ids[i] ?? null)) ids.push(child.id);
    }
    return ids;
  }

  isInside(id: number, ancestorId: number): boolean {
    for (
      let row = this.#byId.get(id);
      row;
      row = row.parent_id === null ? undefined : this.#byId.get(row.parent_id)
    ) {
      if (row.id === ancestorId) return true;
    }
    return false;
  }

  /** The whole tree as nested units, with direct member counts. */
  toTree(members: Map<number, number>): OrgUnit[] {
    const build = (parentId: number | null): OrgUnit[] =>
      this.childrenOf(parentId).map((row) => ({
        id: row.id,
        name: row.name,
        path: this.pathOf(row.id),
        parentId: row.parent_id,
        position: row.position,
        members: members.get(row.id) ?? 0,
        children: build(row.id),
      }));
    return build(null);
  }
}
