import { CooError } from '../errors.ts';
import type { LineError } from './csv-text.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { isUniqueViolation, type Db, type Tx } from '../store/database.ts';
import {
  insertOrgUnits,
  insertUsers,
  updateImportedUsers,
  type ImportedUserUpdate,
} from '../store/user-import.ts';
import type { NewUserRow } from '../store/users.ts';
import { PATH_SEPARATOR } from './org-tree.ts';
import { auditRecord, type Actor, type AuditRecord, type AuditSink } from './types.ts';
import type { ImportedFields, ImportPlan, PlannedCreate, PlannedUpdate } from './user-import-plan.ts';

export interface ImportWrite {
  /** Hashed passwords by address. */
  hashes: ReadonlyMap<string, string>;
  actor: Actor;
  audit: AuditSink;
  /** Plans against what the transaction sees: the directory may have changed since the lines were checked. */
  plan: (tx: Tx) => Promise<ImportPlan>;
}

export type ImportWriteResult = { ok: true; plan: ImportPlan } | { ok: false; errors: LineError[] };

/** Thrown inside the transaction to roll it back when the fresh plan finds problems. */
class PlanRejected extends Error {
  readonly errors: LineError[];

  constructor(errors: LineError[]) {
    super('import plan rejected');
    this.errors = errors;
  }
}

/**
 * Writes a plan in one transaction: units, new users, changed users, then the
 * audit entries. Anything failing half-way rolls all of it back.
 */
export async function writeImport(db: Db, request: ImportWrite): Promise<ImportWriteResult> {
  try {
    const plan = await db.transaction().execute(async (tx) => {
      const plan = await request.plan(tx);
      if (plan.errors.length > 0) throw new PlanRejected(plan.errors);
      const now = Date.now();
      const unitIds = await createUnits(tx, plan, now);
      const unitId = (path: string | null) => (path === null ? null : (unitIds.get(path) ?? null));
      await insertUsers(
        tx,
        plan.creates.map((create) => newUserRow(create, unitId(create.fields.unit), request.hashes, now)),
      );
      await updateImportedUsers(
        tx,
        plan.updates.map((update) => userUpdate(update, unitId(update.fields.unit), request.hashes, now)),
      );
      await request.audit.appendMany(auditRecords(plan, request.actor), tx);
      return plan;
    });
    return { ok: true, plan };
  } catch (error) {
    if (error instanceof PlanRejected) return { ok: false, errors: error.errors };
    if (isUniqueViolation(error)) {
      throw new CooError(
        ErrorCode.USER_EXISTS,
        'a user or unit in the file was created by someone else meanwhile; import again',
      );
    }
    throw error;
  }
}

/** Creates the planned units a level at a time (children need their parent's id); returns every path's id. */
async function createUnits(tx: Tx, plan: ImportPlan, now: number): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const unit of plan.tree.childrenOf(null)) addSubtree(ids, plan, unit.id, unit.name);
  const depths = Math.max(0, ...plan.units.map((unit) => unit.depth + 1));
  for (let depth = 0; depth < depths; depth++) {
    const level = plan.units.filter((unit) => unit.depth === depth);
    const rows = level.map((unit) => ({
      parent_id: unit.parentPath === null ? null : (ids.get(unit.parentPath) ?? null),
      name: unit.name,
      position: unit.position,
    }));
    const inserted = await insertOrgUnits(tx, rows, now);
    // Matched by (parent, name), which is unique, rather than trusting RETURNING's order.
    const byKey = new Map(inserted.map((row) => [`${row.parent_id ?? ''}/${row.name}`, row.id]));
    for (const [i, unit] of level.entries()) {
      const id = byKey.get(`${rows[i]?.parent_id ?? ''}/${unit.name}`);
      if (id === undefined) throw new Error(`org unit "${unit.path}" was not created`);
      ids.set(unit.path, id);
    }
  }
  return ids;
}

function addSubtree(ids: Map<string, number>, plan: ImportPlan, id: number, path: string): void {
  ids.set(path, id);
  for (const child of plan.tree.childrenOf(id))
    addSubtree(ids, plan, child.id, `${path}${PATH_SEPARATOR}${child.name}`);
}

function newUserRow(
  create: PlannedCreate,
  unitId: number | null,
  hashes: ReadonlyMap<string, string>,
  now: number,
): NewUserRow {
  const { address } = create.line;
  const fields = create.fields;
  return {
    address: address.address,
    local_part: address.localPart,
    domain_id: create.domainId,
    display_name: fields.name,
    name_reading: fields.reading,
    title: fields.title,
    phone: fields.phone,
    unit_id: unitId,
    is_admin: 0,
    disabled: 0,
    valid_from: null,
    valid_until: fields.valid_until,
    quota_bytes: fields.quota,
    password_hash: hashes.get(address.address) ?? null,
    created_at: now,
    updated_at: now,
  };
}

function userUpdate(
  update: PlannedUpdate,
  unitId: number | null,
  hashes: ReadonlyMap<string, string>,
  now: number,
): ImportedUserUpdate {
  const fields = update.fields;
  return {
    id: update.row.id,
    display_name: fields.name,
    name_reading: fields.reading,
    title: fields.title,
    phone: fields.phone,
    unit_id: unitId,
    quota_bytes: fields.quota,
    valid_until: fields.valid_until,
    password_hash: hashes.get(update.row.address) ?? null,
    updated_at: now,
  };
}

/** One entry per unit and user created or changed, then the summary; passwords are noted, never recorded. */
function auditRecords(plan: ImportPlan, actor: Actor): AuditRecord[] {
  const via = 'import';
  const records: AuditRecord[] = plan.units.map((unit) =>
    auditRecord(actor, 'org.create', unit.path, { via }),
  );
  for (const create of plan.creates) {
    const fields = Object.fromEntries(
      (Object.entries(create.fields) as [keyof ImportedFields, unknown][]).filter(
        ([, v]) => v !== '' && v !== null,
      ),
    );
    const password = create.line.password !== undefined;
    records.push(
      auditRecord(actor, 'user.create', create.line.address.address, {
        via,
        line: create.line.line,
        ...fields,
        password,
      }),
    );
  }
  for (const update of plan.updates) {
    const changes = Object.fromEntries(
      update.changed.map((column) => [
        column,
        column === 'password' ? 'set' : update.fields[column as keyof ImportedFields],
      ]),
    );
    records.push(
      auditRecord(actor, 'user.update', update.row.address, { via, line: update.line.line, changes }),
    );
  }
  records.push(
    auditRecord(actor, 'user.import', 'users', {
      created: plan.creates.length,
      updated: plan.updates.length,
      unchanged: plan.unchanged,
      unitsCreated: plan.units.map((unit) => unit.path),
    }),
  );
  return records;
}
