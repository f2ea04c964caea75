import type { CoreServices } from '../../services.ts';
import type { VisibilityPolicy } from '../../im/types.ts';
import type { OrgUnit } from '../types.ts';
import { PolicyCache, type PolicyCacheOptions } from './policy-cache.ts';
import { loadPolicySnapshot } from './snapshot-loader.ts';
import type { PairDecision } from './types.ts';
import { VisibilityAdmin } from './visibility-admin.ts';

export { VisibilityAdmin, type VisibilityCheck, type VisibilityOverview } from './visibility-admin.ts';
export { formatParty, parseParty, ruleSentence } from './rule-text.ts';
export type * from './types.ts';

/**
 * The visibility policy every entry point asks (VisibilityPolicy), plus what
 * the directory and the admin paths need around it.
 */
export interface VisibilityService extends VisibilityPolicy {
  /** Forget the cached facts: the next question loads them afresh. Admin paths call it after a change. */
  invalidate(): void;
  /** Both answers with the reason that decided each; null when either user is unknown. */
  explain(viewerId: number, targetId: number): Promise<PairDecision | null>;
  /** Ids of the org units the viewer may not see (hidden units they are outside of, with their sub-units). */
  hiddenUnitsFor(viewerId: number): Promise<ReadonlySet<number>>;
  /** The org tree without the units the viewer may not see. */
  visibleOrgTree(viewerId: number, units: readonly OrgUnit[]): Promise<OrgUnit[]>;
  /** Rules, mode, hidden units and `check`, for the CLI and the REST API. */
  readonly admin: VisibilityAdmin;
}

/**
 * Builds the policy over the store: facts are loaded into one in-memory
 * snapshot, kept until invalidated and refreshed every 5 s in the background
 * (so changes made by another process show within seconds).
 */
export function createVisibilityPolicy(
  services: Pick<CoreServices, 'store' | 'audit' | 'directory'>,
  options: PolicyCacheOptions = {},
): VisibilityService {
  const db = services.store.db;
  const cache = new PolicyCache(() => loadPolicySnapshot(db), options);
  const admin = new VisibilityAdmin({
    store: services.store,
    audit: services.audit,
    org: services.directory.org,
    users: services.directory.users,
    cache,
  });
  return {
    admin,
    invalidate: () => cache.invalidate(),
    async canSee(viewerId, targetId) {
      return (await cache.knowing([viewerId, targetId])).canSee(viewerId, targetId);
    },
    async canMessage(senderId, targetId) {
      return (await cache.knowing([senderId, targetId])).canMessage(senderId, targetId);
    },
    async visibleAmong(viewerId, targetIds) {
      return (await cache.knowing([viewerId, ...targetIds])).among(viewerId, targetIds, 'see');
    },
    async messageableAmong(senderId, targetIds) {
      return (await cache.knowing([senderId, ...targetIds])).among(senderId, targetIds, 'message');
    },
    async explain(viewerId, targetId) {
      return (await cache.knowing([viewerId, targetId])).explain(viewerId, targetId);
    },
    async hiddenUnitsFor(viewerId) {
      return (await cache.knowing([viewerId])).hiddenUnitsFor(viewerId);
    },
    async visibleOrgTree(viewerId, units) {
      const hidden = (await cache.knowing([viewerId])).hiddenUnitsFor(viewerId);
      const prune = (list: readonly OrgUnit[]): OrgUnit[] =>
        list
          .filter((unit) => !hidden.has(unit.id))
          .map((unit) => ({ ...unit, children: prune(unit.children) }));
      return prune(units);
    },
  };
}
