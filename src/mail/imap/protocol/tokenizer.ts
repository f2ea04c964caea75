/**
 * A cursor over one command frame (text pieces and literals, as the
 * CommandReader framed them). IMAP's lexical classes depend on where the
 * grammar is ("]" is an astring char, "*" a list wildcard, "[" starts a
 * fetch section), so the grammar asks for the token it expects at each
 * point (atom, astring, number…) and this reads exactly that, byte by byte,
 * without regular expressions. Every failure throws CommandSyntaxError,
 * which parseCommand turns into a tagged BAD.
 */
import type { CommandFrame } from './command-reader.ts';

export const SP = 0x20;
export const DQUOTE = 0x22;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
const BACKSLASH = 0x5c;
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/** RFC 9051 §9 number and nz-number: unsigned 32-bit. */
export const MAX_NUMBER = 0xffff_ffff;
/**
 * RFC 9051 §9 number64 and RFC 7162 mod-sequence-value are 63-bit; numbers
 * here are JavaScript numbers, exact up to 2^53 - 1, and larger ones are refused.
 */
export const MAX_NUMBER64 = Number.MAX_SAFE_INTEGER;

/** Character classes of RFC 9051 §9, as bit flags in one table. */
export const CharClass = {
  /** ATOM-CHAR: any CHAR except atom-specials. */
  atom: 1,
  /** ASTRING-CHAR = ATOM-CHAR / resp-specials ("]"). */
  astring: 2,
  /** tag = 1*<any ASTRING-CHAR except "+">. */
  tag: 4,
  /** list-char = ATOM-CHAR / list-wildcards / resp-specials. */
  list: 8,
  /** Characters of a sequence set: digits, ":", ",", "*" and "$" (RFC 5182). */
  sequence: 16,
  /** DIGIT */
  digit: 32,
} as const;

const classes = buildClasses();

function buildClasses(): Uint8Array {
  const { atom, astring, tag, list, sequence, digit } = CharClass;
  const table = new Uint8Array(256);
  // RFC 9051 §9 atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
  const atomSpecials = '(){ %*"\\]';
  for (let byte = 0x21; byte < 0x7f; byte++) {
    if (!atomSpecials.includes(String.fromCharCode(byte))) table[byte] = atom | astring | tag | list;
  }
  const add = (chars: string, flags: number): void => {
    for (const char of chars) table[char.charCodeAt(0)]! |= flags;
  };
  add(']', astring | tag | list);
  add('%*', list);
  add('0123456789', sequence | digit);
  add(':,*$', sequence);
  table[0x2b]! &= ~tag; // "+" starts a continuation, never a tag
  return table;
}

export function isClass(byte: number, charClass: number): boolean {
  return byte >= 0 && ((classes[byte] ?? 0) & charClass) !== 0;
}

/**
 * A command that does not parse. `status` is BAD for syntax; NO with a code
 * for a well-formed request the server will not serve (NO [BADCHARSET]).
 */
export class CommandSyntaxError extends Error {
  readonly status: 'BAD' | 'NO';
  readonly code: string | undefined;

  constructor(message: string, status: 'BAD' | 'NO' = 'BAD', code?: string) {
    super(message);
    this.name = 'CommandSyntaxError';
    this.status = status;
    this.code = code;
  }
}

export interface LiteralChunk {
  bytes: Buffer;
  binary: boolean;
}

