import { BoundaryStack } from './boundary-stack.ts';
import { firstFieldValues } from './header-scan.ts';
import { LineCounter } from './line-counter.ts';
import {
  nonEmpty,
  parseDisposition,
  parseEncoding,
  parseLanguages,
  parseMediaType,
  type Disposition,
  type MimeParameter,
} from './mime-fields.ts';

/**
 * The MIME tree of a stored message (RFC 2045, RFC 2046), as FETCH needs it
 * for ENVELOPE, BODYSTRUCTURE, BODY[section] and BINARY: byte offsets into
 * the raw message plus the parsed MIME fields. Plain data (no Buffers), so
 * it can be cached or stored as JSON; strings are latin1 (one character per
 * octet) so 8-bit header bytes survive as sent.
 *
 * One pass over the bytes: every part is scanned once, by the innermost
 * parser, which stops at a delimiter line of any enclosing multipart
 * (RFC 2046 §5.1.2: an outer boundary also ends the inner parts, so a
 * missing close delimiter costs no more than that part). Header fields
 * are found as offsets and only the wanted ones become strings.
 */

export const MimeLimits = {
  /** Multiparts and message/rfc822 parts nested deeper than this are opaque (application/octet-stream). */
  maxDepth: 64,
  /** Parts in one message; past this, multiparts and messages are opaque and further body parts are skipped. */
  maxParts: 10_000,
} as const;

/** The header values ENVELOPE reports (RFC 9051 §7.5.2): unfolded, not decoded; null when absent. */
export interface EnvelopeFields {
  date: string | null;
  subject: string | null;
  from: string | null;
  sender: string | null;
  replyTo: string | null;
  to: string | null;
  cc: string | null;
  bcc: string | null;
  inReplyTo: string | null;
  messageId: string | null;
}

export interface MimePart {
  /** [headerStart, headerEnd): the part's header, the empty line included when there is one. */
  headerStart: number;
  headerEnd: number;
  /** [bodyStart, bodyEnd): the body; the line break before a delimiter is not in it (RFC 2046 §5.1.1). */
  bodyStart: number;
  bodyEnd: number;
  /** Lower case. "multipart" parts always have children; "message/rfc822|global" ones a message. */
  type: string;
  subtype: string;
  params: MimeParameter[];
  /** Content-Transfer-Encoding, lower case; null when absent (7bit). */
  encoding: string | null;
  id: string | null;
  description: string | null;
  md5: string | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
  /** Line feeds in the body, for text/* and message/* parts (as Dovecot counts); 0 for others. */
  lines: number;
  children: MimePart[];
  message: MessageStructure | null;
}

export interface MessageStructure {
  envelope: EnvelopeFields;
  /** The message's own header and body: a multipart, or the single part that is part 1. */
  root: MimePart;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const LF_DASHES = Buffer.from('\n--');

/** The header fields the structure is made of. */
const MIME_FIELDS = [
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-disposition',
  'content-language',
  'content-location',
] as const;
const ENVELOPE_FIELDS = [
  'date',
  'subject',
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'bcc',
  'in-reply-to',
  'message-id',
] as const;
const WANTED_FIELDS = [...MIME_FIELDS, ...ENVELOPE_FIELDS];

type Fields = Map<string, string>;

/** A boundary delimiter line (RFC 2046 §5.1.1). */
interface Delimiter {
  /** Where the part before it ends: its preceding line break, which belongs to the delimiter. */
  breakStart: number;
  /** The line break that ends the line (after a close delimiter it may be the next delimiter's). */
  breakAt: number;
  /** Just past the line and its line break. */
  lineEnd: number;
  /** Which boundary of the stack matched (0 = outermost). */
  level: number;
  /** A close delimiter ("--boundary--"). */
  close: boolean;
}

interface Parsed<T> {
  value: T;
  /** The delimiter that ended it; null when it ran to the end of the message. */
  end: Delimiter | null;
}

/** The structure of a message; never throws, whatever the bytes. */
export function parseMessageStructure(raw: Buffer): MessageStructure {
  return new StructureParser(raw).message(0, 0).value;
}

class StructureParser {
  readonly #raw: Buffer;
  readonly #lines: LineCounter;
  /** The boundaries of the multiparts around the current position, innermost last. */
  readonly #stack = new BoundaryStack();
  #parts = 0;

  constructor(raw: Buffer) {
    this.#raw = raw;
    this.#lines = new LineCounter(raw);
  }

  message(start: number, depth: number): Parsed<MessageStructure> {
    const entity = this.#entity(start, depth, false);
    return { value: { envelope: envelopeFields(entity.fields), root: entity.value }, end: entity.end };
  }

