/**
 * The POP3 input parser: bytes in, lines and commands out, no I/O. Lines end
 * with CRLF (a bare LF is accepted too); a CRLF may be split anywhere across
 * chunks. Limits are named; a line over the limit or holding binary is
 * reported in its place in the sequence, so the session answers it in order.
 */

export const Pop3Limits = {
  /** RFC 2449 §4: a command line is at most 255 octets, CRLF included. */
  commandLine: 255,
  /**
   * RFC 5034 §4: SASL responses are not command lines; a PLAIN response
   * carries two identities and a password in base64. Also the hard limit of
   * a buffered line: anything longer is discarded as it arrives.
   */
  saslLine: 8192,
} as const;

const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const DEL = 0x7f;

export type ParsedLine =
  /** One line, its terminator removed; `octets` counts the terminator too. */
  | { kind: 'line'; text: string; octets: number }
  /** Longer than Pop3Limits.saslLine; the rest up to the line's end is discarded. */
  | { kind: 'too-long'; octets: number }
  /** NUL, control characters or bytes that are not UTF-8. */
  | { kind: 'binary'; octets: number };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Splits a byte stream into lines; see the comment at the top of the file. */
export class LineParser {
  readonly #maxLine: number;
  #parts: Buffer[] = [];
  #buffered = 0;
  /** Bytes discarded of a line that was already reported too long. */
  #discarding = 0;

  constructor(maxLine: number = Pop3Limits.saslLine) {
    this.#maxLine = maxLine;
  }

  feed(chunk: Buffer): ParsedLine[] {
    const lines: ParsedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(LF, start);
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end + 1);
      start += piece.length;
      if (this.#discarding > 0) {
        this.#discard(piece, end !== -1, lines);
        continue;
      }
      if (this.#buffered + piece.length > this.#maxLine) {
        // Reported at once, so the client hears about it before it sends more.
        lines.push({ kind: 'too-long', octets: this.#buffered + piece.length });
        this.#parts = [];
        this.#discarding = this.#buffered + piece.length;
        this.#buffered = 0;
        if (end !== -1) this.#discarding = 0;
        continue;
      }
      this.#parts.push(piece);
      this.#buffered += piece.length;
      if (end === -1) break;
      const line = this.#parts.length === 1 ? piece : Buffer.concat(this.#parts, this.#buffered);
      lines.push(decodeLine(line));
      this.#parts = [];
      this.#buffered = 0;
    }
    return lines;
  }

  /** Forgets a partial line (after STLS, nothing sent in plaintext may count). */
  reset(): void {
    this.#parts = [];
    this.#buffered = 0;
    this.#discarding = 0;
  }

  /** Each further maxLine octets of one endless line is reported again, so the bad-command limit ends it. */
  #discard(piece: Buffer, ended: boolean, lines: ParsedLine[]): void {
    const before = Math.floor(this.#discarding / this.#maxLine);
    this.#discarding += piece.length;
    if (ended) {
      this.#discarding = 0;
      return;
    }
    if (Math.floor(this.#discarding / this.#maxLine) > before) {
      lines.push({ kind: 'too-long', octets: this.#discarding });
    }
  }
}

function decodeLine(line: Buffer): ParsedLine {
  const octets = line.length;
  let end = octets - 1; // the LF
  if (end > 0 && line[end - 1] === CR) end--;
  let ascii = true;
  for (let i = 0; i < end; i++) {
    const byte = line[i] ?? 0;
    if ((byte < 0x20 && byte !== TAB) || byte === DEL) return { kind: 'binary', octets };
    if (byte >= 0x80) ascii = false;
  }
  const body = line.subarray(0, end);
  if (ascii) return { kind: 'line', text: body.toString('latin1'), octets };
  try {
    // Passwords may be UTF-8 (a Japanese password); anything else is binary.
    return { kind: 'line', text: utf8.decode(body), octets };
  } catch {
    return { kind: 'binary', octets };
  }
}

export interface Command {
  /** Upper case (RFC 1939 §3: keywords are case-insensitive). */
  keyword: string;
  /** The arguments, split at spaces. */
  args: string[];
  /** Everything after the keyword and one space, untouched: PASS takes it whole (RFC 1939 §7). */
  rest: string;
}

/** RFC 2449 §3: a keyword is 3 or 4 printable characters; we accept a few more, and answer "unknown". */
const KEYWORD = /^[A-Za-z0-9-]{1,16}$/;

/** Splits a command line; undefined when it has no keyword (empty or starts with a space). */
export function parseCommand(text: string): Command | undefined {
  const space = text.indexOf(' ');
  const keyword = space === -1 ? text : text.slice(0, space);
  if (!KEYWORD.test(keyword)) return undefined;
  const rest = space === -1 ? '' : text.slice(space + 1);
  const args = rest.split(/[ \t]+/).filter((arg) => arg !== '');
  return { keyword: keyword.toUpperCase(), args, rest };
}
