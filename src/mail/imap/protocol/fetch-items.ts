/**
 * FETCH's data items and modifiers (RFC 9051 §6.4.5, RFC 3516 BINARY,
 * RFC 7162 §3.1.4 CHANGEDSINCE and §3.2.6 VANISHED).
 */
import type { FetchItem, FetchModifiers, Partial, SectionSpec } from './ast.ts';
import {
  CLOSE_PAREN,
  CommandSyntaxError,
  MAX_NUMBER,
  MAX_NUMBER64,
  OPEN_PAREN,
  SP,
  type Tokenizer,
} from './tokenizer.ts';

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LESS = 0x3c;
const GREATER = 0x3e;
const DOT = 0x2e;

/** RFC 9051 §6.4.5 macros, valid only alone (not inside a list). */
const MACROS: Record<string, FetchItem[]> = {
  ALL: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }, { kind: 'ENVELOPE' }],
  FAST: [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }],
  FULL: [
    { kind: 'FLAGS' },
    { kind: 'INTERNALDATE' },
    { kind: 'RFC822.SIZE' },
    { kind: 'ENVELOPE' },
    { kind: 'BODY' },
  ],
};

/** Items that take no section. */
const SIMPLE = new Set([
  'UID',
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'MODSEQ',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
] as const);

type SimpleKind = typeof SIMPLE extends Set<infer K> ? K : never;

/** A problem inside one item; `unknown` when the name or section text is not one IMAP has. */
class ItemError extends Error {
  readonly unknown: boolean;

  constructor(message: string, unknown = false) {
    super(message);
    this.unknown = unknown;
  }
}

function isNameChar(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === DOT
  );
}

/** RFC 9051 §9 fetch: "ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")". */
export function readFetchItems(tokens: Tokenizer): FetchItem[] {
  if (tokens.skip(OPEN_PAREN)) {
    const items: FetchItem[] = [];
    do items.push(readItem(tokens));
    while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the item list');
    return items;
  }
  for (const [name, items] of Object.entries(MACROS)) {
    if (tokens.skipKeyword(name)) return items.map((item) => ({ ...item }));
  }
  return [readItem(tokens)];
}

function readItem(tokens: Tokenizer): FetchItem {
  const mark = tokens.mark();
  const name = tokens.runWhile(isNameChar).toUpperCase();
  if (name === '') tokens.fail('fetch item');
  try {
    return readNamedItem(tokens, name);
  } catch (error) {
    if (!(error instanceof ItemError) && !(error instanceof CommandSyntaxError)) throw error;
    const sent = tokens.textFrom(mark, tokens.itemEnd(mark));
    if (error instanceof ItemError && error.unknown) throw new CommandSyntaxError(`unknown item ${sent}`);
    throw new CommandSyntaxError(`invalid item ${sent}: ${error.message}`);
  }
}

function readNamedItem(tokens: Tokenizer, name: string): FetchItem {
  if (Object.hasOwn(MACROS, name)) throw new ItemError(`the macro ${name} cannot be part of a list`);
  const bracket = tokens.peek() === OPEN_BRACKET;
  if (SIMPLE.has(name as SimpleKind) && !bracket) return { kind: name as SimpleKind };
  switch (name) {
    case 'BODY':
    case 'BODY.PEEK': {
      if (!bracket) {
        if (name === 'BODY') return { kind: 'BODY' };
        throw new ItemError('BODY.PEEK needs a section: BODY.PEEK[…]');
      }
      const section = readSection(tokens);
      return withPartial({ kind: 'BODY[]', section, peek: name === 'BODY.PEEK' }, readPartial(tokens));
    }
    case 'BINARY':
    case 'BINARY.PEEK':
    case 'BINARY.SIZE': {
      if (!bracket) throw new ItemError(`${name} needs a part: ${name}[…]`);
      const part = readBinaryPart(tokens);
      if (name === 'BINARY.SIZE') return { kind: 'BINARY.SIZE', part };
      return withPartial({ kind: 'BINARY[]', part, peek: name === 'BINARY.PEEK' }, readPartial(tokens));
    }
    default:
      throw new ItemError('not an item name', true);
  }
}

function withPartial<T extends FetchItem & { partial?: Partial }>(item: T, partial: Partial | undefined): T {
  if (partial) item.partial = partial;
  return item;
}

