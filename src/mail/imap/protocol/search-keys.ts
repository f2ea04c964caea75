/**
 * SEARCH's grammar (RFC 9051 §6.4.4 search-program and search-key, with
 * RFC 3501's NEW/OLD/RECENT, RFC 7162 §3.1.5 MODSEQ, RFC 5032 WITHIN), the
 * RETURN options of ESEARCH (RFC 4731, RFC 5182 SAVE) and the criteria of
 * SORT (RFC 5256). Search strings are decoded with the CHARSET the command
 * named.
 */
import type { SearchKey, SearchReturn, SortCriterion } from './ast.ts';
import { parseSearchDate } from './date-time.ts';
import { readSequenceSet } from './sequence-set.ts';
import {
  CharClass,
  CLOSE_PAREN,
  CommandSyntaxError,
  decodeUtf8,
  DQUOTE,
  isClass,
  MAX_NUMBER,
  MAX_NUMBER64,
  OPEN_PAREN,
  quote,
  SP,
  type Tokenizer,
} from './tokenizer.ts';

/**
 * Nesting of parentheses, NOT and OR. Clients build OR chains a few dozen
 * deep; a bound keeps a hostile one from exhausting the stack.
 */
export const MAX_SEARCH_DEPTH = 1000;

/** RFC 9051 §7.1 BADCHARSET: the charsets every client may rely on. */
export const BADCHARSET = 'BADCHARSET (UTF-8 US-ASCII)';

type Decode = (bytes: Buffer, what: string) => string;

export interface Charset {
  /** The CHARSET as named, upper-cased ("UTF-8", "ISO-2022-JP"). */
  name: string;
  decode: Decode;
}

export interface SearchProgram {
  charset: string;
  key: SearchKey;
}

const UTF8: Charset = { name: 'UTF-8', decode: decodeUtf8 };

/**
 * A CHARSET label to its decoder. US-ASCII and UTF-8 are required (RFC 9051
 * §6.4.4); US-ASCII is read as UTF-8, its superset, since clients that say
 * US-ASCII do send 8-bit. Any other label the WHATWG Encoding Standard knows
 * (ISO-2022-JP, Shift_JIS, EUC-JP, KOI8-R…) is decoded by TextDecoder.
 */
export function charsetNamed(label: string): Charset {
  const name = label.toUpperCase();
  if (name === 'UTF-8' || name === 'US-ASCII') return { name, decode: decodeUtf8 };
  let decoder: { decode(bytes: Buffer): string };
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  } catch {
    throw new CommandSyntaxError(`unknown charset ${quote(label)}`, 'NO', BADCHARSET);
  }
  const decode: Decode = (bytes, what) => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw new CommandSyntaxError(`${what} is not valid ${name}`);
    }
  };
  return { name, decode };
}

/** RFC 9051 §9 charset = atom / quoted. */
export function readCharset(tokens: Tokenizer): Charset {
  const label =
    tokens.peek() === DQUOTE ? decodeUtf8(tokens.quoted('charset'), 'charset') : tokens.atom('charset');
  return charsetNamed(label);
}

/**
 * RFC 9051 §9 search-program = ["CHARSET" SP charset SP] search-key *(SP search-key);
 * SORT and THREAD (RFC 5256) name the charset without the CHARSET keyword, and must.
 */
export function readSearchProgram(tokens: Tokenizer, charsetRequired = false): SearchProgram {
  let charset = UTF8;
  if (charsetRequired) {
    charset = readCharset(tokens);
    tokens.space('search key');
  } else if (tokens.skipKeyword('CHARSET')) {
    tokens.space('charset');
    charset = readCharset(tokens);
    tokens.space('search key');
  }
  const keys = [readSearchKey(tokens, charset.decode, 0)];
  while (tokens.separator()) keys.push(readSearchKey(tokens, charset.decode, 0));
  return { charset: charset.name, key: keys.length === 1 ? keys[0]! : { kind: 'and', keys } };
}

