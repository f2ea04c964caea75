import { partAt, type MessageStructure } from './mime-structure.ts';
import { decodeTransferEncoding } from './transfer-decoding.ts';

/**
 * BINARY[part] and BINARY.SIZE[part] (RFC 3516, RFC 9051 §6.4.5): the body
 * of a part with its Content-Transfer-Encoding removed. BINARY[] (no part)
 * is the whole message as stored: a message has no transfer encoding of its
 * own to remove. A multipart part has no content of its own to decode, and
 * BINARY is not defined for it: it is answered as unknownCte, so the client
 * gets NO [UNKNOWN-CTE] and falls back to BODY[].
 */

export type BinaryResult<T> = { ok: T } | { missing: true } | { unknownCte: true };

export function binaryBytes(
  raw: Buffer,
  message: MessageStructure,
  part: readonly number[],
): BinaryResult<Buffer> {
  if (part.length === 0) return { ok: raw };
  const found = partAt(message, part);
  if (!found) return { missing: true };
  if (found.type === 'multipart') return { unknownCte: true };
  const decoded = decodeTransferEncoding(raw.subarray(found.bodyStart, found.bodyEnd), found.encoding);
  return decoded ? { ok: decoded } : { unknownCte: true };
}

/** RFC 3516 §4.3 BINARY.SIZE: the octets BINARY[part] would return. */
export function binarySize(
  raw: Buffer,
  message: MessageStructure,
  part: readonly number[],
): BinaryResult<number> {
  const result = binaryBytes(raw, message, part);
  return 'ok' in result ? { ok: result.ok.length } : result;
}
