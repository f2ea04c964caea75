import { isIdentityEncoding } from './mime-structure.ts';

/**
 * Content-Transfer-Encoding removed (RFC 2045 §6): what BINARY[] serves
 * (RFC 3516). Decoders are lenient, as RFC 2045 asks of receivers: they
 * never fail, whatever the bytes.
 */

const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const EQUALS = 0x3d;

const BASE64_VALUES = (() => {
  const values = new Int8Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  return values;
})();

/**
 * RFC 2045 §6.8: characters outside the alphabet are ignored; "=" ends the
 * data. Mail that glues several padded blocks together is common, so after
 * a "=" decoding goes on with a fresh quantum instead of stopping.
 */
export function decodeBase64(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil((input.length * 3) / 4));
  let length = 0;
  let quantum = 0;
  let count = 0;
  const flush = () => {
    // A partial quantum of 2 or 3 characters holds 1 or 2 octets; a lone character holds none.
    if (count === 2) out[length++] = (quantum >> 4) & 0xff;
    else if (count === 3) {
      out[length++] = (quantum >> 10) & 0xff;
      out[length++] = (quantum >> 2) & 0xff;
    }
    quantum = 0;
    count = 0;
  };
  for (let i = 0; i < input.length; i++) {
    const byte = input[i] ?? 0;
    if (byte === EQUALS) {
      flush();
      continue;
    }
    const value = BASE64_VALUES[byte] ?? -1;
    if (value < 0) continue;
    quantum = (quantum << 6) | value;
    if (++count === 4) {
      out[length++] = (quantum >> 16) & 0xff;
      out[length++] = (quantum >> 8) & 0xff;
      out[length++] = quantum & 0xff;
      quantum = 0;
      count = 0;
    }
  }
  flush();
  return out.subarray(0, length);
}

function hexValue(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  // Lower case is not allowed (RFC 2045 §6.7 rule 1) but robust decoders take it.
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Where a soft line break that starts at "=" (index i) ends, or -1: "=" [white space] line break / end. */
function softBreakEnd(input: Uint8Array, i: number): number {
  let j = i + 1;
  while (input[j] === SPACE || input[j] === TAB) j++;
  if (j >= input.length) return j;
  if (input[j] === LF) return j + 1;
  if (input[j] === CR && input[j + 1] === LF) return j + 2;
  return -1;
}

/**
 * RFC 2045 §6.7: "=XX" octets, soft line breaks ("=" at the end of a line)
 * removed, trailing white space of encoded lines dropped (rule 3), an "="
 * that starts nothing valid kept as is. Line breaks stay as sent.
 */
export function decodeQuotedPrintable(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let length = 0;
  // Octets before this index came from "=XX" or are line breaks: trailing white space stripping stops there.
  let kept = 0;
  let i = 0;
  const stripTrailingSpace = () => {
    while (length > kept && (out[length - 1] === SPACE || out[length - 1] === TAB)) length--;
  };
  while (i < input.length) {
    const byte = input[i] ?? 0;
    if (byte === EQUALS) {
      const high = hexValue(input[i + 1]);
      const low = hexValue(input[i + 2]);
      if (high >= 0 && low >= 0) {
        out[length++] = high * 16 + low;
        kept = length;
        i += 3;
        continue;
      }
      const softEnd = softBreakEnd(input, i);
      if (softEnd !== -1) {
        stripTrailingSpace();
        i = softEnd;
        continue;
      }
    } else if (byte === LF || (byte === CR && input[i + 1] === LF)) {
      stripTrailingSpace();
      const breakLength = byte === LF ? 1 : 2;
      for (let k = 0; k < breakLength; k++) out[length++] = input[i + k] ?? 0;
      kept = length;
      i += breakLength;
      continue;
    }
    out[length++] = byte;
    i++;
  }
  stripTrailingSpace();
  return out.subarray(0, length);
}

/** The body with its transfer encoding removed; null for an encoding we do not know (RFC 3516 UNKNOWN-CTE). */
export function decodeTransferEncoding(body: Buffer, encoding: string | null): Buffer | null {
  if (isIdentityEncoding(encoding)) return body;
  if (encoding === 'base64') return decodeBase64(body);
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return null;
}
