import { decodeTransferEncoding } from '../message/transfer-decoding.ts';
import { headerFields, splitMessage, type HeaderField } from '../../message/header-block.ts';
import { decodeCharset, decodeEncodedWords, headerValueText } from './charset.ts';

/**
 * The text SEARCH BODY looks in (RFC 9051 §6.4.4): every text/* part
 * decoded from its transfer encoding and charset, plus the header of each
 * message/rfc822 part, which is body text of the message around it.
 * Attachments that are not text (PDF, images) are skipped, bytes unread.
 * A small MIME walk, not a full parser: it needs only types, charsets,
 * transfer encodings and boundaries.
 */

/** Limits of the walk, so a hostile message costs a bounded amount of work. */
export const MimeTextLimits = {
  /** Decoded characters kept per message. */
  maxTextChars: 1024 * 1024,
  /** Nesting of multiparts and message/rfc822 parts. */
  maxDepth: 20,
  /** Parts looked at per message. */
  maxParts: 500,
} as const;

export interface ContentType {
  /** "text/plain", lower case. */
  mediaType: string;
  /** Parameters by lower-case name, values unquoted. */
  params: Map<string, string>;
}

/** RFC 2045 §5.1 Content-Type; absent or unreadable is text/plain (RFC 2045 §5.2) unless the context says otherwise. */
export function parseContentType(value: string | undefined, fallback = 'text/plain'): ContentType {
  const params = new Map<string, string>();
  if (value === undefined) return { mediaType: fallback, params };
  const semicolon = value.indexOf(';');
  const mediaType = (semicolon === -1 ? value : value.slice(0, semicolon))
    .replace(/\([^)]*\)/g, '')
    .trim()
    .toLowerCase();
  const paramPattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]*))/g;
  for (const match of value.matchAll(paramPattern)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!params.has(name)) params.set(name, match[2]?.replace(/\\(.)/g, '$1') ?? match[3] ?? '');
  }
  return { mediaType: mediaType.includes('/') ? mediaType : fallback, params };
}

/** No charset takes more than 4 bytes a character; quoted-printable triples a byte at most. */
const MAX_BYTES_PER_CHAR = 4;
const MAX_ENCODED_BYTES_PER_CHAR = MAX_BYTES_PER_CHAR * 3;

class TextCollector {
  readonly pieces: string[] = [];
  length = 0;
  parts = 0;

  get full(): boolean {
    return this.length >= MimeTextLimits.maxTextChars;
  }

  /** Characters that may still be added. */
  get room(): number {
    return Math.max(0, MimeTextLimits.maxTextChars - this.length);
  }

  add(text: string): void {
    if (this.full || text === '') return;
    const room = MimeTextLimits.maxTextChars - this.length;
    const piece = text.length > room ? text.slice(0, room) : text;
    this.pieces.push(piece);
    this.length += piece.length + 1;
  }
}

/** The body text of a message whose header fields are already read. */
export function messageBodyText(fields: readonly HeaderField[], body: Buffer): string {
  const collector = new TextCollector();
  walkEntity(fields, body, 'text/plain', 0, collector);
  return collector.pieces.join('\n');
}

/** Decoded "name: value" lines of a header, for TEXT and for embedded messages. */
export function headerText(fields: readonly HeaderField[]): string {
  return fields
    .map((field) => `${field.name}: ${decodeEncodedWords(headerValueText(field.value))}`)
    .join('\n');
}

function fieldValue(fields: readonly HeaderField[], name: string): string | undefined {
  return fields.find((field) => field.name === name)?.value;
}