const FLAG_KEYS: Record<string, [flag: string, set: boolean]> = {
  ANSWERED: ['\\Answered', true],
  UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true],
  UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true],
  UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true],
  UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true],
  UNSEEN: ['\\Seen', false],
};

const HEADER_KEYS: Record<string, string> = {
  BCC: 'bcc',
  CC: 'cc',
  FROM: 'from',
  SUBJECT: 'subject',
  TO: 'to',
};

type DateKind = 'internaldate' | 'sentdate';
type DateOp = 'before' | 'on' | 'since';
const DATE_KEYS: Record<string, [kind: DateKind, op: DateOp]> = {
  BEFORE: ['internaldate', 'before'],
  ON: ['internaldate', 'on'],
  SINCE: ['internaldate', 'since'],
  SENTBEFORE: ['sentdate', 'before'],
  SENTON: ['sentdate', 'on'],
  SENTSINCE: ['sentdate', 'since'],
};

/** A table entry, never one inherited from Object.prototype. */
function own<T>(table: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** RFC 9051 §9 search-key. */
function readSearchKey(tokens: Tokenizer, decode: Decode, depth: number): SearchKey {
  if (depth > MAX_SEARCH_DEPTH) throw new CommandSyntaxError('search keys nested too deeply');
  if (tokens.skip(OPEN_PAREN)) {
    const keys = [readSearchKey(tokens, decode, depth + 1)];
    while (tokens.skip(SP)) keys.push(readSearchKey(tokens, decode, depth + 1));
    tokens.expect(CLOSE_PAREN, '")" closing the search key group');
    return keys.length === 1 ? keys[0]! : { kind: 'and', keys };
  }
  if (isClass(tokens.peek(), CharClass.sequence)) return { kind: 'seq', set: readSequenceSet(tokens) };
  const name = tokens.keyword('search key');
  const flag = own(FLAG_KEYS, name);
  if (flag) return { kind: 'flag', flag: flag[0], set: flag[1] };
  const field = own(HEADER_KEYS, name);
  if (field) {
    tokens.space(`${name} value`);
    return { kind: 'header', field, value: decode(tokens.astring(`${name} value`), `${name} value`) };
  }
  const date = own(DATE_KEYS, name);
  if (date) {
    tokens.space(`${name} date`);
    return { kind: date[0], op: date[1], date: readDate(tokens, `${name} date`) };
  }
  return readOtherKey(tokens, name, decode, depth);
}

function readOtherKey(tokens: Tokenizer, name: string, decode: Decode, depth: number): SearchKey {
  switch (name) {
    case 'ALL':
      return { kind: 'all' };
    case 'NEW':
      return { kind: 'new' };
    case 'OLD':
      return { kind: 'old' };
    case 'RECENT':
      return { kind: 'recent', set: true };
    case 'KEYWORD':
    case 'UNKEYWORD':
      tokens.space('keyword');
      return { kind: 'flag', flag: tokens.atom('keyword'), set: name === 'KEYWORD' };
    case 'HEADER': {
      tokens.space('header field name');
      const field = decode(tokens.astring('header field name'), 'header field name').toLowerCase();
      tokens.space('header value');
      return { kind: 'header', field, value: decode(tokens.astring('header value'), 'header value') };
    }
    case 'BODY':
    case 'TEXT': {
      const what = `${name} value`;
      tokens.space(what);
      return { kind: name === 'BODY' ? 'body' : 'text', value: decode(tokens.astring(what), what) };
    }
    case 'LARGER':
    case 'SMALLER':
      tokens.space(`${name} size`);
      return {
        kind: 'size',
        op: name === 'LARGER' ? 'larger' : 'smaller',
        size: tokens.number(`${name} size`, MAX_NUMBER64),
      };
    case 'UID':
      tokens.space('UID set');
      return { kind: 'uid', set: readSequenceSet(tokens, { what: 'UID set' }) };
    case 'MODSEQ':
      return { kind: 'modseq', modseq: readModseqKey(tokens) };
    case 'OLDER':
    case 'YOUNGER': {
      // RFC 5032 §2: OLDER / YOUNGER SP nz-number (seconds)
      tokens.space(`${name} interval`);
      const seconds = tokens.number(`${name} interval`, MAX_NUMBER, true);
      return { kind: name === 'OLDER' ? 'older' : 'younger', seconds };
    }
    case 'NOT':
      tokens.space('key after NOT');
      return { kind: 'not', key: readSearchKey(tokens, decode, depth + 1) };
    case 'OR': {
      tokens.space('first key of OR');
      const left = readSearchKey(tokens, decode, depth + 1);
      tokens.space('second key of OR');
      return { kind: 'or', left, right: readSearchKey(tokens, decode, depth + 1) };
    }
    default:
      throw new CommandSyntaxError(`unknown search key ${quote(name)}`);
  }
}

/** RFC 9051 §9 date = date-text / DQUOTE date-text DQUOTE, as "YYYY-MM-DD". */
function readDate(tokens: Tokenizer, what: string): string {
  const text = tokens.peek() === DQUOTE ? tokens.quoted(what).toString('latin1') : tokens.atom(what);
  const date = parseSearchDate(text);
  if (date === undefined)
    throw new CommandSyntaxError(`invalid ${what} "${quote(text)}" (a date is like 1-Feb-1994)`);
  return date;
}

/**
 * RFC 7162 §3.1.5: "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer.
 * The entry name ("/flags/\draft") and type (priv, shared, all) are checked and ignored:
 * one mod-sequence covers all of a message's metadata here.
 */
function readModseqKey(tokens: Tokenizer): number {
  tokens.space('MODSEQ value');
  if (tokens.peek() === DQUOTE) {
    const entry = decodeUtf8(tokens.quoted('MODSEQ entry name'), 'MODSEQ entry name');
    if (!entry.toLowerCase().startsWith('/flags/') || entry.length === '/flags/'.length) {
      throw new CommandSyntaxError(`invalid MODSEQ entry name "${quote(entry)}"`);
    }
    tokens.space('MODSEQ entry type');
    const type = tokens.keyword('MODSEQ entry type');
    if (type !== 'PRIV' && type !== 'SHARED' && type !== 'ALL') {
      throw new CommandSyntaxError(`invalid MODSEQ entry type ${quote(type)}`);
    }
    tokens.space('MODSEQ value');
  }
  return tokens.number('MODSEQ value', MAX_NUMBER64);
}

const RETURN_OPTIONS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE'] satisfies SearchReturn[]);

/**
 * RFC 4731 §3.1 search-return-opts after "RETURN" SP: "(" [option *(SP option)] ")".
 * An empty list means ALL.
 */
export function readSearchReturn(tokens: Tokenizer): SearchReturn[] {
  tokens.expect(OPEN_PAREN, 'RETURN options');
  if (tokens.skip(CLOSE_PAREN)) return ['ALL'];
  const options: SearchReturn[] = [];
  do {
    const option = tokens.keyword('RETURN option');
    if (!RETURN_OPTIONS.has(option)) throw new CommandSyntaxError(`unknown RETURN option ${quote(option)}`);
    if (!options.includes(option as SearchReturn)) options.push(option as SearchReturn);
  } while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the RETURN options');
  return options;
}

const SORT_KEYS = new Set<string>([
  'ARRIVAL',
  'CC',
  'DATE',
  'FROM',
  'SIZE',
  'SUBJECT',
  'TO',
] satisfies SortCriterion['key'][]);

/** RFC 5256 §5 sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"; sort-criterion = ["REVERSE" SP] sort-key. */
export function readSortCriteria(tokens: Tokenizer): SortCriterion[] {
  tokens.expect(OPEN_PAREN, 'sort criteria');
  const criteria: SortCriterion[] = [];
  do {
    const reverse = tokens.skipKeyword('REVERSE');
    if (reverse) tokens.space('sort key after REVERSE');
    const key = tokens.keyword('sort key');
    if (!SORT_KEYS.has(key)) throw new CommandSyntaxError(`unknown sort key ${quote(key)}`);
    criteria.push({ key: key as SortCriterion['key'], reverse });
  } while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the sort criteria');
  return criteria;
}
