import { badSyntax } from '../imap-error.ts';
import type { SearchKey } from '../protocol/ast.ts';
import { foldForSearch, type SearchableContent } from './searchable.ts';
import { dayInZone, dayNumber } from './sent-date.ts';
import { compileSequenceSet } from './sequence-set.ts';

/**
 * SEARCH key evaluation (RFC 9051 §6.4.4). A key is compiled once, then
 * tried on each message in two passes: first on what the index row knows
 * (flags, dates, sizes, numbers), with content keys answering "unknown";
 * only a message still undecided has its content loaded. So
 * `SEARCH UNSEEN BODY x` reads only the unseen messages, and
 * `SEARCH OR FLAGGED BODY x` never reads a flagged one.
 *
 * String keys match a case-insensitive substring after both sides are
 * folded with foldForSearch (NFKC + lower case): full-width and half-width
 * forms match each other, as Japanese users expect.
 */

export interface SearchCandidate {
  seq: number;
  uid: number;
  flags: readonly string[];
  modseq: number;
  /** ms since the epoch */
  internalDate: number;
  size: number;
}

export interface SearchContext {
  /** The largest sequence number and UID in the mailbox ("*"). */
  maxSeq: number;
  maxUid: number;
  /** "$" (RFC 5182): UIDs of the last SEARCH … RETURN (SAVE), empty when none. */
  savedUids: readonly number[];
  /** Loads a message's content; called only when a key needs it (header/body/text/sentdate). */
  content(candidate: SearchCandidate): Promise<SearchableContent>;
  /** ms, for OLDER/YOUNGER */
  now: number;
  /** Day boundaries are in this UTC offset in minutes (server's local zone), for ON/BEFORE/SINCE. */
  timezoneOffsetMinutes: number;
}

/** A compiled key: `meta` answers from the candidate alone, undefined when content is needed. */
export interface SearchMatcher {
  needsContent: boolean;
  meta(candidate: SearchCandidate): boolean | undefined;
  full(candidate: SearchCandidate, content: SearchableContent): boolean;
}

export async function searchMessages(
  key: SearchKey,
  candidates: readonly SearchCandidate[],
  ctx: SearchContext,
): Promise<SearchCandidate[]> {
  const matcher = compileSearchKey(key, ctx);
  const found: SearchCandidate[] = [];
  // A chunk at a time: its undecided messages are loaded several at once, then judged.
  for (let start = 0; start < candidates.length; start += CHUNK) {
    const chunk = candidates.slice(start, start + CHUNK);
    const decided = chunk.map((candidate) => matcher.meta(candidate));
    const contents = new Map<SearchCandidate, SearchableContent>();
    await loadContents(
      chunk.filter((_candidate, index) => decided[index] === undefined),
      ctx,
      contents,
    );
    chunk.forEach((candidate, index) => {
      const content = contents.get(candidate);
      const matches = decided[index] ?? (content !== undefined && matcher.full(candidate, content));
      if (matches) found.push(candidate);
    });
  }
  return found;
}

/** Candidates judged together; their loaded content is held only while the chunk is judged. */
const CHUNK = 256;

/** Messages loaded at once while a search reads bodies: the disk is kept busy, not the event loop. */
const PARALLEL_LOADS = 16;

/** Loads the content of the candidates, several at a time, into `into`. */
async function loadContents(
  candidates: readonly SearchCandidate[],
  ctx: SearchContext,
  into: Map<SearchCandidate, SearchableContent>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const candidate = candidates[next++];
      if (candidate) into.set(candidate, await ctx.content(candidate));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_LOADS, candidates.length) }, worker));
}

