/**
 * RFC 5322 §3.4 address lists, read into the address structures of the IMAP
 * ENVELOPE (RFC 9051 §7.5.2): (name adl mailbox host), with a group as
 * (NIL NIL group NIL) … (NIL NIL NIL NIL). The obsolete syntax of RFC 5322
 * §4.4 is accepted (routes, empty list elements, CFWS anywhere). Values are
 * latin1 strings and are not decoded: encoded words stay as sent. Garbage
 * never throws; what cannot be read as an address is skipped up to the next
 * comma.
 */

export interface EnvelopeAddress {
  /** The display name (quotes and escapes removed), or the comment of "a@b (Name)"; null when none. */
  name: string | null;
  /** The obsolete source route ("@a,@b"); null when none. */
  adl: string | null;
  /** The local part; for a group start the group's name; null for a group end. */
  mailbox: string | null;
  /** The domain; null for a missing domain, a group start and a group end. */
  host: string | null;
}

const GROUP_END: EnvelopeAddress = { name: null, adl: null, mailbox: null, host: null };

type TokenKind = 'word' | 'comment' | 'literal' | 'special';

interface Token {
  kind: TokenKind;
  /** A word's text (a quoted string unquoted), a comment's inner text, a literal with its brackets, a special. */
  text: string;
  /** White space or a comment came before it (so a display name keeps its spaces). */
  spaced: boolean;
}

const SPECIALS = '<>:;@,.';
const WHITESPACE = ' \t\r\n';
/** Characters that end an atom. */
const ATOM_END = `${SPECIALS}${WHITESPACE}"([`;

/** A quoted string or comment body: escapes removed; `close` ends it unless it nests (comments). */
function readDelimited(text: string, start: number, close: string): { value: string; end: number } {
  let value = '';
  let depth = 1;
  let i = start + 1;
  for (; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === '\\') {
      value += text[++i] ?? '';
      continue;
    }
    if (close === ')' && char === '(') depth++;
    else if (char === close && --depth === 0) return { value, end: i + 1 };
    value += char;
  }
  return { value, end: i };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let spaced = false;
  let i = 0;
  const push = (kind: TokenKind, value: string, end: number) => {
    tokens.push({ kind, text: value, spaced });
    spaced = kind === 'comment';
    i = end;
  };
  while (i < text.length) {
    const char = text[i] ?? '';
    if (WHITESPACE.includes(char)) {
      spaced = true;
      i++;
    } else if (char === '"') {
      const quoted = readDelimited(text, i, '"');
      push('word', quoted.value, quoted.end);
    } else if (char === '(') {
      const comment = readDelimited(text, i, ')');
      push('comment', comment.value.trim(), comment.end);
    } else if (char === '[') {
      const close = text.indexOf(']', i);
      const end = close === -1 ? text.length : close + 1;
      push('literal', text.slice(i, end), end);
    } else if (SPECIALS.includes(char)) {
      push('special', char, i + 1);
    } else {
      let end = i + 1;
      while (end < text.length && !ATOM_END.includes(text[end] ?? '')) end++;
      push('word', text.slice(i, end), end);
    }
  }
  return tokens;
}

function isSpecial(token: Token | undefined, char: string): boolean {
  return token?.kind === 'special' && token.text === char;
}

/** Words, dots and domain literals: the material of phrases, local parts and domains. */
function isWordLike(token: Token): boolean {
  return token.kind === 'word' || token.kind === 'literal' || isSpecial(token, '.');
}

interface Run {
  /** Joined as a display name: one space where the sender had space. */
  spacedText: string;
  /** Joined as a local part or domain: no spaces. */
  tightText: string;
  /** The first comment in it. */
  comment: string | null;
  /** The token after it. */
  next: number;
}

/**
 * A run of words, dots, literals and comments from `start`. A dotted run
 * (a local part or domain: word *("." word)) ends at a word that follows a
 * word, so "a@b.example c@d.example" does not glue the two together.
 */
function readRun(tokens: Token[], start: number, dotted = false): Run {
  const run: Run = { spacedText: '', tightText: '', comment: null, next: start };
  let afterWord = false;
  for (; run.next < tokens.length; run.next++) {
    const token = tokens[run.next];
    if (!token) break;
    if (token.kind === 'comment') {
      run.comment ??= token.text === '' ? null : token.text;
      continue;
    }
    if (!isWordLike(token)) break;
    const word = token.kind !== 'special';
    if (dotted && word && afterWord) break;
    afterWord = word;
    run.spacedText += (token.spaced && run.spacedText !== '' ? ' ' : '') + token.text;
    run.tightText += token.text;
  }
  return run;
}

