import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { RuleParty, RulePartyInput, VisibilityRule } from './types.ts';

const PARTY_FORMS = 'unit:PATH, unit-only:PATH, group:NAME or everyone';

/**
 * The text form of a party, as the CLI takes and prints it: "unit:Sales"
 * (with its sub-units), "unit-only:Sales" (its own members only),
 * "group:Project X", "everyone".
 */
export function formatParty(party: RuleParty): string {
  switch (party.kind) {
    case 'unit':
      return `${party.includeSubunits ? 'unit' : 'unit-only'}:${party.path}`;
    case 'group':
      return `group:${party.name}`;
    case 'everyone':
      return 'everyone';
    default:
      throw new Error(`unexpected rule party ${JSON.stringify(party satisfies never)}`);
  }
}

/** `label` names the argument in the error: "--subject". */
export function parseParty(text: string, label: string): RulePartyInput {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'everyone') return { kind: 'everyone' };
  const colon = trimmed.indexOf(':');
  const kind = colon < 0 ? '' : trimmed.slice(0, colon).trim().toLowerCase();
  const value = colon < 0 ? '' : trimmed.slice(colon + 1).trim();
  if (value !== '') {
    if (kind === 'unit') return { kind: 'unit', path: value, includeSubunits: true };
    if (kind === 'unit-only') return { kind: 'unit', path: value, includeSubunits: false };
    if (kind === 'group') return { kind: 'group', name: value };
  }
  throw new CooError(ErrorCode.INVALID_INPUT, `${label} "${text}": expected ${PARTY_FORMS}`);
}

/** The rule as a sentence: "unit:Sales may message group:Project X", "everyone may not see unit:Board". */
export function ruleSentence(
  rule: Pick<VisibilityRule, 'subject' | 'object' | 'permission' | 'effect'>,
): string {
  const verb = rule.effect === 'allow' ? 'may' : 'may not';
  return `${formatParty(rule.subject)} ${verb} ${rule.permission} ${formatParty(rule.object)}`;
}
