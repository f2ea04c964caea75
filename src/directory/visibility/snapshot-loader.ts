import type { Executor } from '../../store/database.ts';
import { listOrgUnits } from '../../store/org-units.ts';
import { getSetting } from '../../store/settings.ts';
import {
  listGroupMemberships,
  listGroupNames,
  listUserVisibilityRows,
} from '../../store/visibility-facts.ts';
import { listHiddenUnitIds, listVisibilityRules } from '../../store/visibility-rules.ts';
import { OrgTree } from '../org-tree.ts';
import { PolicySnapshot } from './policy-snapshot.ts';
import { compileRuleRow } from './rule-rows.ts';
import type { VisibilityMode } from './types.ts';

/** The settings key of the default mode. */
export const MODE_SETTING = 'visibility.mode';
export const DEFAULT_MODE: VisibilityMode = 'open';

export async function readMode(db: Executor): Promise<VisibilityMode> {
  const stored = await getSetting<string>(db, MODE_SETTING);
  return stored === 'closed' ? 'closed' : DEFAULT_MODE;
}

/**
 * Reads everything the policy needs in a handful of queries. They are not one
 * transaction (on SQLite that would take the write lock); a change landing in
 * between is caught by the invalidation that follows it, and a rule naming a
 * unit or group that vanished meanwhile simply matches nobody.
 */
export async function loadPolicySnapshot(db: Executor): Promise<PolicySnapshot> {
  const [mode, ruleRows, hiddenUnitIds, units, users, memberships, groupNames] = await Promise.all([
    readMode(db),
    listVisibilityRules(db),
    listHiddenUnitIds(db),
    listOrgUnits(db),
    listUserVisibilityRows(db),
    listGroupMemberships(db),
    listGroupNames(db),
  ]);
  return new PolicySnapshot({
    mode,
    rules: ruleRows.map(compileRuleRow),
    tree: new OrgTree(units),
    hiddenUnitIds,
    groupNames,
    users: users.map((u) => ({ id: u.id, unitId: u.unit_id, isAdmin: u.is_admin === 1 })),
    memberships: memberships.map((m) => ({ groupId: m.group_id, userId: m.user_id })),
  });
}