  /** One entity (a message or a body part): its header, then a body of its kind. */
  #entity(start: number, depth: number, inDigest: boolean): Parsed<MimePart> & { fields: Fields } {
    this.#parts++;
    const header = this.#header(start);
    const fields = firstFieldValues(this.#raw, start, header.headerEnd, WANTED_FIELDS);
    const part = describePart(fields, inDigest, start, header.headerEnd, header.bodyStart);
    const boundary = part.params.find((param) => param.name === 'boundary')?.value ?? '';
    if (part.type === 'multipart' && boundary === '') makeDefault(part, false); // RFC 2046 §5.1.1 needs one
    const open = depth < MimeLimits.maxDepth && this.#parts < MimeLimits.maxParts;
    if ((part.type === 'multipart' || part.message !== null) && !open) makeOpaque(part);

    let end: Delimiter | null;
    if (header.end) {
      // The header ran into a delimiter: the body is empty.
      end = header.end;
      if (part.type === 'multipart') part.children = [emptyPart(header.bodyStart, false)];
      if (part.message) part.message = emptyMessage(header.bodyStart);
    } else if (part.type === 'multipart') {
      end = this.#multipart(part, boundary, depth);
    } else if (part.message) {
      const nested = this.message(header.bodyStart, depth + 1);
      part.message = nested.value;
      end = nested.end;
    } else {
      end = this.#findDelimiter(header.bodyStart);
    }
    part.bodyEnd = end ? end.breakStart : this.#raw.length;
    if (part.type === 'text' || part.message) part.lines = this.#lines.count(part.bodyStart, part.bodyEnd);
    return { value: part, end, fields };
  }

  /** RFC 2046 §5.1.1: preamble, body parts between delimiters, close delimiter, epilogue. */
  #multipart(part: MimePart, boundary: string, depth: number): Delimiter | null {
    const own = this.#stack.push(Buffer.from(boundary, 'latin1'));
    let end: Delimiter | null;
    try {
      end = this.#findDelimiter(part.bodyStart);
      while (end && end.level === own && !end.close && this.#parts < MimeLimits.maxParts) {
        const child = this.#entity(end.lineEnd, depth + 1, part.subtype === 'digest');
        part.children.push(child.value);
        end = child.end;
      }
    } finally {
      this.#stack.pop();
    }
    // After the close delimiter (or past the part limit) only an enclosing boundary ends this part. The
    // epilogue is "[CRLF epilogue]" (RFC 2046 §5.1.1): with none, the close line's CRLF starts the next delimiter.
    if (end && end.level === own) end = this.#findDelimiter(end.close ? end.breakAt : end.lineEnd);
    const bodyEnd = end ? end.breakStart : this.#raw.length;
    // A multipart must have a part (RFC 9051 §9 body-type-mpart): an empty text/plain stands in, as Dovecot does.
    if (part.children.length === 0) part.children.push(emptyPart(bodyEnd, false));
    return end;
  }

  /**
   * The header block from `start`: up to and including the empty line, or
   * up to a delimiter line (broken part with no empty line), or to the end.
   */
  #header(start: number): { headerEnd: number; bodyStart: number; end: Delimiter | null } {
    const raw = this.#raw;
    let pos = start;
    while (pos < raw.length) {
      if (raw[pos] === DASH && this.#stack.size > 0) {
        const breakStart =
          pos === start ? start : pos - 2 >= start && raw[pos - 2] === CR ? pos - 2 : pos - 1;
        const end = this.#delimiterAt(pos, breakStart);
        if (end) return { headerEnd: breakStart, bodyStart: breakStart, end };
      }
      if (raw[pos] === LF) return { headerEnd: pos + 1, bodyStart: pos + 1, end: null };
      if (raw[pos] === CR && raw[pos + 1] === LF)
        return { headerEnd: pos + 2, bodyStart: pos + 2, end: null };
      // A byte loop: header lines are short, and a native search per line costs more than the line.
      while (pos < raw.length && raw[pos] !== LF) pos++;
      pos++;
    }
    return { headerEnd: raw.length, bodyStart: raw.length, end: null };
  }

  /** The first delimiter line of an enclosing boundary at or after `from`. */
  #findDelimiter(from: number): Delimiter | null {
    if (this.#stack.size === 0) return null;
    const raw = this.#raw;
    if (from === 0 || raw[from - 1] === LF) {
      const atStart = this.#delimiterAt(from, from);
      if (atStart) return atStart;
    }
    for (let lf = raw.indexOf(LF_DASHES, from); lf !== -1; lf = raw.indexOf(LF_DASHES, lf + 1)) {
      const breakStart = lf > from && raw[lf - 1] === CR ? lf - 1 : lf;
      const found = this.#delimiterAt(lf + 1, breakStart);
      if (found) return found;
    }
    return null;
  }

  /** The line at `lineStart` as a delimiter of an enclosing boundary, or null. */
  #delimiterAt(lineStart: number, breakStart: number): Delimiter | null {
    const raw = this.#raw;
    const match = this.#stack.match(raw, lineStart);
    if (!match) return null;
    const after = lineStart + match.length;
    const lf = raw.indexOf(LF, after);
    return {
      breakStart,
      breakAt: lf === -1 ? raw.length : lf > after && raw[lf - 1] === CR ? lf - 1 : lf,
      lineEnd: lf === -1 ? raw.length : lf + 1,
      level: match.level,
      close: raw[after] === DASH && raw[after + 1] === DASH,
    };
  }
}

