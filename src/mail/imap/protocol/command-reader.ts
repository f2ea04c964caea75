/**
 * IMAP command framing: bytes in, whole commands out, no I/O (RFC 9051 §2.2,
 * §4.3). A command is a line, unless the line ends with a literal marker —
 * {n} (synchronising), {n+} (non-synchronising, RFC 7888), ~{n} or ~{n+}
 * (literal8, RFC 3516) — in which case n octets follow and the command goes
 * on after them. Every limit is checked before the bytes it guards are
 * buffered, and every decision depends only on the byte stream, never on how
 * it was cut into chunks.
 */
import { CharClass, isClass } from './tokenizer.ts';

export interface ReaderLimits {
  /** One line of a command, without literals. */
  maxLineBytes: number;
  /** A literal in any command but APPEND. */
  maxLiteralBytes: number;
  /** APPEND's message literal (the server passes its APPENDLIMIT, RFC 7889). */
  maxAppendBytes: number;
  /** A whole command with all its literals, except APPEND's message. */
  maxCommandBytes: number;
}

export const DEFAULT_READER_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  maxLineBytes: 64 * 1024,
  maxLiteralBytes: 64 * 1024,
  maxAppendBytes: 25 * 1024 * 1024,
  maxCommandBytes: 1024 * 1024,
});

export type FrameChunk =
  { kind: 'text'; bytes: Buffer } | { kind: 'literal'; bytes: Buffer; binary: boolean };

export interface CommandFrame {
  /** Text pieces and literals in order; text pieces exclude the CRLF and the {n} marker. */
  chunks: FrameChunk[];
}

export type ReaderEvent =
  | { kind: 'frame'; frame: CommandFrame }
  /** A synchronising literal {n} was accepted: the server must now write "+ Ready for literal data". */
  | { kind: 'continue'; size: number }
  /** Refused before reading it: the server writes `${tag ?? '*'} ${status} [${code}] ${message}`. */
  | {
      kind: 'refuse';
      tag?: string;
      status: 'BAD' | 'NO';
      code?: string;
      message: string;
      /** The stream cannot be resynchronised (a non-synchronising literal too large): close after the reply. */
      fatal: boolean;
    };

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
/** Longest literal marker: "~{" + 16 digits + "+}" + CR. */
const MARKER_TAIL = 22;
/** Enough of a line's start to read its tag and command name. */
const HEAD_BYTES = 1024;

interface Marker {
  /** Where the marker starts in the line ("~" or "{"). */
  start: number;
  /** Undefined when the number does not fit a safe integer. */
  size: number | undefined;
  sync: boolean;
  binary: boolean;
}

type Refusal = Omit<Extract<ReaderEvent, { kind: 'refuse' }>, 'kind' | 'tag' | 'fatal'>;

const OUT_OF_RANGE: Refusal = { status: 'BAD', code: 'TOOBIG', message: 'literal size out of range' };

/** Splits a byte stream into command frames; see the comment at the top of the file. */
export class CommandReader {
  #limits: ReaderLimits;
  #mode: 'line' | 'literal' | 'discard' | 'closed' = 'line';
  // The line being read.
  #lineParts: Buffer[] = [];
  #lineBytes = 0;
  // The command being read.
  #chunks: FrameChunk[] = [];
  #storedBytes = 0;
  /** Bytes counted against maxCommandBytes: lines (without LF) and literals, APPEND's message aside. */
  #commandBytes = 0;
  #firstLine = true;
  #tag: string | undefined;
  #isAppend = false;
  // The literal being read.
  #literalParts: Buffer[] = [];
  #literalRemaining = 0;
  #literalBinary = false;
  // A line being discarded, refused once its end arrives.
  #discardTail: Buffer = Buffer.alloc(0);
  #discardRefusal: Refusal | undefined;

  constructor(limits: Partial<ReaderLimits> = {}) {
    this.#limits = { ...DEFAULT_READER_LIMITS, ...limits };
  }

  /** Limits may change after login (APPENDLIMIT per user). */
  setLimits(limits: Partial<ReaderLimits>): void {
    this.#limits = { ...this.#limits, ...limits };
  }

  /** Bytes buffered (for tests / abuse guards). */
  get buffered(): number {
    return this.#lineBytes + this.#storedBytes + sumLength(this.#literalParts);
  }

  /** Forgets everything buffered (after STARTTLS, nothing read before the handshake may count). */
  reset(): void {
    this.#mode = 'line';
    this.#lineParts = [];
    this.#lineBytes = 0;
    this.#literalParts = [];
    this.#literalRemaining = 0;
    this.#discardTail = Buffer.alloc(0);
    this.#discardRefusal = undefined;
    this.#resetCommand();
  }