function walkEntity(
  fields: readonly HeaderField[],
  body: Buffer,
  defaultType: string,
  depth: number,
  out: TextCollector,
): void {
  if (out.full || depth > MimeTextLimits.maxDepth || ++out.parts > MimeTextLimits.maxParts) return;
  const type = parseContentType(fieldValue(fields, 'content-type'), defaultType);
  const encoding = (fieldValue(fields, 'content-transfer-encoding') ?? '').trim().toLowerCase();
  if (type.mediaType.startsWith('multipart/')) {
    const boundary = type.params.get('boundary');
    if (!boundary) return;
    // RFC 2046 §5.1.5: the parts of a digest are messages unless they say otherwise.
    const childType = type.mediaType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const parts = splitMultipart(body, boundary).map((part) => {
      const split = splitEntity(part);
      return { fields: headerFields(split.header), body: split.body };
    });
    // RFC 2046 §5.1.4: alternatives carry the same text; with a plain one, HTML adds nothing.
    const types = parts.map((part) => parseContentType(fieldValue(part.fields, 'content-type')).mediaType);
    const skipHtml = type.mediaType === 'multipart/alternative' && types.includes('text/plain');
    parts.forEach((part, index) => {
      if (skipHtml && types[index] === 'text/html') return;
      walkEntity(part.fields, part.body, childType, depth + 1, out);
    });
    return;
  }
  if (type.mediaType === 'message/rfc822' || type.mediaType === 'message/global') {
    const inner = splitEntity(decodeTransfer(body, encoding));
    const innerFields = headerFields(inner.header);
    out.add(headerText(innerFields));
    walkEntity(innerFields, inner.body, 'text/plain', depth + 1, out);
    return;
  }
  if (!type.mediaType.startsWith('text/')) return;
  // Decode no more than the room left could hold: a 20 MB log file costs what 1 MB does.
  const room = out.room;
  const encoded =
    body.length > room * MAX_ENCODED_BYTES_PER_CHAR
      ? body.subarray(0, room * MAX_ENCODED_BYTES_PER_CHAR)
      : body;
  const bytes = decodeTransfer(encoded, encoding);
  const kept =
    bytes.length > room * MAX_BYTES_PER_CHAR ? bytes.subarray(0, room * MAX_BYTES_PER_CHAR) : bytes;
  const text = decodeCharset(kept, type.params.get('charset') ?? '');
  out.add(type.mediaType === 'text/html' ? htmlToText(text) : text);
}

/**
 * Header and body of a MIME entity. A part may have no header fields at
 * all (RFC 2046 §5.1.1: it then starts with the empty line); splitMessage
 * looks for the first empty line after a field and would take the part's
 * own content for its header.
 */
export function splitEntity(entity: Buffer): { header: Buffer; body: Buffer } {
  if (entity[0] === 0x0a) return { header: entity.subarray(0, 0), body: entity.subarray(1) };
  if (entity[0] === 0x0d && entity[1] === 0x0a)
    return { header: entity.subarray(0, 0), body: entity.subarray(2) };
  return splitMessage(entity);
}

/** The bodies of a multipart (RFC 2046 §5.1.1): between delimiter lines, preamble and epilogue dropped. */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  for (let at = body.indexOf(delimiter); at !== -1; at = body.indexOf(delimiter, at + 1)) {
    if (at > 0 && body[at - 1] !== 0x0a) continue;
    const after = at + delimiter.length;
    const closing = body[after] === 0x2d && body[after + 1] === 0x2d;
    const next = body[closing ? after + 2 : after];
    // A longer boundary that starts with this one is not this delimiter.
    if (!closing && next !== undefined && next !== 0x0d && next !== 0x0a && next !== 0x20 && next !== 0x09) {
      continue;
    }
    if (partStart !== -1) parts.push(body.subarray(partStart, lineBreakBefore(body, at)));
    if (closing) return parts;
    const lineEnd = body.indexOf(0x0a, after);
    if (lineEnd === -1) return parts;
    partStart = lineEnd + 1;
  }
  // No closing delimiter: the last part runs to the end.
  if (partStart !== -1) parts.push(body.subarray(partStart));
  return parts;
}

/** The CRLF (or LF) before a delimiter belongs to the delimiter (RFC 2046 §5.1.1). */
function lineBreakBefore(body: Buffer, at: number): number {
  if (at === 0) return 0;
  let end = at - 1;
  if (end > 0 && body[end - 1] === 0x0d) end--;
  return end;
}

/** RFC 2045 §6: base64 and quoted-printable decoded (as BINARY does); 7bit, 8bit, binary and unknown taken as they are. */
export function decodeTransfer(body: Buffer, encoding: string): Buffer {
  return decodeTransferEncoding(body, encoding) ?? body;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Text of an HTML part: scripts, styles and tags removed, common entities decoded. Searching markup helps nobody. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code =
          name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}