/** RFC 9051 §9 section = "[" [section-spec] "]". */
function readSection(tokens: Tokenizer): SectionSpec {
  tokens.expect(OPEN_BRACKET, '"["');
  if (tokens.skip(CLOSE_BRACKET)) return { part: [] };
  const words = tokens.runWhile(isNameChar).split('.');
  const part = partNumbers(words);
  const rest = words.slice(part.length);
  if (rest.includes('')) throw new ItemError('empty section', true);
  const textName = rest.join('.').toUpperCase();
  const section: SectionSpec = { part };
  switch (textName) {
    case '':
      break;
    case 'HEADER':
    case 'TEXT':
      section.text = { kind: textName };
      break;
    case 'MIME':
      // RFC 9051 §6.4.5: MIME is the header of a body part, so it needs a part number.
      if (part.length === 0) throw new ItemError('MIME needs a part number (BODY[1.MIME])');
      section.text = { kind: 'MIME' };
      break;
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
      tokens.space('header field list');
      section.text = {
        kind: 'HEADER.FIELDS',
        fields: readHeaderList(tokens),
        not: textName.endsWith('.NOT'),
      };
      break;
    default:
      throw new ItemError('unknown section', true);
  }
  tokens.expect(CLOSE_BRACKET, '"]" closing the section');
  return section;
}

/** The leading "1.2.3" of a section as numbers (RFC 9051 §9 section-part: nz-number *("." nz-number)). */
function partNumbers(words: string[]): number[] {
  const part: number[] = [];
  for (const word of words) {
    if (!/^[0-9]+$/.test(word)) break;
    const value = Number(word);
    if (value === 0 || value > MAX_NUMBER) throw new ItemError(`part number ${word} is out of range`);
    part.push(value);
  }
  return part;
}

/** RFC 9051 §9 section-binary = "[" [section-part] "]". */
function readBinaryPart(tokens: Tokenizer): number[] {
  tokens.expect(OPEN_BRACKET, '"["');
  if (tokens.skip(CLOSE_BRACKET)) return [];
  const words = tokens.runWhile(isNameChar).split('.');
  const part = partNumbers(words);
  if (part.length !== words.length) throw new ItemError('BINARY takes only a part number', true);
  tokens.expect(CLOSE_BRACKET, '"]" closing the part');
  return part;
}

/** RFC 9051 §9 header-list = "(" header-fld-name *(SP header-fld-name) ")"; names are astrings. */
function readHeaderList(tokens: Tokenizer): string[] {
  tokens.expect(OPEN_PAREN, 'header field list');
  const fields: string[] = [];
  do fields.push(tokens.astringText('header field name'));
  while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the header field list');
  return fields;
}

/** RFC 9051 §9 partial = "<" number64 "." nz-number64 ">". */
function readPartial(tokens: Tokenizer): Partial | undefined {
  if (!tokens.skip(LESS)) return undefined;
  const offset = tokens.number('partial offset', MAX_NUMBER64);
  tokens.expect(DOT, '"." in the partial range');
  const length = tokens.number('partial length', MAX_NUMBER64, true);
  tokens.expect(GREATER, '">" closing the partial range');
  return { offset, length };
}

/**
 * RFC 7162 §3.1.4.1 / §3.2.6: fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
 * with CHANGEDSINCE mod-sequence-value and VANISHED (UID FETCH with CHANGEDSINCE only).
 */
export function readFetchModifiers(tokens: Tokenizer, uid: boolean): FetchModifiers {
  tokens.expect(OPEN_PAREN, 'fetch modifiers');
  const modifiers: FetchModifiers = {};
  do {
    const name = tokens.keyword('fetch modifier');
    if (name === 'CHANGEDSINCE' && modifiers.changedSince === undefined) {
      tokens.space('CHANGEDSINCE mod-sequence');
      modifiers.changedSince = tokens.number('CHANGEDSINCE mod-sequence', MAX_NUMBER64);
    } else if (name === 'VANISHED' && !modifiers.vanished) {
      modifiers.vanished = true;
    } else {
      throw new CommandSyntaxError(`unknown or repeated fetch modifier ${name}`);
    }
  } while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the fetch modifiers');
  if (modifiers.vanished && (!uid || modifiers.changedSince === undefined)) {
    throw new CommandSyntaxError('VANISHED needs UID FETCH and CHANGEDSINCE (RFC 7162 §3.2.6)');
  }
  return modifiers;
}
