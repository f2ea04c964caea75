import type { RuleEffect, RuleParty, RulePermission, VisibilityMode } from '../../protocol/visibility.ts';

export type { RuleEffect, RuleParty, RulePermission, VisibilityMode };

/** A rule as the admins see it: units by path, groups by name. */
export interface VisibilityRule {
  id: number;
  subject: RuleParty;
  object: RuleParty;
  permission: RulePermission;
  effect: RuleEffect;
  createdAt: number;
}

/** A rule to add; a unit includes its sub-units unless told otherwise. */
export interface NewVisibilityRule {
  subject: RulePartyInput;
  object: RulePartyInput;
  /** Checked by the service: 'see' or 'message'. */
  permission: string;
  /** Checked by the service: 'allow' or 'deny'. */
  effect: string;
}

export type RulePartyInput =
  | { kind: 'unit'; path: string; includeSubunits?: boolean }
  | { kind: 'group'; name: string }
  | { kind: 'everyone' };

/** A party with units and groups by id, as the policy evaluates it. */
export type CompiledParty =
  | { kind: 'unit'; unitId: number; includeSubunits: boolean }
  | { kind: 'group'; groupId: number }
  | { kind: 'everyone' };

export interface CompiledRule {
  id: number;
  subject: CompiledParty;
  object: CompiledParty;
  permission: RulePermission;
  effect: RuleEffect;
  createdAt: number;
}

/** Why a question was answered as it was. Units by id; the admin side names them. */
export type DecisionReason =
  | { kind: 'self' }
  | { kind: 'admin' }
  | { kind: 'hidden-unit'; unitId: number }
  | { kind: 'own-unit'; unitId: number }
  | { kind: 'rule'; rule: CompiledRule }
  | { kind: 'mode'; mode: VisibilityMode };

export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
}

/** Both answers for one viewer and one target. */
export interface PairDecision {
  see: Decision;
  message: Decision;
}