  feed(chunk: Buffer): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    let at = 0;
    while (at < chunk.length && this.#mode !== 'closed') {
      if (this.#mode === 'literal') {
        at = this.#readLiteral(chunk, at);
        continue;
      }
      const lf = chunk.indexOf(LF, at);
      const end = lf === -1 ? chunk.length : lf;
      const piece = chunk.subarray(at, end);
      at = lf === -1 ? chunk.length : lf + 1;
      if (this.#mode === 'discard') this.#discard(piece, lf !== -1, events);
      else this.#readLine(piece, lf !== -1, events);
    }
    return events;
  }

  #readLine(piece: Buffer, complete: boolean, events: ReaderEvent[]): void {
    this.#lineParts.push(piece);
    this.#lineBytes += piece.length;
    // One octet of slack for the CR that may precede the LF.
    if (this.#lineBytes > this.#limits.maxLineBytes + 1) {
      this.#startDiscard({ status: 'BAD', message: 'line too long' });
    } else if (this.#commandBytes + this.#lineBytes > this.#limits.maxCommandBytes) {
      this.#startDiscard({ status: 'BAD', code: 'TOOBIG', message: 'command too long' });
    }
    if (!complete) return;
    if (this.#mode === 'discard') {
      this.#discard(Buffer.alloc(0), true, events);
      return;
    }
    const raw = Buffer.concat(this.#lineParts);
    this.#lineParts = [];
    this.#lineBytes = 0;
    this.#endLine(raw, events);
  }

  /** The line is over the limit: keep its tag and its last octets (a literal marker), drop the rest. */
  #startDiscard(refusal: Refusal): void {
    if (this.#firstLine) this.#tag = peekTag(head(this.#lineParts, HEAD_BYTES));
    this.#discardTail = tail(this.#lineParts, MARKER_TAIL);
    this.#discardRefusal = refusal;
    this.#lineParts = [];
    this.#lineBytes = 0;
    this.#mode = 'discard';
  }

  #discard(piece: Buffer, complete: boolean, events: ReaderEvent[]): void {
    if (piece.length > 0) this.#discardTail = tail([this.#discardTail, piece], MARKER_TAIL);
    if (!complete) return;
    const refusal = this.#discardRefusal ?? { status: 'BAD', message: 'line too long' };
    const marker = findMarker(stripCr(this.#discardTail));
    this.#discardTail = Buffer.alloc(0);
    this.#discardRefusal = undefined;
    this.#mode = 'line';
    // A synchronising literal after the line is never sent (the client waits for "+");
    // a non-synchronising one is on its way and cannot be told apart from commands.
    this.#refuse(events, refusal, marker !== undefined && !marker.sync);
  }

  #endLine(raw: Buffer, events: ReaderEvent[]): void {
    const line = stripCr(raw);
    if (line.length > this.#limits.maxLineBytes) {
      this.#lineParts = [raw];
      this.#startDiscard({ status: 'BAD', message: 'line too long' });
      this.#discard(Buffer.alloc(0), true, events);
      return;
    }
    if (this.#firstLine) {
      this.#tag = peekTag(line);
      this.#isAppend = this.#tag !== undefined && isAppend(line, this.#tag.length + 1);
    }
    this.#commandBytes += raw.length;
    const marker = findMarker(line);
    if (!marker) {
      this.#pushText(line);
      events.push({ kind: 'frame', frame: { chunks: this.#chunks } });
      this.#resetCommand();
      return;
    }
    const text = line.subarray(0, marker.start);
    const firstText = this.#firstLine;
    this.#pushText(text);
    this.#startLiteral(marker, this.#isAppendMessage(text, firstText), events);
  }

  /** In APPEND, every literal is the message but a mailbox name sent as the first literal. */
  #isAppendMessage(text: Buffer, firstText: boolean): boolean {
    if (!this.#isAppend) return false;
    const mailboxFirst = firstText && text.length === (this.#tag?.length ?? 0) + ' APPEND '.length;
    return !mailboxFirst;
  }

  #startLiteral(marker: Marker, message: boolean, events: ReaderEvent[]): void {
    const size = marker.size;
    const refusal = this.#literalRefusal(size, message, marker.sync);
    if (refusal || size === undefined) {
      // RFC 7888 §4: a non-synchronising literal is already on its way; only closing resynchronises.
      this.#refuse(events, refusal ?? OUT_OF_RANGE, !marker.sync);
      return;
    }
    if (!message) this.#commandBytes += size;
    if (marker.sync) events.push({ kind: 'continue', size });
    this.#literalBinary = marker.binary;
    this.#literalRemaining = size;
    this.#literalParts = [];
    this.#mode = 'literal';
    if (size === 0) this.#endLiteral();
  }

  /** Why a literal of `size` octets is refused before it is read, if it is. */
  #literalRefusal(size: number | undefined, message: boolean, sync: boolean): Refusal | undefined {
    const { maxAppendBytes, maxLiteralBytes, maxCommandBytes } = this.#limits;
    if (size === undefined) return OUT_OF_RANGE;
    if (message) {
      if (size <= maxAppendBytes) return undefined;
      // RFC 7889 §2: a message over APPENDLIMIT is answered NO [TOOBIG].
      const status = sync ? 'NO' : 'BAD';
      return {
        status,
        code: 'TOOBIG',
        message: `message too big: ${size} octets, the limit is ${maxAppendBytes}`,
      };
    }
    if (size > maxLiteralBytes) {
      return {
        status: 'BAD',
        code: 'TOOBIG',
        message: `literal too big: ${size} octets, the limit is ${maxLiteralBytes}`,
      };
    }
    if (this.#commandBytes + size > maxCommandBytes) {
      return {
        status: 'BAD',
        code: 'TOOBIG',
        message: `command too long: the limit is ${maxCommandBytes} octets`,
      };
    }
    return undefined;
  }

  #readLiteral(chunk: Buffer, at: number): number {
    const take = Math.min(this.#literalRemaining, chunk.length - at);
    this.#literalParts.push(chunk.subarray(at, at + take));
    this.#literalRemaining -= take;
    if (this.#literalRemaining === 0) this.#endLiteral();
    return at + take;
  }

  #endLiteral(): void {
    const bytes = Buffer.concat(this.#literalParts);
    this.#literalParts = [];
    this.#chunks.push({ kind: 'literal', bytes, binary: this.#literalBinary });
    this.#storedBytes += bytes.length;
    this.#mode = 'line';
  }

  #pushText(bytes: Buffer): void {
    // `bytes` is part of a Buffer.concat copy, never of the socket's (larger) chunk.
    this.#chunks.push({ kind: 'text', bytes });
    this.#storedBytes += bytes.length;
    this.#firstLine = false;
  }

  #refuse(events: ReaderEvent[], refusal: Refusal, fatal: boolean): void {
    const event: ReaderEvent = { kind: 'refuse', status: refusal.status, message: refusal.message, fatal };
    if (this.#tag !== undefined) event.tag = this.#tag;
    if (refusal.code !== undefined) event.code = refusal.code;
    events.push(event);
    this.#resetCommand();
    if (fatal) {
      this.#mode = 'closed';
      this.#lineParts = [];
      this.#lineBytes = 0;
    }
  }

  #resetCommand(): void {
    this.#chunks = [];
    this.#storedBytes = 0;
    this.#commandBytes = 0;
    this.#firstLine = true;
    this.#tag = undefined;
    this.#isAppend = false;
  }
}

function sumLength(parts: readonly Buffer[]): number {
  let total = 0;
  for (const part of parts) total += part.length;
  return total;
}

function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
}

