import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { inTransaction, isUniqueViolation, type Executor, type Store } from '../store/database.ts';
import * as groups from '../store/groups.ts';
import { auditRecord, type Actor, type AuditSink } from './types.ts';
import type { UserService } from './user-service.ts';

export interface Group {
  name: string;
  description: string;
  members: number;
}

const GROUP_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,99}$/u;

export interface GroupChanges {
  name?: string | undefined;
  description?: string | undefined;
}

function validGroupName(text: string): string {
  const trimmed = text.trim().normalize('NFC');
  if (!GROUP_NAME.test(trimmed)) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `"${text}" is not a valid group name (letters, digits, space . _ -)`,
    );
  }
  return trimmed;
}

/** Groups cut across the org chart (projects, roles); visibility rules can name them. */
export class GroupService {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #users: UserService;

  constructor(store: Store, audit: AuditSink, users: UserService) {
    this.#store = store;
    this.#audit = audit;
    this.#users = users;
  }

  async list(): Promise<Group[]> {
    return (await groups.listGroups(this.#store.db)).map((g) => ({
      name: g.name,
      description: g.description,
      members: g.members,
    }));
  }

  async add(name: string, description: string, actor: Actor): Promise<Group> {
    const trimmed = validGroupName(name);
    return inTransaction(this.#store.db, async (tx) => {
      try {
        await groups.insertGroup(tx, trimmed, description.trim());
      } catch (error) {
        if (isUniqueViolation(error))
          throw new CooError(ErrorCode.GROUP_EXISTS, `group "${trimmed}" already exists`);
        throw error;
      }
      await this.#audit.append(auditRecord(actor, 'group.create', trimmed), tx);
      return { name: trimmed, description: description.trim(), members: 0 };
    });
  }

  /**
   * Renames the group and/or changes its description, in one transaction,
   * audited as `group.rename` (target: the old name, `to`: the new one) or
   * `group.update`. Rules and members refer to the group's id, so they follow
   * a rename. Nothing to change is not an error: the group is answered as it is.
   */
  async update(name: string, changes: GroupChanges, actor: Actor): Promise<Group> {
    const newName = changes.name === undefined ? undefined : validGroupName(changes.name);
    return inTransaction(this.#store.db, async (tx) => {
      const current = await this.#require(tx, name);
      const next = {
        name: newName ?? current.name,
        description: changes.description?.trim() ?? current.description,
      };
      const renamed = next.name !== current.name;
      const described = next.description !== current.description;
      if (renamed || described) {
        try {
          await groups.updateGroup(tx, current.id, next);
        } catch (error) {
          if (isUniqueViolation(error))
            throw new CooError(ErrorCode.GROUP_EXISTS, `group "${next.name}" already exists`);
          throw error;
        }
        const details: Record<string, unknown> = {};
        if (renamed) details.to = next.name;
        if (described) details.description = next.description;
        await this.#audit.append(
          auditRecord(actor, renamed ? 'group.rename' : 'group.update', current.name, details),
          tx,
        );
      }
      const members = (await groups.listGroupMemberAddresses(tx, current.id)).length;
      return { name: next.name, description: next.description, members };
    });
  }

  async remove(name: string, actor: Actor): Promise<void> {
    await inTransaction(this.#store.db, async (tx) => {
      const group = await this.#require(tx, name);
      await groups.deleteGroup(tx, group.id);
      await this.#audit.append(auditRecord(actor, 'group.remove', group.name), tx);
    });
  }

  async members(name: string): Promise<string[]> {
    const group = await this.#require(this.#store.db, name);
    return groups.listGroupMemberAddresses(this.#store.db, group.id);
  }

  async addMember(name: string, address: string, actor: Actor): Promise<void> {
    await inTransaction(this.#store.db, async (tx) => {
      const group = await this.#require(tx, name);
      const user = await this.#users.requireRow(address, tx);
      await groups.addGroupMember(tx, group.id, user.id);
      await this.#audit.append(
        auditRecord(actor, 'group.add-member', group.name, { user: user.address }),
        tx,
      );
    });
  }

  async removeMember(name: string, address: string, actor: Actor): Promise<void> {
    await inTransaction(this.#store.db, async (tx) => {
      const group = await this.#require(tx, name);
      const user = await this.#users.requireRow(address, tx);
      await groups.removeGroupMember(tx, group.id, user.id);
      await this.#audit.append(
        auditRecord(actor, 'group.remove-member', group.name, { user: user.address }),
        tx,
      );
    });
  }

  async groupsOf(address: string): Promise<string[]> {
    const user = await this.#users.requireRow(address);
    return groups.listGroupNamesOfUser(this.#store.db, user.id);
  }

  async #require(db: Executor, name: string): Promise<groups.GroupRow> {
    const group = await groups.findGroupByName(db, name.trim().normalize('NFC'));
    if (!group) throw new CooError(ErrorCode.GROUP_UNKNOWN, `unknown group "${name}"`);
    return group;
  }
}