/** RFC 5322 §4.4 obs-route inside angle brackets: "@a,@b:"; null when there is none. */
function readRoute(tokens: Token[], start: number): { adl: string; next: number } | null {
  if (!isSpecial(tokens[start], '@')) return null;
  let adl = '';
  for (let j = start; j < tokens.length; j++) {
    const token = tokens[j];
    if (!token || isSpecial(token, '>') || isSpecial(token, '<') || isSpecial(token, ';')) return null;
    if (isSpecial(token, ':')) return { adl, next: j + 1 };
    if (token.kind !== 'comment') adl += token.text;
  }
  return null;
}

/** "<[route:]local@domain>" from just after the "<"; the ">" may be missing. */
function readAngle(
  tokens: Token[],
  start: number,
  name: string | null,
): { address: EnvelopeAddress | null; next: number } {
  const route = readRoute(tokens, start);
  const local = readRun(tokens, route ? route.next : start, true);
  let next = local.next;
  let domain = '';
  if (isSpecial(tokens[next], '@')) {
    const run = readRun(tokens, next + 1, true);
    domain = run.tightText;
    next = run.next;
  }
  if (isSpecial(tokens[next], '>')) next++;
  // "<>" (the null reverse path) names no one.
  if (local.tightText === '' && domain === '') return { address: null, next };
  return { address: { name, adl: route?.adl ?? null, mailbox: local.tightText, host: domain || null }, next };
}

/** One element of the list from `start` (not a separator); the index of what follows it. */
function readElement(
  tokens: Token[],
  start: number,
  inGroup: boolean,
): { address: EnvelopeAddress | null; groupStart: boolean; next: number } {
  const phrase = readRun(tokens, start);
  const stop = tokens[phrase.next];
  // A group needs a name: a lone ":" is junk.
  if (isSpecial(stop, ':') && !inGroup && phrase.spacedText !== '') {
    return {
      address: { name: null, adl: null, mailbox: phrase.spacedText, host: null },
      groupStart: true,
      next: phrase.next + 1,
    };
  }
  if (isSpecial(stop, '<')) {
    const angle = readAngle(tokens, phrase.next + 1, phrase.spacedText || null);
    return { address: angle.address, groupStart: false, next: angle.next };
  }
  if (isSpecial(stop, '@')) {
    const domain = readRun(tokens, phrase.next + 1, true);
    const address: EnvelopeAddress = {
      name: domain.comment ?? phrase.comment,
      adl: null,
      mailbox: phrase.tightText,
      host: domain.tightText || null,
    };
    const empty = address.mailbox === '' && address.host === null;
    return { address: empty ? null : address, groupStart: false, next: domain.next };
  }
  // A bare word with no domain ("undisclosed-recipients" without its colon): a mailbox without host.
  const address =
    phrase.spacedText !== ''
      ? { name: phrase.comment, adl: null, mailbox: phrase.spacedText, host: null }
      : null;
  return { address, groupStart: false, next: phrase.next };
}

/** The addresses of an address-list field value, groups marked as ENVELOPE marks them. */
export function parseAddressList(value: string): EnvelopeAddress[] {
  const tokens = tokenize(value);
  const addresses: EnvelopeAddress[] = [];
  let inGroup = false;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i];
    if (isSpecial(token, ',')) {
      i++;
      continue;
    }
    if (isSpecial(token, ';')) {
      if (inGroup) addresses.push({ ...GROUP_END });
      inGroup = false;
      i++;
      continue;
    }
    const element = readElement(tokens, i, inGroup);
    if (element.address) addresses.push(element.address);
    if (element.groupStart) {
      inGroup = true;
      i = element.next;
      continue;
    }
    // Whatever follows an address up to the next separator is junk (token i is no separator: this moves on).
    let next = element.next;
    while (next < tokens.length && !isSpecial(tokens[next], ',') && !isSpecial(tokens[next], ';')) next++;
    i = next;
  }
  // RFC 5322 §3.4: a group missing its ";" still ends.
  if (inGroup) addresses.push({ ...GROUP_END });
  return addresses;
}
