import type { DomainRow } from '../store/domains.ts';
import type { LineError } from './csv-text.ts';
import type { OrgUnitRow } from '../store/org-units.ts';
import type { UserRow } from '../store/users.ts';
import { OrgTree, PATH_SEPARATOR } from './org-tree.ts';
import type { ImportLine } from './user-csv-lines.ts';
import { formatValidityDate } from './user-fields.ts';

/** What the database holds when an import is planned: read once, never per line. */
export interface DirectorySnapshot {
  domains: DomainRow[];
  units: OrgUnitRow[];
  users: UserRow[];
}

export interface PlannedUnit {
  path: string;
  /** null at the top level. */
  parentPath: string | null;
  name: string;
  position: number;
  depth: number;
}

/** A user's fields as the CSV columns describe them: units by path, quota and validity as numbers. */
export interface ImportedFields {
  name: string;
  reading: string;
  unit: string | null;
  title: string;
  phone: string;
  quota: number | null;
  valid_until: number | null;
}

export interface PlannedCreate {
  line: ImportLine;
  domainId: number;
  fields: ImportedFields;
}

export interface PlannedUpdate {
  line: ImportLine;
  row: UserRow;
  fields: ImportedFields;
  /** The columns whose value changes, "password" included. */
  changed: string[];
}

export interface ImportPlan {
  units: PlannedUnit[];
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  unchanged: number;
  errors: LineError[];
  /** Paths of the units that exist, by path, for resolving ids at write time. */
  tree: OrgTree;
}

/**
 * Compares checked lines with the directory: which users are new, which
 * change and how, which units are missing. Pure: the same snapshot and lines
 * always give the same plan, so it runs once to validate and again inside the
 * write transaction against what the database holds then.
 */
export function planImport(
  lines: readonly ImportLine[],
  snapshot: DirectorySnapshot,
  now = Date.now(),
): ImportPlan {
  const tree = new OrgTree(snapshot.units);
  const domains = new Map(snapshot.domains.map((d) => [d.name, d]));
  const users = new Map(snapshot.users.map((u) => [u.address, u]));
  const unitPaths = new UnitPaths(tree);
  const plan: ImportPlan = { units: [], creates: [], updates: [], unchanged: 0, errors: [], tree };
  for (const line of lines) {
    const existing = users.get(line.address.address);
    if (!existing) {
      const domain = domains.get(line.address.domain);
      if (!domain) {
        plan.errors.push({ line: line.line, message: `address: unknown domain "${line.address.domain}"` });
        continue;
      }
      if (domain.alias_of !== null) {
        const main = snapshot.domains.find((d) => d.id === domain.alias_of)?.name ?? 'its main domain';
        plan.errors.push({
          line: line.line,
          message: `address: ${line.address.domain} is an alias domain; give the address in ${main}`,
        });
        continue;
      }
      if (line.unit) unitPaths.need(line.unit);
      plan.creates.push({ line, domainId: domain.id, fields: newFields(line) });
      continue;
    }
    const before = storedFields(existing, tree);
    const fields = mergedFields(line, before);
    if (
      existing.valid_from !== null &&
      fields.valid_until !== null &&
      existing.valid_from > fields.valid_until
    ) {
      const from = formatValidityDate(existing.valid_from, 'start');
      plan.errors.push({
        line: line.line,
        message: `valid_until: is before the account's valid-from date ${from}`,
      });
      continue;
    }
    const changed: string[] = (Object.keys(fields) as (keyof ImportedFields)[]).filter(
      (key) => fields[key] !== before[key],
    );
    if (line.password !== undefined) changed.push('password');
    if (changed.length === 0) {
      plan.unchanged++;
      continue;
    }
    if (fields.unit) unitPaths.need(fields.unit);
    plan.updates.push({ line, row: existing, fields, changed });
  }
  plan.units = unitPaths.planned;
  plan.errors.push(...keepAnAdmin(snapshot.users, plan.updates, now));
  return plan;
}

