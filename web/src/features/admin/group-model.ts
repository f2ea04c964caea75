import type { ApiGroup } from '../../../../src/protocol/admin-api.ts';
import type { ApiVisibilityRule, RuleParty } from '../../../../src/protocol/visibility.ts';

/** What the groups screen checks before it asks the server, and what it derives from the rules. */

export const MAX_GROUP_NAME = 100;
export const MAX_GROUP_DESCRIPTION = 1000;

// The server's rule (src/directory/group-service.ts): a letter or digit first, then letters, digits, space . _ -
const GROUP_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u;

export type GroupNameProblem = 'empty' | 'too-long' | 'characters' | 'exists';

export type GroupNameCheck = { ok: true; name: string } | { ok: false; problem: GroupNameProblem };

/**
 * Whether `text` can name a group: trimmed and in NFC, as the server keeps
 * it. `others` are the names already taken (for a rename, without the
 * group's own). The server checks again.
 */
export function checkGroupName(text: string, others: readonly string[] = []): GroupNameCheck {
  const name = text.trim().normalize('NFC');
  if (name === '') return { ok: false, problem: 'empty' };
  if ([...name].length > MAX_GROUP_NAME) return { ok: false, problem: 'too-long' };
  if (!GROUP_NAME.test(name)) return { ok: false, problem: 'characters' };
  if (others.includes(name)) return { ok: false, problem: 'exists' };
  return { ok: true, name };
}

function names(party: RuleParty, group: string): boolean {
  return party.kind === 'group' && party.name === group;
}

/** The rules that name a group on either side: deleting the group deletes them (the server cascades). */
export function rulesNaming(rules: readonly ApiVisibilityRule[], group: string): ApiVisibilityRule[] {
  return rules.filter((rule) => names(rule.subject, group) || names(rule.object, group));
}

/** How many rules name each group (a rule naming it on both sides counts once). */
export function ruleCounts(rules: readonly ApiVisibilityRule[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const rule of rules) {
    const named = new Set<string>();
    for (const party of [rule.subject, rule.object]) if (party.kind === 'group') named.add(party.name);
    for (const name of named) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** Groups whose name or description contains every word typed, in any case. */
export function filterGroups(groups: readonly ApiGroup[], text: string): ApiGroup[] {
  const words = text.toLowerCase().normalize('NFC').split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...groups];
  return groups.filter((group) => {
    const haystack = `${group.name} ${group.description}`.toLowerCase().normalize('NFC');
    return words.every((word) => haystack.includes(word));
  });
}