/** True when evaluating the key may need a message's content (SORT uses this to plan its loads). */
export function searchKeyNeedsContent(key: SearchKey): boolean {
  switch (key.kind) {
    case 'header':
    case 'body':
    case 'text':
    case 'sentdate':
      return true;
    case 'not':
      return searchKeyNeedsContent(key.key);
    case 'or':
      return searchKeyNeedsContent(key.left) || searchKeyNeedsContent(key.right);
    case 'and':
      return key.keys.some(searchKeyNeedsContent);
    case 'all':
    case 'flag':
    case 'new':
    case 'old':
    case 'recent':
    case 'internaldate':
    case 'size':
    case 'uid':
    case 'seq':
    case 'modseq':
    case 'older':
    case 'younger':
      return false;
    default: {
      const unknown: never = key;
      throw badSyntax(`unknown search key ${JSON.stringify(unknown)}`);
    }
  }
}

function metaKey(test: (candidate: SearchCandidate) => boolean): SearchMatcher {
  return { needsContent: false, meta: test, full: test };
}

function contentKey(
  test: (candidate: SearchCandidate, content: SearchableContent) => boolean,
): SearchMatcher {
  return { needsContent: true, meta: () => undefined, full: test };
}

const always = metaKey(() => true);
const never = metaKey(() => false);

/** Compiles a key against a mailbox's state ("*", "$", now, time zone). */
export function compileSearchKey(key: SearchKey, ctx: Omit<SearchContext, 'content'>): SearchMatcher {
  switch (key.kind) {
    case 'all':
      return always;
    case 'flag': {
      const flag = key.flag.toLowerCase();
      // RFC 9051 §6.4.4: KEYWORD compares case-insensitively; so do system flags.
      return metaKey((candidate) => candidate.flags.some((each) => each.toLowerCase() === flag) === key.set);
    }
    // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT. No message is ever \Recent here.
    case 'new':
      return never;
    case 'old':
      return always;
    case 'recent':
      return key.set ? never : always;
    case 'header':
      return headerKey(key.field, key.value);
    case 'body': {
      const needle = foldForSearch(key.value);
      return contentKey((_candidate, content) => content.bodyText.includes(needle));
    }
    case 'text': {
      const needle = foldForSearch(key.value);
      return contentKey(
        (_candidate, content) =>
          foldedHeaderText(content).includes(needle) || content.bodyText.includes(needle),
      );
    }
    case 'internaldate': {
      const day = searchDay(key.date);
      return metaKey((candidate) =>
        compareDays(dayInZone(candidate.internalDate, ctx.timezoneOffsetMinutes), key.op, day),
      );
    }
    case 'sentdate': {
      const day = searchDay(key.date);
      // Without a readable Date header the internal date stands in, as Dovecot does.
      return contentKey((candidate, content) =>
        compareDays(
          content.sentDay ?? dayInZone(candidate.internalDate, ctx.timezoneOffsetMinutes),
          key.op,
          day,
        ),
      );
    }
    case 'size':
      return metaKey((candidate) =>
        key.op === 'larger' ? candidate.size > key.size : candidate.size < key.size,
      );
    case 'uid': {
      const inSet = compileSequenceSet(key.set, ctx.maxUid, ctx.savedUids);
      return metaKey((candidate) => inSet(candidate.uid));
    }
    case 'seq': {
      // "$" holds UIDs (RFC 5182 §2.1), whichever form of key names it.
      const inSet = compileSequenceSet(key.set, ctx.maxSeq, ctx.savedUids);
      const byUid = key.set.kind === 'saved';
      return metaKey((candidate) => inSet(byUid ? candidate.uid : candidate.seq));
    }
    case 'modseq':
      // RFC 7162 §3.1.5: MODSEQ n matches messages with a mod-sequence of n or more.
      return metaKey((candidate) => candidate.modseq >= key.modseq);
    // RFC 5032 §3: OLDER n is an internal date more than n seconds ago, YOUNGER n within n seconds.
    case 'older':
      return metaKey((candidate) => ctx.now - candidate.internalDate > key.seconds * 1000);
    case 'younger':
      return metaKey((candidate) => ctx.now - candidate.internalDate <= key.seconds * 1000);
    case 'not':
      return notKey(compileSearchKey(key.key, ctx));
    case 'or':
      return orKey(compileSearchKey(key.left, ctx), compileSearchKey(key.right, ctx));
    case 'and':
      return andKey(key.keys.map((each) => compileSearchKey(each, ctx)));
    default: {
      const unknown: never = key;
      throw badSyntax(`unknown search key ${JSON.stringify(unknown)}`);
    }
  }
}