/** The part as its MIME header describes it; the body offsets and children are filled in later. */
function describePart(
  fields: Fields,
  inDigest: boolean,
  headerStart: number,
  headerEnd: number,
  bodyStart: number,
): MimePart {
  const part = emptyPart(bodyStart, inDigest);
  part.headerStart = headerStart;
  part.headerEnd = headerEnd;
  const contentType = fields.get('content-type');
  const media = contentType === undefined ? null : parseMediaType(contentType);
  if (media) {
    part.type = media.type;
    part.subtype = media.subtype;
    part.params = media.params;
  }
  const encoding = fields.get('content-transfer-encoding');
  part.encoding = encoding === undefined ? null : parseEncoding(encoding);
  part.id = nonEmpty(fields.get('content-id'));
  part.description = nonEmpty(fields.get('content-description'));
  part.md5 = nonEmpty(fields.get('content-md5'));
  const disposition = fields.get('content-disposition');
  part.disposition = disposition === undefined ? null : parseDisposition(disposition);
  const language = fields.get('content-language');
  part.language = language === undefined ? null : parseLanguages(language);
  part.location = nonEmpty(fields.get('content-location'));
  part.message = null;
  const encapsulated = part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global');
  // RFC 2046 §5.2.1: an encapsulated message is 7bit, 8bit or binary; encoded, its bytes cannot be parsed in place.
  if (encapsulated && isIdentityEncoding(part.encoding)) part.message = emptyMessage(bodyStart);
  else if (encapsulated) makeOpaque(part);
  return part;
}

/** Encodings whose body is the content as is (RFC 2045 §6.2). */
export function isIdentityEncoding(encoding: string | null): boolean {
  return encoding === null || encoding === '7bit' || encoding === '8bit' || encoding === 'binary';
}

/** RFC 2045 §5.2 default text/plain; charset=us-ascii, or message/rfc822 in a digest (RFC 2046 §5.1.5). */
function makeDefault(part: MimePart, inDigest: boolean): void {
  part.type = inDigest ? 'message' : 'text';
  part.subtype = inDigest ? 'rfc822' : 'plain';
  part.params = inDigest ? [] : [{ name: 'charset', value: 'us-ascii' }];
}

/** A part we will not look into: reported as application/octet-stream, its bytes still served. */
function makeOpaque(part: MimePart): void {
  part.type = 'application';
  part.subtype = 'octet-stream';
  part.params = [];
  part.message = null;
  part.children = [];
}

function emptyPart(at: number, inDigest: boolean): MimePart {
  const part: MimePart = {
    headerStart: at,
    headerEnd: at,
    bodyStart: at,
    bodyEnd: at,
    type: '',
    subtype: '',
    params: [],
    encoding: null,
    id: null,
    description: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    lines: 0,
    children: [],
    message: null,
  };
  makeDefault(part, inDigest);
  if (inDigest) part.message = emptyMessage(at);
  return part;
}

function emptyMessage(at: number): MessageStructure {
  return { envelope: envelopeFields(new Map()), root: emptyPart(at, false) };
}

function envelopeFields(fields: Fields): EnvelopeFields {
  const value = (name: string) => fields.get(name) ?? null;
  return {
    date: value('date'),
    subject: value('subject'),
    from: value('from'),
    sender: value('sender'),
    replyTo: value('reply-to'),
    to: value('to'),
    cc: value('cc'),
    bcc: value('bcc'),
    inReplyTo: value('in-reply-to'),
    messageId: value('message-id'),
  };
}

/**
 * RFC 9051 §6.4.5 part numbers: in a message, a multipart's children are
 * 1…n and a single part is part 1; in a message/rfc822 part, the numbers go
 * on into the encapsulated message. A leaf part has no sub-parts. Null when
 * the part does not exist.
 */
export function partAt(message: MessageStructure, path: readonly number[]): MimePart | null {
  let part: MimePart | null = null;
  for (const [index, number] of path.entries()) {
    let context: MimePart | null;
    if (index === 0) context = message.root;
    else if (part?.type === 'multipart') context = part;
    else if (part?.message) context = part.message.root;
    else return null;
    if (context.type === 'multipart') part = context.children[number - 1] ?? null;
    else part = number === 1 ? context : null;
    if (!part) return null;
  }
  return part;
}
