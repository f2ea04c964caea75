import iconv from 'iconv-lite';
import { decodeDetected } from '../../message/japanese.ts';

/**
 * Bytes to text for SEARCH: MIME charsets (RFC 2046 §4.1.2), RFC 2047
 * encoded words, and header bytes sent raw. The runtime's WHATWG decoders
 * know the Japanese charsets and most others; iconv-lite covers the rest.
 * Whatever cannot be named is guessed by decodeDetected, so a mislabelled
 * Japanese mail is still found.
 */

/** Names Japanese mail programs use that the WHATWG encoding list lacks. */
const CHARSET_ALIASES: Readonly<Record<string, string>> = {
  'iso-2022-jp-1': 'iso-2022-jp',
  'iso-2022-jp-2': 'iso-2022-jp',
  'iso-2022-jp-3': 'iso-2022-jp',
  'iso-2022-jp-ms': 'iso-2022-jp',
  cp50220: 'iso-2022-jp',
  cp50221: 'iso-2022-jp',
  cp50222: 'iso-2022-jp',
  cp932: 'shift_jis',
  ms932: 'shift_jis',
  'windows-932': 'shift_jis',
  'x-ms-cp932': 'shift_jis',
  'shift-jis-2004': 'shift_jis',
  sjis: 'shift_jis',
  'eucjp-ms': 'euc-jp',
  'euc-jp-ms': 'euc-jp',
  cp51932: 'euc-jp',
  'euc-jis-2004': 'euc-jp',
};

/**
 * UTF-8 and the Japanese charsets are decoded strictly: a failure means the
 * label lies (Shift_JIS sent as ISO-2022-JP happens), and the bytes are
 * guessed instead. Other charsets decode leniently.
 */
const STRICT = new Set(['utf-8', 'iso-2022-jp', 'shift_jis', 'euc-jp']);

interface Decoder {
  decode(bytes: Uint8Array): string;
}

const decoders = new Map<string, Decoder | null>();

function decoderFor(label: string): Decoder | null {
  const cached = decoders.get(label);
  if (cached !== undefined) return cached;
  let decoder: Decoder | null = null;
  try {
    const whatwg = new TextDecoder(CHARSET_ALIASES[label] ?? label, { fatal: true });
    const encoding = whatwg.encoding;
    const checked = (bytes: Uint8Array): string => {
      try {
        return whatwg.decode(bytes);
      } catch {
        return decodeDetected(bytes);
      }
    };
    if (encoding === 'iso-2022-jp') decoder = { decode: (bytes) => checked(withoutEmptyDesignations(bytes)) };
    else decoder = STRICT.has(encoding) ? { decode: checked } : new TextDecoder(encoding);
  } catch {
    if (iconv.encodingExists(label)) decoder = { decode: (bytes) => iconv.decode(Buffer.from(bytes), label) };
  }
  decoders.set(label, decoder);
  return decoder;
}

const ESC = 0x1b;

/**
 * Drops an ISO-2022-JP escape sequence directly followed by another. The
 * WHATWG decoder counts that as an error, yet it is what joining two
 * encoded words gives ("…ESC ( B" + "ESC $ B…"), and some mailers write it.
 */
function withoutEmptyDesignations(bytes: Uint8Array): Uint8Array {
  let at = bytes.indexOf(ESC);
  while (at !== -1 && bytes[at + 3] !== ESC) at = bytes.indexOf(ESC, at + 1);
  if (at === -1) return bytes;
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === ESC && bytes[i + 3] === ESC) i += 2;
    else out.push(bytes[i] ?? 0);
  }
  return Uint8Array.from(out);
}

/** True when the bytes are plain ASCII with no ISO-2022-JP escape: latin1 reads them exactly. */
export function isPlainAscii(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte >= 0x80 || byte === 0x1b) return false;
  return true;
}

/**
 * Decodes bytes labelled with a MIME charset. An absent or US-ASCII label
 * on 8-bit or ISO-2022-JP bytes, or an unknown label, falls back to guessing.
 */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const label = charset.trim().toLowerCase();
  if (label === '' || label === 'us-ascii' || label === 'ascii') {
    return isPlainAscii(bytes) ? Buffer.from(bytes).toString('latin1') : decodeDetected(bytes);
  }
  const decoder = decoderFor(label);
  return decoder ? decoder.decode(bytes) : decodeDetected(bytes);
}

/** A header value as the header-block helpers give it (latin1, one char per byte) turned into text. */
export function headerValueText(latin1: string): string {
  // eslint-disable-next-line no-control-regex -- ESC starts an ISO-2022-JP sequence sent raw
  if (!/[\x1b\x80-\xff]/.test(latin1)) return latin1;
  return decodeDetected(Buffer.from(latin1, 'latin1'));
}

// RFC 2047 §2: =?charset?encoding?encoded-text?= ; RFC 2231 §5 allows "charset*language".
const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding === 'b' || encoding === 'B') return Buffer.from(text, 'base64');
  // RFC 2047 §4.2: "_" is a space, "=XX" a byte.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5f) bytes.push(0x20);
    else if (char === 0x3d && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(char & 0xff);
  }
  return Buffer.from(bytes);
}

/**
 * Decodes RFC 2047 encoded words anywhere in a header value (also inside
 * quotes, as many Japanese mailers write display names). RFC 2047 §6.2:
 * white space between adjacent encoded words is dropped. Adjacent words in
 * the same charset are joined as bytes before decoding, since mailers split
 * a multi-byte character or an ISO-2022-JP run across two words.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Buffer[] } | undefined;
  let afterWord = false;
  const flush = () => {
    if (pending) out += decodeCharset(Buffer.concat(pending.bytes), pending.charset);
    pending = undefined;
  };
  for (const match of value.matchAll(ENCODED_WORD)) {
    const gap = value.slice(last, match.index);
    const blankGap = afterWord && /^[ \t\r\n]*$/.test(gap);
    const charset = (match[1] ?? '').split('*')[0]?.toLowerCase() ?? '';
    const bytes = wordBytes(match[2] ?? 'b', match[3] ?? '');
    if (blankGap && pending?.charset === charset) pending.bytes.push(bytes);
    else {
      flush();
      if (!blankGap) out += gap;
      pending = { charset, bytes: [bytes] };
    }
    afterWord = true;
    last = match.index + match[0].length;
  }
  flush();
  return out + value.slice(last);
}
