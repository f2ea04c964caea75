import type { Generated } from 'kysely';

/** Visibility rules: which units and groups may see and message which. */
export interface VisibilityTables {
  visibility_rules: VisibilityRuleTable;
  hidden_org_units: HiddenOrgUnitTable;
}

/** 'unit': an org unit (with its sub-units when `*_subunits` is 1); 'group'; 'everyone'. */
export type RulePartyKind = 'unit' | 'group' | 'everyone';

/**
 * One rule: the subject (who looks) may or may not see or message the object
 * (whom they look at). Units and groups are referenced by id, so a rename or
 * move keeps the rule; removing the unit or group removes its rules.
 */
export interface VisibilityRuleTable {
  id: Generated<number>;
  subject_kind: RulePartyKind;
  subject_unit_id: number | null;
  subject_group_id: number | null;
  /** 1: the unit and every unit below it; 0: that unit only. Always 0 for groups and everyone. */
  subject_subunits: number;
  object_kind: RulePartyKind;
  object_unit_id: number | null;
  object_group_id: number | null;
  object_subunits: number;
  permission: 'see' | 'message';
  effect: 'allow' | 'deny';
  created_at: number;
}

/** A hidden unit: its members (and its sub-units') are invisible to everyone outside it but admins. */
export interface HiddenOrgUnitTable {
  unit_id: number;
  hidden_at: number;
}
