import type { OrgTree } from '../org-tree.ts';
import { decidePair, type FactClass, type PolicyRules } from './decide.ts';
import type { CompiledRule, PairDecision, VisibilityMode } from './types.ts';

/** The facts a snapshot is built from, as loaded from the store. */
export interface SnapshotFacts {
  mode: VisibilityMode;
  rules: readonly CompiledRule[];
  tree: OrgTree;
  hiddenUnitIds: readonly number[];
  /** To name groups in explanations. */
  groupNames: ReadonlyMap<number, string>;
  users: readonly { id: number; unitId: number | null; isAdmin: boolean }[];
  memberships: readonly { groupId: number; userId: number }[];
}

// Bits of a remembered decision: computed at all, may see, may message.
const KNOWN = 1;
const SEE = 2;
const MESSAGE = 4;

/** Remembered decisions are dropped past this many bytes (one per pair of classes). */
const MAX_MEMO_BYTES = 32 * 1024 * 1024;

interface UserFacts {
  classIndex: number;
  isAdmin: boolean;
  unitId: number | null;
}

/**
 * The whole directory as the policy sees it at one moment: every user's class
 * (unit + groups), who is an administrator, the rules and the hidden units.
 * Asking is a map lookup and, the first time a pair of classes meets, one
 * decidePair; after that a byte read, so thousands of targets take a
 * fraction of a millisecond.
 */
export class PolicySnapshot {
  readonly mode: VisibilityMode;
  readonly rules: readonly CompiledRule[];
  readonly tree: OrgTree;
  readonly hiddenUnitIds: ReadonlySet<number>;
  readonly groupNames: ReadonlyMap<number, string>;
  /** When it was loaded (ms) and the cache generation it belongs to; set by the cache. */
  loadedAt = 0;
  generation = 0;

  readonly #policy: PolicyRules;
  readonly #users = new Map<number, UserFacts>();
  readonly #classes: FactClass[] = [];
  #memo: (Uint8Array | undefined)[] = [];
  #memoBytes = 0;

