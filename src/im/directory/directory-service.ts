import type { Directory } from '../../directory/index.ts';
import type { OrgTree } from '../../directory/org-tree.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type {
  DirectoryPerson,
  DirectoryProfile,
  DirectoryTree,
  DirectoryUnit,
  DirectoryUnitPage,
} from '../../protocol/im/directory.ts';
import type { PresenceOwnState } from '../../protocol/im/presence.ts';
import type { Store } from '../../store/database.ts';
import type { VisibilityPolicy } from '../types.ts';
import { PeopleIndex, type IndexedPerson } from './people-index.ts';

/**
 * The visibility policy, and the org units it hides from a viewer when it
 * knows (the visibility service does; a policy without it hides no unit).
 */
export interface DirectoryPolicy extends VisibilityPolicy {
  hiddenUnitsFor?(viewerId: number): Promise<ReadonlySet<number>>;
}

/** What the directory needs of presence. */
export interface PresenceLookup {
  presenceOf(userId: number): PresenceOwnState;
}

export interface DirectoryServiceDeps {
  store: Store;
  directory: Pick<Directory, 'org' | 'users'>;
  policy: DirectoryPolicy;
  presence: PresenceLookup;
  now?: () => number;
}

/**
 * The directory as a messenger user sees it: the org tree, unit members,
 * search and profile cards, each filtered through the visibility policy.
 * Only people whose account may be used now (not disabled, within its
 * validity period) are shown. People come from an in-memory index that
 * reloads when the users table changes.
 */
export class DirectoryService {
  readonly #deps: DirectoryServiceDeps;
  readonly #people: PeopleIndex;
  readonly #now: () => number;

  constructor(deps: DirectoryServiceDeps) {
    this.#deps = deps;
    this.#people = new PeopleIndex(deps.store);
    this.#now = deps.now ?? Date.now;
  }

  /** The org tree without the units hidden from the viewer; counts only people the viewer may see. */
  async tree(viewerId: number): Promise<DirectoryTree> {
    const [tree, people, hidden] = await Promise.all([
      this.#deps.directory.org.loadTree(),
      this.#people.current(),
      this.#hiddenUnits(viewerId),
    ]);
    const active = people.active(this.#now());
    const visible = await this.#deps.policy.visibleAmong(
      viewerId,
      active.map((person) => person.row.id),
    );
    const counts = new Map<number, { members: number; online: number }>();
    for (const person of active) {
      const unitId = person.row.unit_id;
      if (unitId === null || !visible.has(person.row.id)) continue;
      const count = counts.get(unitId) ?? { members: 0, online: 0 };
      count.members++;
      if (this.#deps.presence.presenceOf(person.row.id).state !== 'offline') count.online++;
      counts.set(unitId, count);
    }
    const build = (parentId: number | null): DirectoryUnit[] =>
      tree
        .childrenOf(parentId)
        .filter((row) => !hidden.has(row.id))
        .map((row) => {
          const children = build(row.id);
          const own = counts.get(row.id) ?? { members: 0, online: 0 };
          return {
            id: row.id,
            name: row.name,
            members: own.members,
            online: own.online,
            totalMembers: own.members + sum(children, (child) => child.totalMembers),
            totalOnline: own.online + sum(children, (child) => child.totalOnline),
            children,
          };
        });
    return { units: build(null) };
  }

  /** One page of a unit's direct members the viewer may see; a hidden unit is unknown. */
  async unit(viewerId: number, unitId: number, offset: number, limit: number): Promise<DirectoryUnitPage> {
    const [tree, people, hidden] = await Promise.all([
      this.#deps.directory.org.loadTree(),
      this.#people.current(),
      this.#hiddenUnits(viewerId),
    ]);
    const unit = tree.get(unitId);
    if (!unit || hidden.has(unitId)) throw new CooError(ErrorCode.UNIT_UNKNOWN, `unknown org unit ${unitId}`);
    const members = await this.#visible(viewerId, people.membersOf(unitId, this.#now()));
    return {
      unit: { id: unit.id, name: unit.name, path: tree.pathOf(unit.id) },
      total: members.length,
      offset,
      members: members.slice(offset, offset + limit).map((person) => this.#person(person)),
    };
  }

  /** People the viewer may see whose name, reading, title, address or phone contain the query. */
  async search(viewerId: number, query: string, limit: number): Promise<DirectoryPerson[]> {
    const matches = (await this.#people.current()).search(query, this.#now());
    const found: IndexedPerson[] = [];
    // Ask the policy in chunks: a short query can match most of the company.
    const chunk = Math.max(limit * 4, 100);
    for (let start = 0; start < matches.length && found.length < limit; start += chunk) {
      found.push(...(await this.#visible(viewerId, matches.slice(start, start + chunk))));
    }
    return found.slice(0, limit).map((person) => this.#person(person));
  }

  /**
   * A person's card, by id or address. Someone the viewer may not see gets
   * the same answer as someone who does not exist, so it reveals nothing.
   */
  async profile(
    viewerId: number,
    target: { userId: number } | { address: string },
  ): Promise<DirectoryProfile> {
    const userId =
      'userId' in target ? target.userId : (await this.#deps.directory.users.findRow(target.address))?.id;
    const [tree, people] = await Promise.all([this.#deps.directory.org.loadTree(), this.#people.current()]);
    const person = userId === undefined ? undefined : people.get(userId, this.#now());
    if (!person || !(await this.#deps.policy.visibleAmong(viewerId, [person.row.id])).has(person.row.id)) {
      const name = 'userId' in target ? `user ${target.userId}` : target.address;
      throw new CooError(ErrorCode.USER_UNKNOWN, `unknown user ${name}`);
    }
    return { ...this.#person(person), unitPath: unitPath(tree, person.row.unit_id) };
  }

  async #hiddenUnits(viewerId: number): Promise<ReadonlySet<number>> {
    return (await this.#deps.policy.hiddenUnitsFor?.(viewerId)) ?? new Set();
  }

  /** The people the viewer may see, in the given order: one policy question for the lot. */
  async #visible(viewerId: number, people: IndexedPerson[]): Promise<IndexedPerson[]> {
    if (people.length === 0) return [];
    const visible = await this.#deps.policy.visibleAmong(
      viewerId,
      people.map((person) => person.row.id),
    );
    return people.filter((person) => visible.has(person.row.id));
  }

  #person(person: IndexedPerson): DirectoryPerson {
    const row = person.row;
    const presence = this.#deps.presence.presenceOf(row.id);
    return {
      id: row.id,
      address: row.address,
      name: row.display_name,
      reading: row.name_reading,
      title: row.title,
      phone: row.phone,
      unitId: row.unit_id,
      state: presence.state,
      text: presence.text,
    };
  }
}

function unitPath(tree: OrgTree, unitId: number | null): string | null {
  return unitId === null ? null : tree.pathOf(unitId) || null;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
