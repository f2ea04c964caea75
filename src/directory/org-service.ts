import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { inTransaction, isUniqueViolation, type Executor, type Store } from '../store/database.ts';
import * as units from '../store/org-units.ts';
import { OrgTree, PATH_SEPARATOR, checkUnitName, splitUnitPath } from './org-tree.ts';
import { auditRecord, type Actor, type AuditSink, type OrgUnit } from './types.ts';

/** The org chart: departments inside departments, ordered among siblings. */
export class OrgService {
  readonly #store: Store;
  readonly #audit: AuditSink;

  constructor(store: Store, audit: AuditSink) {
    this.#store = store;
    this.#audit = audit;
  }

  async loadTree(db: Executor = this.#store.db): Promise<OrgTree> {
    return new OrgTree(await units.listOrgUnits(db));
  }

  async list(): Promise<OrgUnit[]> {
    const db = this.#store.db;
    const [tree, members] = await Promise.all([this.loadTree(db), units.countMembersByUnit(db)]);
    return tree.toTree(members);
  }

  /** Adds the unit at path; with createParents, missing parents too (like mkdir -p). */
  async add(
    path: string,
    actor: Actor,
    options: { createParents?: boolean } = {},
    db: Executor = this.#store.db,
  ) {
    const names = splitUnitPath(path);
    return inTransaction(db, async (tx) => {
      const tree = await this.loadTree(tx);
      let parentId: number | null = null;
      let created: units.OrgUnitRow | undefined;
      for (const [i, name] of names.entries()) {
        const soFar = names.slice(0, i + 1).join(PATH_SEPARATOR);
        const existing: units.OrgUnitRow | undefined = tree
          .childrenOf(parentId)
          .find((row) => row.name === name);
        const last = i === names.length - 1;
        if (existing && last && !options.createParents) {
          throw new CooError(ErrorCode.UNIT_EXISTS, `org unit "${soFar}" already exists`);
        }
        if (existing) {
          parentId = existing.id;
          continue;
        }
        if (!last && !options.createParents) {
          throw new CooError(
            ErrorCode.UNIT_UNKNOWN,
            `unknown org unit "${soFar}" (create it first, or use --parents)`,
          );
        }
        const position = Math.max(-1, ...tree.childrenOf(parentId).map((row) => row.position)) + 1;
        created = await insertUnit(tx, { parent_id: parentId, name, position }, soFar);
        await this.#audit.append(auditRecord(actor, 'org.create', soFar), tx);
        parentId = created.id;
      }
      return { id: parentId ?? 0, path: names.join(PATH_SEPARATOR) };
    });
  }

  async rename(path: string, newName: string, actor: Actor): Promise<string> {
    const name = checkUnitName(newName);
    return inTransaction(this.#store.db, async (tx) => {
      const tree = await this.loadTree(tx);
      const unit = tree.require(path);
      const newPath = [...splitUnitPath(path).slice(0, -1), name].join(PATH_SEPARATOR);
      try {
        await units.updateOrgUnit(tx, unit.id, { name });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new CooError(ErrorCode.UNIT_EXISTS, `org unit "${newPath}" already exists`);
        throw error;
      }
      await this.#audit.append(auditRecord(actor, 'org.rename', tree.pathOf(unit.id), { to: newPath }), tx);
      return newPath;
    });
  }

  /**
   * Moves the unit (with everything below it) under newParent (null: top level),
   * at position (0-based among the new siblings; default last).
   */
  async move(path: string, newParent: string | null, actor: Actor, position?: number): Promise<string> {
    return inTransaction(this.#store.db, async (tx) => {
      const tree = await this.loadTree(tx);
      const unit = tree.require(path);
      const parent = newParent === null ? null : tree.require(newParent);
      if (parent && tree.isInside(parent.id, unit.id)) {
        throw new CooError(ErrorCode.UNIT_CYCLE, `cannot move "${path}" into itself ("${newParent}")`);
      }
      const parentId = parent?.id ?? null;
      const siblings = tree.childrenOf(parentId).filter((row) => row.id !== unit.id);
      if (siblings.some((row) => row.name === unit.name)) {
        const target = parent ? `${tree.pathOf(parent.id)}${PATH_SEPARATOR}${unit.name}` : unit.name;
        throw new CooError(ErrorCode.UNIT_EXISTS, `org unit "${target}" already exists`);
      }
      const index = Math.max(0, Math.min(position ?? siblings.length, siblings.length));
      siblings.splice(index, 0, unit);
      // Renumber the new siblings so the order is dense and unambiguous.
      for (const [i, row] of siblings.entries()) {
        const patch = row.id === unit.id ? { parent_id: parentId, position: i } : { position: i };
        if (row.id === unit.id || row.position !== i) await units.updateOrgUnit(tx, row.id, patch);
      }
      const newPath = parent ? `${tree.pathOf(parent.id)}${PATH_SEPARATOR}${unit.name}` : unit.name;
      await this.#audit.append(
        auditRecord(actor, 'org.move', tree.pathOf(unit.id), { to: newPath, position: index }),
        tx,
      );
      return newPath;
    });
  }

  /** Removes an empty unit; one with members or sub-units is refused, naming what is left. */
  async remove(path: string, actor: Actor): Promise<void> {
    await inTransaction(this.#store.db, async (tx) => {
      const tree = await this.loadTree(tx);
      const unit = tree.require(path);
      const members = (await units.countMembersByUnit(tx)).get(unit.id) ?? 0;
      const children = tree.childrenOf(unit.id).length;
      if (members > 0 || children > 0) {
        const parts = [
          members ? `${members} user${members === 1 ? '' : 's'}` : '',
          children ? `${children} sub-unit${children === 1 ? '' : 's'}` : '',
        ].filter(Boolean);
        throw new CooError(
          ErrorCode.UNIT_NOT_EMPTY,
          `org unit "${tree.pathOf(unit.id)}" still has ${parts.join(' and ')}; move them first`,
        );
      }
      await units.deleteOrgUnit(tx, unit.id);
      await this.#audit.append(auditRecord(actor, 'org.remove', tree.pathOf(unit.id)), tx);
    });
  }
}

async function insertUnit(
  db: Executor,
  row: { parent_id: number | null; name: string; position: number },
  path: string,
): Promise<units.OrgUnitRow> {
  try {
    return await units.insertOrgUnit(db, row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new CooError(ErrorCode.UNIT_EXISTS, `org unit "${path}" already exists`);
    throw error;
  }
}
