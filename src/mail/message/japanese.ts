import { TextDecoder } from 'node:util';
import { headerFields, type HeaderField } from './header-block.ts';

/**
 * Japanese mail in the three legacy charsets. RFC 2047 encoded words
 * (`=?ISO-2022-JP?B?…?=`) and MIME bodies with a charset parameter are
 * decoded by mailparser (libmime and iconv-lite). What they cannot know is
 * the charset of header bytes sent raw — ISO-2022-JP escapes or 8-bit
 * Shift_JIS / EUC-JP, as older Japanese mail programs still send them. This
 * guesses that charset from the bytes and decodes with the runtime's own
 * WHATWG decoders (Node's full ICU has all three).
 */

export type JapaneseCharset = 'iso-2022-jp' | 'shift_jis' | 'euc-jp';
export type DetectedCharset = 'us-ascii' | 'utf-8' | JapaneseCharset;

const ESC = 0x1b;

/** ISO-2022-JP designations (RFC 1468): ESC $ @, ESC $ B, ESC ( B, ESC ( J. */
function hasIso2022JpEscape(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(ESC); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(ESC, i + 1)) {
    const a = bytes[i + 1];
    const b = bytes[i + 2];
    if ((a === 0x24 && (b === 0x40 || b === 0x42)) || (a === 0x28 && (b === 0x42 || b === 0x4a))) return true;
  }
  return false;
}

/** Decoders are made once: each decode() without `stream` starts afresh. */
const strictDecoders = new Map<string, TextDecoder>();
const lenientDecoders = new Map<string, TextDecoder>();

function decoder(cache: Map<string, TextDecoder>, charset: string, fatal: boolean): TextDecoder {
  let found = cache.get(charset);
  if (!found) {
    found = new TextDecoder(charset, { fatal });
    cache.set(charset, found);
  }
  return found;
}

function decodes(charset: string, bytes: Uint8Array): boolean {
  try {
    decoder(strictDecoders, charset, true).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The charset raw bytes are most likely in. UTF-8 wins when the bytes are
 * valid UTF-8 (legacy Japanese text almost never is). Between Shift_JIS and
 * EUC-JP: Shift_JIS lead bytes 0x81–0x9F (hiragana, most kanji) appear in
 * EUC-JP only as the single shifts 0x8E/0x8F, so their presence decides.
 */
export function detectCharset(bytes: Uint8Array): DetectedCharset {
  if (hasIso2022JpEscape(bytes)) return 'iso-2022-jp';
  if (bytes.every((byte) => byte < 0x80)) return 'us-ascii';
  if (decodes('utf-8', bytes)) return 'utf-8';
  const sjis = decodes('shift_jis', bytes);
  const euc = decodes('euc-jp', bytes);
  if (sjis && !euc) return 'shift_jis';
  if (euc && !sjis) return 'euc-jp';
  const shiftJisLead = bytes.some((byte) => byte >= 0x81 && byte <= 0x9f && byte !== 0x8e && byte !== 0x8f);
  return shiftJisLead ? 'shift_jis' : 'euc-jp';
}

/** Decodes raw bytes in the charset they appear to be in (undecodable bytes become U+FFFD). */
export function decodeDetected(bytes: Uint8Array): string {
  return decodeAs(detectCharset(bytes), bytes);
}

function decodeAs(charset: DetectedCharset, bytes: Uint8Array): string {
  return decoder(lenientDecoders, charset === 'us-ascii' ? 'utf-8' : charset, false).decode(bytes);
}

/**
 * The header block with every field that carries raw legacy-charset bytes
 * re-encoded as UTF-8 (which mailparser reads as such, RFC 6532). Fields in
 * ASCII or UTF-8 are kept as they are; so are RFC 2047 words, which
 * mailparser decodes itself. Only for parsing: the stored message is never
 * changed.
 */
export function headerBlockAsUtf8(
  header: Buffer,
  fields: readonly HeaderField[] = headerFields(header),
): Buffer {
  // Each field's charset is told once: the guess decodes the bytes up to three times.
  const charsets = fields.map((field) => detectCharset(field.raw));
  if (!charsets.some(isLegacy)) return header;
  const parts: Buffer[] = [];
  fields.forEach((field, i) => {
    const charset = charsets[i] ?? 'us-ascii';
    parts.push(isLegacy(charset) ? Buffer.from(decodeAs(charset, field.raw), 'utf8') : field.raw);
    parts.push(Buffer.from('\r\n'));
  });
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function isLegacy(charset: DetectedCharset): boolean {
  return charset !== 'us-ascii' && charset !== 'utf-8';
}