  constructor(facts: SnapshotFacts) {
    this.mode = facts.mode;
    this.rules = facts.rules;
    this.tree = facts.tree;
    this.hiddenUnitIds = new Set(facts.hiddenUnitIds);
    this.groupNames = facts.groupNames;
    this.#policy = { mode: facts.mode, rules: facts.rules };

    // Only groups some rule names can change a decision: people who differ in
    // other groups share a class, which keeps classes (and remembered pairs) few.
    const namedGroups = new Set<number>();
    for (const rule of facts.rules) {
      for (const party of [rule.subject, rule.object])
        if (party.kind === 'group') namedGroups.add(party.groupId);
    }
    const groupsOf = new Map<number, number[]>();
    for (const { groupId, userId } of facts.memberships) {
      if (!namedGroups.has(groupId)) continue;
      const list = groupsOf.get(userId);
      if (list) list.push(groupId);
      else groupsOf.set(userId, [groupId]);
    }
    const classByKey = new Map<string, number>();
    const chains = new Map<number, Set<number>>();
    for (const user of facts.users) {
      const groups = (groupsOf.get(user.id) ?? []).sort((a, b) => a - b);
      const key = `${user.unitId ?? '-'}|${groups.join(',')}`;
      let classIndex = classByKey.get(key);
      if (classIndex === undefined) {
        classIndex = this.#classes.length;
        classByKey.set(key, classIndex);
        const chain = user.unitId === null ? new Set<number>() : this.#chainOf(user.unitId, chains);
        this.#classes.push({
          index: classIndex,
          unitId: user.unitId,
          chain,
          groups: new Set(groups),
          hiddenIn: [...chain].filter((id) => this.hiddenUnitIds.has(id)),
        });
      }
      this.#users.set(user.id, { classIndex, isAdmin: user.isAdmin, unitId: user.unitId });
    }
  }

  has(userId: number): boolean {
    return this.#users.has(userId);
  }

  get userCount(): number {
    return this.#users.size;
  }

  get classCount(): number {
    return this.#classes.length;
  }

  /** Both answers with their reasons; unknown users are refused (null). */
  explain(viewerId: number, targetId: number): PairDecision | null {
    const viewer = this.#users.get(viewerId);
    const target = this.#users.get(targetId);
    if (!viewer || !target) return null;
    if (viewerId === targetId) return both({ allowed: true, reason: { kind: 'self' } });
    if (viewer.isAdmin) return both({ allowed: true, reason: { kind: 'admin' } });
    return decidePair(this.#class(viewer), this.#class(target), this.#policy);
  }

  canSee(viewerId: number, targetId: number): boolean {
    return (this.#bits(viewerId, targetId) & SEE) !== 0;
  }

  canMessage(viewerId: number, targetId: number): boolean {
    return (this.#bits(viewerId, targetId) & MESSAGE) !== 0;
  }

  /** The targets the viewer may see (or message, with `message`), in one pass. */
  among(viewerId: number, targetIds: readonly number[], permission: 'see' | 'message'): Set<number> {
    const result = new Set<number>();
    const viewer = this.#users.get(viewerId);
    if (!viewer) return result;
    const wanted = permission === 'see' ? SEE : MESSAGE;
    if (viewer.isAdmin) {
      for (const id of targetIds) if (this.#users.has(id)) result.add(id);
      return result;
    }
    const memo = this.#memoFor(viewer.classIndex);
    const viewerClass = this.#class(viewer);
    for (const id of targetIds) {
      const target = this.#users.get(id);
      if (!target) continue;
      if (id === viewerId) {
        result.add(id);
        continue;
      }
      let bits = memo[target.classIndex] ?? 0;
      if (bits === 0) {
        bits = toBits(decidePair(viewerClass, this.#class(target), this.#policy));
        memo[target.classIndex] = bits;
      }
      if ((bits & wanted) !== 0) result.add(id);
    }
    return result;
  }

  /**
   * The units the viewer may not see: every hidden unit they are not inside,
   * with everything below it. Directory browsing leaves these out of the tree.
   */
  hiddenUnitsFor(viewerId: number): Set<number> {
    const viewer = this.#users.get(viewerId);
    const result = new Set<number>();
    if (viewer?.isAdmin) return result;
    const chain = viewer ? this.#class(viewer).chain : new Set<number>();
    for (const unitId of this.hiddenUnitIds) {
      if (!chain.has(unitId)) for (const id of this.tree.subtreeIds(unitId)) result.add(id);
    }
    return result;
  }

  #bits(viewerId: number, targetId: number): number {
    const viewer = this.#users.get(viewerId);
    const target = this.#users.get(targetId);
    if (!viewer || !target) return 0;
    if (viewerId === targetId || viewer.isAdmin) return KNOWN | SEE | MESSAGE;
    const memo = this.#memoFor(viewer.classIndex);
    let bits = memo[target.classIndex] ?? 0;
    if (bits === 0) {
      bits = toBits(decidePair(this.#class(viewer), this.#class(target), this.#policy));
      memo[target.classIndex] = bits;
    }
    return bits;
  }

  #class(user: UserFacts): FactClass {
    const found = this.#classes[user.classIndex];
    if (!found) throw new Error(`visibility snapshot: no class ${user.classIndex}`);
    return found;
  }

  #memoFor(classIndex: number): Uint8Array {
    let memo = this.#memo[classIndex];
    if (!memo) {
      if (this.#memoBytes + this.#classes.length > MAX_MEMO_BYTES) {
        this.#memo = [];
        this.#memoBytes = 0;
      }
      memo = new Uint8Array(this.#classes.length);
      this.#memo[classIndex] = memo;
      this.#memoBytes += memo.length;
    }
    return memo;
  }

  /** The unit and its ancestors; a cycle or a dangling parent just ends the walk. */
  #chainOf(unitId: number, cache: Map<number, Set<number>>): Set<number> {
    const cached = cache.get(unitId);
    if (cached) return cached;
    const chain = new Set<number>();
    for (let row = this.tree.get(unitId); row && !chain.has(row.id);) {
      chain.add(row.id);
      row = row.parent_id === null ? undefined : this.tree.get(row.parent_id);
    }
    if (!this.tree.get(unitId)) chain.add(unitId);
    cache.set(unitId, chain);
    return chain;
  }
}

function both(decision: PairDecision['see']): PairDecision {
  return { see: decision, message: decision };
}

function toBits(decision: PairDecision): number {
  return KNOWN | (decision.see.allowed ? SEE : 0) | (decision.message.allowed ? MESSAGE : 0);
}