function newFields(line: ImportLine): ImportedFields {
  return {
    name: line.displayName,
    reading: line.nameReading ?? '',
    unit: line.unit ?? null,
    title: line.title ?? '',
    phone: line.phone ?? '',
    quota: line.quotaBytes ?? null,
    valid_until: line.validUntil ?? null,
  };
}

function storedFields(row: UserRow, tree: OrgTree): ImportedFields {
  return {
    name: row.display_name,
    reading: row.name_reading,
    unit: row.unit_id === null ? null : tree.pathOf(row.unit_id),
    title: row.title,
    phone: row.phone,
    quota: row.quota_bytes === null ? null : Number(row.quota_bytes),
    valid_until: row.valid_until === null ? null : Number(row.valid_until),
  };
}

/** A column left out of the file keeps the stored value. */
function mergedFields(line: ImportLine, before: ImportedFields): ImportedFields {
  return {
    name: line.displayName,
    reading: line.nameReading ?? before.reading,
    unit: line.unit === undefined ? before.unit : line.unit,
    title: line.title ?? before.title,
    phone: line.phone ?? before.phone,
    quota: line.quotaBytes === undefined ? before.quota : line.quotaBytes,
    valid_until: line.validUntil === undefined ? before.valid_until : line.validUntil,
  };
}

/** Collects the units to create, parents first, each placed after its existing siblings. */
class UnitPaths {
  readonly planned: PlannedUnit[] = [];
  readonly #tree: OrgTree;
  /** Paths already resolved: existing, or planned. */
  readonly #seen = new Set<string>();
  readonly #nextPosition = new Map<string | null, number>();

  constructor(tree: OrgTree) {
    this.#tree = tree;
  }

  need(path: string): void {
    if (this.#seen.has(path)) return;
    // A parent that is itself planned has no id and no siblings yet.
    let parent: UnitParent = { path: null, id: null, planned: false };
    for (const [depth, name] of path.split(PATH_SEPARATOR).entries()) {
      const soFar = parent.path === null ? name : `${parent.path}${PATH_SEPARATOR}${name}`;
      const existing = parent.planned
        ? undefined
        : this.#tree.childrenOf(parent.id).find((row) => row.name === name);
      if (!existing && !this.#seen.has(soFar)) {
        this.planned.push({
          path: soFar,
          parentPath: parent.path,
          name,
          position: this.#takePosition(parent),
          depth,
        });
      }
      this.#seen.add(soFar);
      parent = { path: soFar, id: existing?.id ?? null, planned: !existing };
    }
  }

  #takePosition(parent: UnitParent): number {
    let next = this.#nextPosition.get(parent.path);
    if (next === undefined) {
      const siblings = parent.planned ? [] : this.#tree.childrenOf(parent.id);
      next = Math.max(-1, ...siblings.map((row) => row.position)) + 1;
    }
    this.#nextPosition.set(parent.path, next + 1);
    return next;
  }
}

interface UnitParent {
  path: string | null;
  id: number | null;
  planned: boolean;
}

/** Like UserService.update: an import must not expire the last usable administrator. */
function keepAnAdmin(users: readonly UserRow[], updates: readonly PlannedUpdate[], now: number): LineError[] {
  const active = (row: UserRow, validUntil: number | null) =>
    row.is_admin === 1 && row.disabled === 0 && (validUntil === null || validUntil > now);
  const before = users.filter((row) => active(row, row.valid_until)).length;
  const expiring = updates.filter(
    (u) => active(u.row, u.row.valid_until) && !active(u.row, u.fields.valid_until),
  );
  if (before === 0 || expiring.length < before) return [];
  return expiring.map((u) => ({
    line: u.line.line,
    message: `valid_until: ${u.row.address} would expire, leaving no active administrator; make another one first`,
  }));
}
