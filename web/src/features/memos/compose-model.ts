import type { DirectoryUnit } from '../../../../src/protocol/im/directory.ts';
import { MEMO_LIMITS } from '../../../../src/protocol/im/memos.ts';

/**
 * The memo being written: recipients as chips (people and whole org units),
 * subject and body, kept in localStorage as it is typed so a reload, a
 * crash or a lost connection loses nothing. Pure functions, tested in Node.
 */
export type Recipient =
  | { kind: 'user'; id: number; name: string; address: string }
  /** `members`: the people the unit holds with every unit below it, as the tree tells; null when unknown. */
  | { kind: 'unit'; id: number; name: string; members: number | null };

export interface Draft {
  subject: string;
  body: string;
  recipients: Recipient[];
}

export const emptyDraft: Draft = { subject: '', body: '', recipients: [] };

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function draftKey(userId: number): string {
  return `coo.memo-draft.${userId}`;
}

function isRecipient(value: unknown): value is Recipient {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  if (typeof r.id !== 'number' || typeof r.name !== 'string') return false;
  if (r.kind === 'user') return typeof r.address === 'string';
  if (r.kind === 'unit') return r.members === null || typeof r.members === 'number';
  return false;
}

export function loadDraft(storage: StorageLike | null, userId: number): Draft {
  try {
    const raw = storage?.getItem(draftKey(userId));
    if (!raw) return emptyDraft;
    const parsed = JSON.parse(raw) as Partial<Record<keyof Draft, unknown>>;
    return {
      subject: typeof parsed.subject === 'string' ? parsed.subject : '',
      body: typeof parsed.body === 'string' ? parsed.body : '',
      recipients: Array.isArray(parsed.recipients) ? parsed.recipients.filter(isRecipient) : [],
    };
  } catch {
    return emptyDraft;
  }
}

export function isEmptyDraft(draft: Draft): boolean {
  return draft.subject.trim() === '' && draft.body.trim() === '' && draft.recipients.length === 0;
}

/** Saves the draft, or forgets it once empty. False when storage refused (full, private mode). */
export function saveDraft(storage: StorageLike | null, userId: number, draft: Draft): boolean {
  if (!storage) return false;
  try {
    if (isEmptyDraft(draft)) storage.removeItem(draftKey(userId));
    else storage.setItem(draftKey(userId), JSON.stringify(draft));
    return true;
  } catch {
    return false;
  }
}

export function sameRecipient(a: Recipient, b: Pick<Recipient, 'kind' | 'id'>): boolean {
  return a.kind === b.kind && a.id === b.id;
}

/** Adds a chip once; a newer description of the same recipient replaces the old one. */
export function addRecipient(list: readonly Recipient[], recipient: Recipient): Recipient[] {
  const index = list.findIndex((r) => sameRecipient(r, recipient));
  if (index === -1) return [...list, recipient];
  return list.map((r, i) => (i === index ? recipient : r));
}

export function removeRecipient(
  list: readonly Recipient[],
  target: Pick<Recipient, 'kind' | 'id'>,
): Recipient[] {
  return list.filter((r) => !sameRecipient(r, target));
}

export function targetsOf(list: readonly Recipient[]): { userIds: number[]; unitIds: number[] } {
  return {
    userIds: list.filter((r) => r.kind === 'user').map((r) => r.id),
    unitIds: list.filter((r) => r.kind === 'unit').map((r) => r.id),
  };
}

export type DraftProblem = 'noRecipients' | 'emptyBody' | 'subjectTooLong' | 'bodyTooLong';

function codePoints(text: string): number {
  return [...text].length;
}

/** What keeps the draft from being sent, checked before asking the server (which checks again). */
export function draftProblems(draft: Draft): DraftProblem[] {
  const problems: DraftProblem[] = [];
  if (draft.recipients.length === 0) problems.push('noRecipients');
  if (draft.body.trim() === '') problems.push('emptyBody');
  if (codePoints(draft.subject.trim()) > MEMO_LIMITS.subjectChars) problems.push('subjectTooLong');
  if (codePoints(draft.body) > MEMO_LIMITS.bodyChars) problems.push('bodyTooLong');
  return problems;
}

/** A subject is one line: pasted line breaks become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}

export type SendErrorKey =
  | 'errorNotAllowedPerson'
  | 'errorNotAllowedUnits'
  | 'errorUnitsEmpty'
  | 'errorInvalid'
  | 'errorUserUnknown'
  | 'errorUnitUnknown'
  | 'errorConnection'
  | 'errorRateLimited'
  | 'errorUnexpected';

/** The message to show for a refused `memo.send`, by the server's error code. */
export function sendErrorKey(code: string, draft: Draft): SendErrorKey {
  const { userIds } = targetsOf(draft.recipients);
  switch (code) {
    case 'IM_NOT_ALLOWED':
      // Named people fail the whole memo; people a unit brings in are left out silently.
      return userIds.length > 0 ? 'errorNotAllowedPerson' : 'errorNotAllowedUnits';
    case 'INVALID_INPUT':
      return draftProblems(draft).length === 0 && userIds.length === 0 ? 'errorUnitsEmpty' : 'errorInvalid';
    case 'USER_UNKNOWN':
      return 'errorUserUnknown';
    case 'UNIT_UNKNOWN':
      return 'errorUnitUnknown';
    case 'IM_CONNECTION_LOST':
    case 'IM_CONNECTION_ENDED':
    case 'IM_TIMEOUT':
      return 'errorConnection';
    case 'IM_RATE_LIMITED':
      return 'errorRateLimited';
    default:
      return 'errorUnexpected';
  }
}

// ------------------------------------------------------------- the org tree

export function findUnit(units: readonly DirectoryUnit[], id: number): DirectoryUnit | undefined {
  for (const unit of units) {
    if (unit.id === id) return unit;
    const found = findUnit(unit.children, id);
    if (found) return found;
  }
  return undefined;
}

/** The ids of the units above `id`, nearest first; empty for a root or an unknown unit. */
export function ancestorIds(units: readonly DirectoryUnit[], id: number): number[] {
  const walk = (list: readonly DirectoryUnit[], path: number[]): number[] | null => {
    for (const unit of list) {
      if (unit.id === id) return path;
      const found = walk(unit.children, [unit.id, ...path]);
      if (found) return found;
    }
    return null;
  };
  return walk(units, []) ?? [];
}

/** Whether a unit is already covered by a chosen unit above it (a unit reaches every unit below). */
export function coveredBy(
  units: readonly DirectoryUnit[],
  chosen: ReadonlySet<number>,
  id: number,
): number | null {
  return ancestorIds(units, id).find((ancestor) => chosen.has(ancestor)) ?? null;
}

export function unitRecipient(unit: DirectoryUnit): Recipient {
  return { kind: 'unit', id: unit.id, name: unit.name, members: unit.totalMembers };
}

function descendantIds(unit: DirectoryUnit, into: Set<number> = new Set()): Set<number> {
  for (const child of unit.children) {
    into.add(child.id);
    descendantIds(child, into);
  }
  return into;
}

/** Chooses a whole unit: chips of units below it are dropped, since it reaches them already. */
export function addUnit(list: readonly Recipient[], unit: DirectoryUnit): Recipient[] {
  const below = descendantIds(unit);
  return addRecipient(
    list.filter((r) => r.kind !== 'unit' || !below.has(r.id)),
    unitRecipient(unit),
  );
}