function notKey(inner: SearchMatcher): SearchMatcher {
  return {
    needsContent: inner.needsContent,
    meta: (candidate) => {
      const value = inner.meta(candidate);
      return value === undefined ? undefined : !value;
    },
    full: (candidate, content) => !inner.full(candidate, content),
  };
}

function orKey(left: SearchMatcher, right: SearchMatcher): SearchMatcher {
  const [first, second] = left.needsContent && !right.needsContent ? [right, left] : [left, right];
  return {
    needsContent: first.needsContent || second.needsContent,
    meta: (candidate) => {
      const a = first.meta(candidate);
      if (a === true) return true;
      const b = second.meta(candidate);
      if (b === true) return true;
      return a === false && b === false ? false : undefined;
    },
    full: (candidate, content) => first.full(candidate, content) || second.full(candidate, content),
  };
}

function andKey(keys: SearchMatcher[]): SearchMatcher {
  // Cheap keys first, so content keys run only when the rest already hold.
  const ordered = [...keys.filter((key) => !key.needsContent), ...keys.filter((key) => key.needsContent)];
  return {
    needsContent: ordered.some((key) => key.needsContent),
    meta: (candidate) => {
      let unknown = false;
      for (const key of ordered) {
        const value = key.meta(candidate);
        if (value === false) return false;
        if (value === undefined) unknown = true;
      }
      return unknown ? undefined : true;
    },
    full: (candidate, content) => ordered.every((key) => key.full(candidate, content)),
  };
}

/**
 * RFC 9051 §6.4.4 HEADER: the field's text after the colon contains the
 * string; an empty string matches every message that has the field.
 */
function headerKey(field: string, value: string): SearchMatcher {
  const name = field.toLowerCase();
  if (value === '') return contentKey((_candidate, content) => content.headers.has(name));
  const needle = foldForSearch(value);
  return contentKey((_candidate, content) =>
    foldedHeader(content, name).some((each) => each.includes(needle)),
  );
}

/** Folded header values, kept as long as the content is (it is cached by the message cache). */
const foldedHeaders = new WeakMap<SearchableContent, Map<string, readonly string[]>>();
const foldedHeaderTexts = new WeakMap<SearchableContent, string>();

function foldedHeader(content: SearchableContent, name: string): readonly string[] {
  let byName = foldedHeaders.get(content);
  if (!byName) {
    byName = new Map();
    foldedHeaders.set(content, byName);
  }
  let values = byName.get(name);
  if (!values) {
    values = (content.headers.get(name) ?? []).map(foldForSearch);
    byName.set(name, values);
  }
  return values;
}

/** RFC 9051 §6.4.4 TEXT looks in the header too: every field as "name: value". */
function foldedHeaderText(content: SearchableContent): string {
  let text = foldedHeaderTexts.get(content);
  if (text === undefined) {
    const lines: string[] = [];
    for (const [name, values] of content.headers) for (const value of values) lines.push(`${name}: ${value}`);
    text = foldForSearch(lines.join('\n'));
    foldedHeaderTexts.set(content, text);
  }
  return text;
}

function searchDay(date: string): number {
  const day = dayNumber(date);
  if (day === null) throw badSyntax(`not a date: ${date}`);
  return day;
}

function compareDays(day: number, op: 'before' | 'on' | 'since', wanted: number): boolean {
  switch (op) {
    case 'before':
      return day < wanted;
    case 'on':
      return day === wanted;
    case 'since':
      return day >= wanted;
    default: {
      const unknown: never = op;
      throw badSyntax(`unknown date comparison ${String(unknown)}`);
    }
  }
}
