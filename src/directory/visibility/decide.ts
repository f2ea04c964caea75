import type { CompiledParty, CompiledRule, Decision, PairDecision, VisibilityMode } from './types.ts';

/**
 * What the policy knows of a person, shared by everyone in the same unit with
 * the same groups: the decision depends on nothing else (besides who is an
 * administrator and who is oneself, checked before), so it is computed once
 * per pair of classes and remembered.
 */
export interface FactClass {
  index: number;
  unitId: number | null;
  /** The unit and every unit above it. */
  chain: ReadonlySet<number>;
  groups: ReadonlySet<number>;
  /** Hidden units among `chain`: an outsider to any of them may not see this person. */
  hiddenIn: readonly number[];
}

export interface PolicyRules {
  mode: VisibilityMode;
  /** In id order: the first matching rule is the one named as deciding. */
  rules: readonly CompiledRule[];
}

export function partyMatches(party: CompiledParty, facts: FactClass): boolean {
  switch (party.kind) {
    case 'unit':
      return party.includeSubunits ? facts.chain.has(party.unitId) : facts.unitId === party.unitId;
    case 'group':
      return facts.groups.has(party.groupId);
    case 'everyone':
      return true;
    default:
      return unreachable(party);
  }
}

/**
 * THE visibility decision between two people who are neither the same person
 * nor is the viewer an administrator (both always allowed, checked by the
 * caller). In order:
 *
 * 1. A target inside a hidden unit the viewer is not inside: no, whatever the rules.
 * 2. Same unit: yes, whatever the rules (colleagues always see each other).
 * 3. Rules: a matching deny wins over any allow. `message` implies `see`, so a
 *    `message` allow also allows seeing, and a `see` deny also denies messaging.
 * 4. No rule decided: the mode — open allows, closed denies.
 *
 * Messaging needs seeing: when `see` is refused, `message` is refused for the same reason.
 */
export function decidePair(viewer: FactClass, target: FactClass, policy: PolicyRules): PairDecision {
  for (const unitId of target.hiddenIn) {
    if (!viewer.chain.has(unitId)) {
      const refused: Decision = { allowed: false, reason: { kind: 'hidden-unit', unitId } };
      return { see: refused, message: refused };
    }
  }
  if (viewer.unitId !== null && viewer.unitId === target.unitId) {
    const allowed: Decision = { allowed: true, reason: { kind: 'own-unit', unitId: viewer.unitId } };
    return { see: allowed, message: allowed };
  }
  let denySee: CompiledRule | undefined;
  let denyMessage: CompiledRule | undefined;
  let allowSee: CompiledRule | undefined;
  let allowMessage: CompiledRule | undefined;
  for (const rule of policy.rules) {
    if (!partyMatches(rule.subject, viewer) || !partyMatches(rule.object, target)) continue;
    if (rule.effect === 'deny') {
      if (rule.permission === 'see') denySee ??= rule;
      else denyMessage ??= rule;
    } else {
      if (rule.permission === 'message') allowMessage ??= rule;
      allowSee ??= rule;
    }
  }
  const see = settle(denySee, allowSee, policy.mode);
  if (!see.allowed) return { see, message: see };
  return { see, message: settle(denyMessage, allowMessage, policy.mode) };
}

function settle(
  deny: CompiledRule | undefined,
  allow: CompiledRule | undefined,
  mode: VisibilityMode,
): Decision {
  if (deny) return { allowed: false, reason: { kind: 'rule', rule: deny } };
  if (mode === 'open') return { allowed: true, reason: { kind: 'mode', mode } };
  if (allow) return { allowed: true, reason: { kind: 'rule', rule: allow } };
  return { allowed: false, reason: { kind: 'mode', mode } };
}

function unreachable(value: never): never {
  throw new Error(`unexpected rule party ${JSON.stringify(value)}`);
}
