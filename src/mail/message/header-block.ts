import type { Readable } from 'node:stream';

/**
 * The header block of an RFC 5322 message: everything up to and including
 * the first empty line. These helpers work on bytes (a message is stored
 * byte-exact, in whatever charset it came), never decode the body, and bound
 * how much they read.
 */

/** RFC 5322 sets no limit on a header block; we never look further than this. */
export const MAX_HEADER_BYTES = 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;

/**
 * The offset of the body: just after the first empty line (CRLF CRLF, or a
 * bare LF LF from a sloppy client); -1 when the bytes hold no empty line.
 */
export function bodyOffset(bytes: Buffer): number {
  for (let index = bytes.indexOf(LF); index !== -1; index = bytes.indexOf(LF, index + 1)) {
    const next = bytes[index + 1];
    if (next === LF) return index + 2;
    if (next === CR && bytes[index + 2] === LF) return index + 3;
  }
  // A message that starts with an empty line has no header fields at all.
  if (bytes[0] === LF) return 1;
  if (bytes[0] === CR && bytes[1] === LF) return 2;
  return -1;
}

/** Header and body of a message held in memory; a message with no empty line is all header. */
export function splitMessage(bytes: Buffer): { header: Buffer; body: Buffer } {
  const offset = bodyOffset(bytes);
  if (offset === -1) return { header: bytes, body: Buffer.alloc(0) };
  return { header: bytes.subarray(0, offset), body: bytes.subarray(offset) };
}

/**
 * Reads a stream only as far as the header block (at most `limit` bytes) and
 * destroys it: a summary of a 25 MB message reads a few kilobytes.
 */
export async function readHeaderBlock(stream: Readable, limit = MAX_HEADER_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      chunks.push(bytes);
      length += bytes.length;
      // Searching the joined bytes again from the start is fine: header blocks are small.
      const joined = Buffer.concat(chunks, length);
      const offset = bodyOffset(joined);
      if (offset !== -1) return joined.subarray(0, offset);
      if (length >= limit) return joined.subarray(0, limit);
    }
    return Buffer.concat(chunks, length);
  } finally {
    stream.destroy();
  }
}

export interface HeaderField {
  /** The field name in lower case. */
  name: string;
  /** The whole field as it came, name and folded lines included, without the final line break. */
  raw: Buffer;
  /** The value unfolded (RFC 5322 §2.2.3), decoded as latin1 so every byte survives; trimmed. */
  value: string;
}

/** The fields of a header block, in order. Lines that are no field (no colon) are skipped. */
export function headerFields(header: Buffer): HeaderField[] {
  const fields: HeaderField[] = [];
  let start = 0;
  let current: { start: number; end: number } | undefined;
  const flush = () => {
    if (!current) return;
    const raw = header.subarray(current.start, current.end);
    const text = raw.toString('latin1');
    const colon = text.indexOf(':');
    if (colon > 0) {
      fields.push({
        name: text.slice(0, colon).trim().toLowerCase(),
        raw,
        value: text
          .slice(colon + 1)
          .replace(/\r?\n(?=[ \t])/g, '')
          .trim(),
      });
    }
    current = undefined;
  };
  while (start < header.length) {
    let end = header.indexOf(LF, start);
    if (end === -1) end = header.length;
    const lineEnd = end > start && header[end - 1] === CR ? end - 1 : end;
    if (lineEnd === start) break; // the empty line: end of the header block
    const first = header[start];
    if ((first === 0x20 || first === 0x09) && current) current.end = lineEnd;
    else {
      flush();
      current = { start, end: lineEnd };
    }
    start = end + 1;
  }
  flush();
  return fields;
}

/** The unfolded values of every field with this name (case-insensitive), in order. */
export function fieldValues(header: Buffer, name: string): string[] {
  const wanted = name.toLowerCase();
  return headerFields(header)
    .filter((field) => field.name === wanted)
    .map((field) => field.value);
}
