import type { VisibilityRuleRow } from '../../store/visibility-rules.ts';
import type { RulePartyKind } from '../../store/schema-visibility.ts';
import type { OrgTree } from '../org-tree.ts';
import type { CompiledParty, CompiledRule, RuleParty, VisibilityRule } from './types.ts';

/** A stored rule with units and groups by id. */
export function compileRuleRow(row: VisibilityRuleRow): CompiledRule {
  return {
    id: row.id,
    subject: compileParty(row.subject_kind, row.subject_unit_id, row.subject_group_id, row.subject_subunits),
    object: compileParty(row.object_kind, row.object_unit_id, row.object_group_id, row.object_subunits),
    permission: row.permission,
    effect: row.effect,
    createdAt: row.created_at,
  };
}

function compileParty(
  kind: RulePartyKind,
  unitId: number | null,
  groupId: number | null,
  subunits: number,
): CompiledParty {
  // A row whose unit or group is gone (removed between two reads) matches nobody.
  if (kind === 'unit') return { kind, unitId: unitId ?? -1, includeSubunits: subunits === 1 };
  if (kind === 'group') return { kind, groupId: groupId ?? -1 };
  return { kind: 'everyone' };
}

/** Names for the ids in a compiled rule. */
export interface RuleNames {
  tree: OrgTree;
  groupNames: ReadonlyMap<number, string>;
}

export function nameRule(rule: CompiledRule, names: RuleNames): VisibilityRule {
  return {
    id: rule.id,
    subject: nameParty(rule.subject, names),
    object: nameParty(rule.object, names),
    permission: rule.permission,
    effect: rule.effect,
    createdAt: rule.createdAt,
  };
}

function nameParty(party: CompiledParty, names: RuleNames): RuleParty {
  switch (party.kind) {
    case 'unit':
      return {
        kind: 'unit',
        path: names.tree.pathOf(party.unitId) || `#${party.unitId}`,
        includeSubunits: party.includeSubunits,
      };
    case 'group':
      return { kind: 'group', name: names.groupNames.get(party.groupId) ?? `#${party.groupId}` };
    case 'everyone':
      return { kind: 'everyone' };
    default:
      throw new Error(`unexpected rule party ${JSON.stringify(party satisfies never)}`);
  }
}
