import type { RuleNames } from './rule-rows.ts';
import { nameRule } from './rule-rows.ts';
import { ruleSentence } from './rule-text.ts';
import type { Decision, VisibilityMode, VisibilityRule } from './types.ts';

/** A reason with units by path and rules by name, for admins. */
export type NamedReason =
  | { kind: 'self' }
  | { kind: 'admin' }
  | { kind: 'hidden-unit'; unit: string }
  | { kind: 'own-unit'; unit: string }
  | { kind: 'rule'; rule: VisibilityRule }
  | { kind: 'mode'; mode: VisibilityMode };

export interface NamedDecision {
  allowed: boolean;
  reason: NamedReason;
  /** The reason in one line: what `coo rule check` prints. */
  explanation: string;
}

/** Names a decision between viewer `a` and target `b` (addresses), for `rule check`. */
export function nameDecision(decision: Decision, a: string, b: string, names: RuleNames): NamedDecision {
  const reason = decision.reason;
  switch (reason.kind) {
    case 'self':
      return { ...decision, reason, explanation: 'the same person' };
    case 'admin':
      return {
        ...decision,
        reason,
        explanation: `${a} is an administrator: administrators see and message everyone`,
      };
    case 'hidden-unit': {
      const unit = names.tree.pathOf(reason.unitId);
      return {
        allowed: decision.allowed,
        reason: { kind: 'hidden-unit', unit },
        explanation: `${b} is in the hidden unit ${unit}, and ${a} is not`,
      };
    }
    case 'own-unit': {
      const unit = names.tree.pathOf(reason.unitId);
      return {
        allowed: decision.allowed,
        reason: { kind: 'own-unit', unit },
        explanation: `both are in ${unit}: members of one unit always see and message each other`,
      };
    }
    case 'rule': {
      const rule = nameRule(reason.rule, names);
      return {
        allowed: decision.allowed,
        reason: { kind: 'rule', rule },
        explanation: `rule #${rule.id}: ${ruleSentence(rule)}`,
      };
    }
    case 'mode':
      return {
        ...decision,
        reason,
        explanation:
          reason.mode === 'open'
            ? 'no deny rule applies, and the mode is open'
            : 'no rule allows it, and the mode is closed',
      };
    default:
      throw new Error(`unexpected reason ${JSON.stringify(reason satisfies never)}`);
  }
}
