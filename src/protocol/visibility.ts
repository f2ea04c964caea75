/**
 * Visibility rules as they travel on the wire (REST admin API), shared with
 * web/. The semantics are in docs/admin-guide.md, "Visibility rules".
 */

/** `open`: everyone sees and messages everyone unless a deny rule says otherwise; `closed`: only what allow rules open. */
export const VISIBILITY_MODES = ['open', 'closed'] as const;
export type VisibilityMode = (typeof VISIBILITY_MODES)[number];

/** `message` implies `see`. */
export const RULE_PERMISSIONS = ['see', 'message'] as const;
export type RulePermission = (typeof RULE_PERMISSIONS)[number];

/** A deny rule wins over any allow rule. */
export const RULE_EFFECTS = ['allow', 'deny'] as const;
export type RuleEffect = (typeof RULE_EFFECTS)[number];

/** Who a rule is about, on either side: the viewer (subject) or the person viewed (object). */
export type RuleParty =
  | {
      kind: 'unit';
      /** "Sales/Tokyo" */
      path: string;
      /** true: the unit and every unit below it; false: that unit's own members only. */
      includeSubunits: boolean;
    }
  | { kind: 'group'; name: string }
  | { kind: 'everyone' };

export interface ApiVisibilityRule {
  id: number;
  subject: RuleParty;
  object: RuleParty;
  permission: RulePermission;
  effect: RuleEffect;
  /** The rule as a sentence: "unit:Sales may message group:Project X". */
  text: string;
  createdAt: string;
}

export interface ApiVisibilityRules {
  mode: VisibilityMode;
  rules: ApiVisibilityRule[];
  /** Paths of the hidden units. */
  hiddenUnits: string[];
}

/** Why a question was answered as it was; `explanation` says it in words. */
export type ApiDecisionReason =
  | { kind: 'self' }
  | { kind: 'admin' }
  | { kind: 'hidden-unit'; unit: string }
  | { kind: 'own-unit'; unit: string }
  | { kind: 'rule'; rule: ApiVisibilityRule }
  | { kind: 'mode'; mode: VisibilityMode };

export interface ApiVisibilityCheck {
  a: string;
  b: string;
  /** Whether a may see b. */
  see: boolean;
  /** Whether a may message b (never true when see is false). */
  message: boolean;
  decidedBy: {
    see: ApiDecisionReason & { explanation: string };
    message: ApiDecisionReason & { explanation: string };
  };
}
