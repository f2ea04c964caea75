import { ImapError, ImapErrorId } from '../imap-error.ts';
import type { SortCriterion } from '../protocol/ast.ts';
import type { SearchCandidate } from './evaluate.ts';
import { foldForSearch, type MailboxAddress, type SearchableContent } from './searchable.ts';

/**
 * RFC 5256 §3 SORT. Strings are compared after foldForSearch (NFKC, lower
 * case) by code point, a close cousin of i;unicode-casemap that gives the
 * same order on every machine. Messages equal on every criterion keep
 * mailbox order (sequence number), whatever REVERSE says (RFC 5256 §3).
 */

export interface SortItem {
  candidate: SearchCandidate;
  /** Needed unless every criterion is ARRIVAL or SIZE (see sortNeedsContent). */
  content?: SearchableContent;
}

type SortValue = number | string;

/** Whether the criteria read message content; ARRIVAL and SIZE come from the index alone. */
export function sortNeedsContent(criteria: readonly SortCriterion[]): boolean {
  return criteria.some((criterion) => criterion.key !== 'ARRIVAL' && criterion.key !== 'SIZE');
}

/** RFC 5256 §2.2 sent date: the Date header, or the internal date when it has none. */
export function sentDateOf(candidate: SearchCandidate, content: SearchableContent): number {
  return content.sentDate ?? candidate.internalDate;
}

export function sortMessages<T extends SortItem>(
  criteria: readonly SortCriterion[],
  items: readonly T[],
): T[] {
  const keyed = items.map((item) => ({
    item,
    values: criteria.map((criterion) => sortValue(criterion, item)),
  }));
  keyed.sort((a, b) => {
    for (let index = 0; index < criteria.length; index++) {
      const order = compareValues(a.values[index], b.values[index]);
      if (order !== 0) return criteria[index]?.reverse ? -order : order;
    }
    return a.item.candidate.seq - b.item.candidate.seq;
  });
  return keyed.map((entry) => entry.item);
}

function compareValues(a: SortValue | undefined, b: SortValue | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return a < b ? -1 : 1;
}

function sortValue(criterion: SortCriterion, item: SortItem): SortValue {
  const { candidate } = item;
  switch (criterion.key) {
    case 'ARRIVAL':
      return candidate.internalDate;
    case 'SIZE':
      return candidate.size;
    case 'DATE':
      return sentDateOf(candidate, contentOf(item));
    // RFC 5256 §3: the addr-mailbox of the first address; none sorts as "".
    case 'FROM':
      return foldForSearch(contentOf(item).from?.mailbox ?? '');
    case 'TO':
      return foldForSearch(contentOf(item).to?.mailbox ?? '');
    case 'CC':
      return foldForSearch(contentOf(item).cc?.mailbox ?? '');
    case 'SUBJECT':
      return contentOf(item).baseSubject;
    case 'DISPLAY':
      return foldForSearch(displayName(contentOf(item).from));
    default: {
      const unknown: never = criterion.key;
      throw new ImapError('BAD', ImapErrorId.SYNTAX, `unknown sort key ${String(unknown)}`);
    }
  }
}

/**
 * RFC 5957 §3: the decoded display name when it is not empty, else the
 * address as mailbox@host; "" without an address. The AST's DISPLAY is
 * RFC 5957 DISPLAYFROM.
 */
export function displayName(address: MailboxAddress | null): string {
  if (!address) return '';
  if (address.name !== '') return address.name;
  return address.host === '' ? address.mailbox : `${address.mailbox}@${address.host}`;
}

function contentOf(item: SortItem): SearchableContent {
  if (item.content) return item.content;
  throw new ImapError(
    'NO',
    ImapErrorId.SERVER_BUG,
    `message ${item.candidate.seq} was sorted without its content`,
    'SERVERBUG',
  );
}