/** A place in the frame, to quote what the client sent in a message. */
export interface Mark {
  index: number;
  offset: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as a string: ASCII fast, UTF-8 otherwise; invalid UTF-8 is a syntax error naming `what`. */
export function decodeUtf8(bytes: Buffer, what: string): string {
  let ascii = true;
  for (const byte of bytes) {
    if (byte >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return bytes.toString('latin1');
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CommandSyntaxError(`${what} is not valid UTF-8`);
  }
}

/** Shown in messages: the client's bytes, printable ASCII only, cut short. */
export function quote(bytes: Buffer | string): string {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  let shown = '';
  for (const char of text.slice(0, 40)) {
    const code = char.charCodeAt(0);
    shown += code >= 0x20 && code < 0x7f ? char : '?';
  }
  return text.length > 40 ? `${shown}…` : shown;
}

export class Tokenizer {
  /** Text pieces; texts[i] is followed by literals[i] (none after the last). */
  readonly #texts: Buffer[] = [];
  readonly #literals: LiteralChunk[] = [];
  #index = 0;
  #text: Buffer;
  #offset = 0;

  constructor(frame: CommandFrame) {
    let pending: Buffer[] = [];
    const joined = (): Buffer => (pending.length === 1 ? pending[0]! : Buffer.concat(pending));
    for (const chunk of frame.chunks) {
      if (chunk.kind === 'text') {
        pending.push(chunk.bytes);
        continue;
      }
      this.#texts.push(joined());
      this.#literals.push({ bytes: chunk.bytes, binary: chunk.binary });
      pending = [];
    }
    this.#texts.push(joined());
    this.#text = this.#texts[0]!;
  }

  /** The byte under the cursor, or -1 at the end of a text piece (before a literal or at the end). */
  peek(ahead = 0): number {
    return this.#text[this.#offset + ahead] ?? -1;
  }

  /** At the end of the command. */
  atEnd(): boolean {
    return this.#offset >= this.#text.length && this.#index === this.#texts.length - 1;
  }

  /** At a literal (a string sent as {n}). */
  atLiteral(): boolean {
    return this.#offset >= this.#text.length && this.#index < this.#texts.length - 1;
  }

  mark(): Mark {
    return { index: this.#index, offset: this.#offset };
  }

  /** What the client sent from `mark` up to the cursor (or the end of that text piece). */
  textFrom(mark: Mark, end?: number): string {
    const text = this.#texts[mark.index] ?? Buffer.alloc(0);
    const stop = end ?? (mark.index === this.#index ? this.#offset : text.length);
    return text.toString('latin1', mark.offset, stop);
  }

  /**
   * Where the item that starts at `mark` ends: the next SP or ")" outside
   * brackets, within the same text piece. For messages about fetch items.
   */
  itemEnd(mark: Mark): number {
    const text = this.#texts[mark.index] ?? Buffer.alloc(0);
    let depth = 0;
    let at = mark.offset;
    for (; at < text.length; at++) {
      const byte = text[at];
      if (byte === 0x5b) depth++;
      else if (byte === 0x5d) depth--;
      else if (depth <= 0 && (byte === SP || byte === CLOSE_PAREN)) break;
    }
    return at;
  }

  /** Throws: "missing WHAT" at the end, else "invalid WHAT" with what the client sent. */
  fail(what: string): never {
    if (this.atEnd()) throw new CommandSyntaxError(`missing ${what}`);
    if (this.atLiteral()) throw new CommandSyntaxError(`unexpected literal where ${what} was expected`);
    throw new CommandSyntaxError(`invalid ${what} "${this.#sent()}"`);
  }

  /** What the client sent at the cursor, up to the next SP, for messages. */
  #sent(): string {
    let end = this.#offset + 1;
    while (end < this.#text.length && this.#text[end] !== SP && end - this.#offset < 40) end++;
    return quote(this.#text.subarray(this.#offset, end));
  }

  /** Consumes `byte` if it is next. */
  skip(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.#offset++;
    return true;
  }

  /** Consumes `byte` or fails naming `what`. */
  expect(byte: number, what: string): void {
    if (!this.skip(byte)) this.fail(what);
  }

  /** One SP before `what` (RFC 9051 §9: arguments are separated by exactly one SP). */
  space(what: string): void {
    if (this.skip(SP)) return;
    if (this.atEnd() || this.atLiteral()) this.fail(what);
    throw new CommandSyntaxError(`expected SP before ${what}, not "${this.#sent()}"`);
  }

  /**
   * Consumes the SP before a further argument; false (consuming nothing)
   * when none follows: another byte, or only trailing spaces up to the end.
   */
  separator(): boolean {
    if (this.peek() !== SP) return false;
    if (this.#index === this.#texts.length - 1) {
      let at = this.#offset;
      while (this.#text[at] === SP) at++;
      if (at >= this.#text.length) return false;
    }
    this.#offset++;
    return true;
  }

  /** The command must end here (trailing spaces are tolerated, as some clients send them). */
  end(): void {
    while (this.skip(SP));
    if (this.atEnd()) return;
    if (this.atLiteral()) throw new CommandSyntaxError('unexpected literal after the arguments');
    const rest = this.#text.subarray(this.#offset);
    throw new CommandSyntaxError(`unexpected "${quote(rest)}" after the arguments`);
  }

  /** The longest run of bytes of `charClass` (may be empty), as a latin1 string. */
  run(charClass: number): string {
    const start = this.#offset;
    while (isClass(this.#text[this.#offset] ?? -1, charClass)) this.#offset++;
    return this.#text.toString('latin1', start, this.#offset);
  }

  /** The longest run of bytes that pass `test` (may be empty), as a latin1 string. */
  runWhile(test: (byte: number) => boolean): string {
    const start = this.#offset;
    while (this.#offset < this.#text.length && test(this.#text[this.#offset]!)) this.#offset++;
    return this.#text.toString('latin1', start, this.#offset);
  }

  /** RFC 9051 §9 atom. */
  atom(what: string): string {
    const value = this.run(CharClass.atom);
    if (value === '') this.fail(what);
    return value;
  }

  /** An atom upper-cased: command names, keywords, options (all case-insensitive). */
  keyword(what: string): string {
    return this.atom(what).toUpperCase();
  }

  /** Consumes the atom `word` (case-insensitive) if it is next, whole. */
  skipKeyword(word: string): boolean {
    const end = this.#offset + word.length;
    if (end > this.#text.length || isClass(this.#text[end] ?? -1, CharClass.atom)) return false;
    if (this.#text.toString('latin1', this.#offset, end).toUpperCase() !== word) return false;
    this.#offset = end;
    return true;
  }

  /** RFC 9051 §9 number / number64 / nz-number, at most `max`. */
  number(what: string, max: number, nonZero = false): number {
    const start = this.#offset;
    let value = 0;
    while (isClass(this.#text[this.#offset] ?? -1, CharClass.digit)) {
      value = value * 10 + (this.#text[this.#offset]! - 0x30);
      this.#offset++;
      if (value > max) {
        this.#offset = start;
        throw new CommandSyntaxError(`${what} is too large (at most ${max})`);
      }
    }
    if (this.#offset === start) this.fail(what);
    if (nonZero && value === 0) throw new CommandSyntaxError(`${what} must not be 0`);
    return value;
  }

  /** RFC 9051 §4.3 quoted string: "\" escapes only DQUOTE and "\"; no CR, LF or NUL. 8-bit is kept (UTF-8, RFC 6855). */
  quoted(what: string): Buffer {
    this.expect(DQUOTE, what);
    const text = this.#text;
    const start = this.#offset;
    let escaped = false;
    let at = start;
    for (; at < text.length; at++) {
      const byte = text[at]!;
      if (byte === DQUOTE) break;
      if (byte === CR || byte === LF || byte === NUL)
        throw new CommandSyntaxError(`${what}: forbidden octet in a quoted string`);
      if (byte === BACKSLASH) {
        const next = text[at + 1];
        if (next !== DQUOTE && next !== BACKSLASH)
          throw new CommandSyntaxError(`${what}: invalid escape in a quoted string`);
        escaped = true;
        at++;
      }
    }
    if (at >= text.length) throw new CommandSyntaxError(`${what}: unterminated quoted string`);
    this.#offset = at + 1;
    return escaped ? unescape(text.subarray(start, at)) : text.subarray(start, at);
  }

  /** The literal under the cursor; literal8 (~{n}, RFC 3516) only where `binaryAllowed`. */
  literal(what: string, binaryAllowed = false): LiteralChunk {
    if (!this.atLiteral()) this.fail(what);
    const literal = this.#literals[this.#index]!;
    if (literal.binary && !binaryAllowed)
      throw new CommandSyntaxError(`${what}: literal8 is not allowed here`);
    this.#index++;
    this.#text = this.#texts[this.#index]!;
    this.#offset = 0;
    return literal;
  }

  /** RFC 9051 §4.3 string = quoted / literal. A literal string may not hold NUL (CHAR8). */
  string(what: string): Buffer {
    if (this.peek() === DQUOTE) return this.quoted(what);
    const { bytes } = this.literal(what);
    if (bytes.includes(NUL)) throw new CommandSyntaxError(`${what}: NUL in a literal`);
    return bytes;
  }

  /** RFC 9051 §9 astring = 1*ASTRING-CHAR / string. */
  astring(what: string): Buffer {
    if (this.peek() === DQUOTE || this.atLiteral()) return this.string(what);
    const start = this.#offset;
    while (isClass(this.#text[this.#offset] ?? -1, CharClass.astring)) this.#offset++;
    if (this.#offset === start) this.fail(what);
    return this.#text.subarray(start, this.#offset);
  }

  /** An astring decoded as UTF-8. */
  astringText(what: string): string {
    return decodeUtf8(this.astring(what), what);
  }

  /** RFC 9051 §9 list-mailbox = 1*list-char / string, decoded as UTF-8. */
  listMailbox(what: string): string {
    if (this.peek() === DQUOTE || this.atLiteral()) return decodeUtf8(this.string(what), what);
    const value = this.run(CharClass.list);
    if (value === '') this.fail(what);
    return value;
  }

  /** RFC 9051 §9 nstring = string / NIL (an atom is taken as the string itself, leniently). */
  nstring(what: string): string | null {
    if (this.peek() === DQUOTE || this.atLiteral()) return decodeUtf8(this.string(what), what);
    const value = this.astringText(what);
    return value.toUpperCase() === 'NIL' ? null : value;
  }
}

function unescape(bytes: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let at = 0; at < bytes.length; at++) {
    // Validated by quoted(): a backslash is always followed by the octet it escapes.
    if (bytes[at] === BACKSLASH) at++;
    out[length++] = bytes[at]!;
  }
  return out.subarray(0, length);
}