/** The first `size` octets of parts, as one buffer. */
function head(parts: readonly Buffer[], size: number): Buffer {
  const taken: Buffer[] = [];
  let total = 0;
  for (const part of parts) {
    if (total >= size) break;
    taken.push(part.subarray(0, size - total));
    total += Math.min(part.length, size - total);
  }
  return Buffer.concat(taken);
}

/** The last `size` octets of parts, as one buffer. */
function tail(parts: readonly Buffer[], size: number): Buffer {
  const taken: Buffer[] = [];
  let total = 0;
  for (let index = parts.length - 1; index >= 0 && total < size; index--) {
    const part = parts[index]!;
    const piece = part.subarray(Math.max(0, part.length - (size - total)));
    taken.unshift(piece);
    total += piece.length;
  }
  return Buffer.concat(taken);
}

/** RFC 9051 §9 tag, when the line starts with one followed by SP. */
function peekTag(line: Buffer): string | undefined {
  let at = 0;
  while (at < line.length && isClass(line[at]!, CharClass.tag)) at++;
  if (at === 0 || line[at] !== SP) return undefined;
  return line.toString('latin1', 0, at);
}

/** The command after the tag is APPEND (case-insensitive), followed by SP. */
function isAppend(line: Buffer, start: number): boolean {
  const word = line.toString('latin1', start, start + 6);
  return word.toUpperCase() === 'APPEND' && line[start + 6] === SP;
}

/** A literal marker at the end of the line: "{" digits ["+"] "}", with "~" before for literal8. */
function findMarker(line: Buffer): Marker | undefined {
  let at = line.length - 1;
  if (line[at] !== 0x7d) return undefined; // "}"
  at--;
  const sync = line[at] !== 0x2b; // "+"
  if (!sync) at--;
  const digitsEnd = at + 1;
  while (at >= 0 && isClass(line[at]!, CharClass.digit)) at--;
  const digits = digitsEnd - (at + 1);
  if (digits === 0 || line[at] !== 0x7b) return undefined; // "{"
  const binary = at > 0 && line[at - 1] === 0x7e; // "~"
  const start = binary ? at - 1 : at;
  // More digits than a safe integer holds: refused without reading the number.
  const size = digits > 16 ? undefined : Number(line.toString('latin1', at + 1, digitsEnd));
  return { start, size: size !== undefined && Number.isSafeInteger(size) ? size : undefined, sync, binary };
}
