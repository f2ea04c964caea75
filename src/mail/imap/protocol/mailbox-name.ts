/**
 * Modified UTF-7, the mailbox name encoding of IMAP4rev1 (RFC 3501 §5.1.3):
 * printable US-ASCII stands for itself ("&" is written "&-"); any other run
 * of characters is "&", its UTF-16 in base64 with "," for "/" and no
 * padding, then "-". Decoding is strict so that one name has one spelling:
 * anything the encoder would not produce is refused.
 */

import { ImapErrorId } from '../imap-error.ts';

/** A name that is not modified UTF-7; its code is the IMAP catalogue's for bad mailbox names. */
export class ModifiedUtf7Error extends Error {
  readonly code = ImapErrorId.MAILBOX_NAME;

  constructor(name: string, reason: string) {
    super(`"${name}" is not valid modified UTF-7: ${reason}`);
    this.name = 'ModifiedUtf7Error';
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const VALUES = new Int8Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) VALUES[ALPHABET.charCodeAt(index)] = index;

const AMPERSAND = 0x26;

function printable(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

/** "&ZeVnLIqe-" → "日本語"; "&-" → "&". Throws ModifiedUtf7Error on anything malformed. */
export function decodeModifiedUtf7(name: string): string {
  let out = '';
  let at = 0;
  /** Where the last encoded run ended: two runs side by side must have been one. */
  let lastRunEnd = -1;
  while (at < name.length) {
    const code = name.charCodeAt(at);
    if (!printable(code)) throw new ModifiedUtf7Error(name, 'only printable US-ASCII may appear as is');
    if (code !== AMPERSAND) {
      out += name[at];
      at++;
      continue;
    }
    const end = name.indexOf('-', at + 1);
    if (end === -1) throw new ModifiedUtf7Error(name, '"&" without its closing "-"');
    if (end === at + 1) {
      out += '&';
      at = end + 1;
      continue;
    }
    if (at === lastRunEnd) throw new ModifiedUtf7Error(name, 'two encoded runs side by side');
    out += decodeRun(name, name.slice(at + 1, end));
    at = end + 1;
    lastRunEnd = at;
  }
  return out;
}

/** One base64 run to its characters: whole UTF-16 units, zero padding bits, no printable ASCII inside. */
function decodeRun(name: string, run: string): string {
  const units: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < run.length; index++) {
    const value = VALUES[run.charCodeAt(index)] ?? -1;
    if (value < 0) throw new ModifiedUtf7Error(name, `"${run[index]}" is not a modified base64 character`);
    buffer = (buffer << 6) | value;
    bits += 6;
    if (bits >= 16) {
      bits -= 16;
      units.push((buffer >> bits) & 0xffff);
      buffer &= (1 << bits) - 1;
    }
  }
  if (bits >= 6 || buffer !== 0)
    throw new ModifiedUtf7Error(name, 'a base64 run does not end on a whole character');
  let text = '';
  for (let index = 0; index < units.length; index++) {
    const unit = units[index]!;
    if (printable(unit)) throw new ModifiedUtf7Error(name, 'printable US-ASCII must not be base64-encoded');
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = units[index + 1];
      if (low === undefined || low < 0xdc00 || low > 0xdfff)
        throw new ModifiedUtf7Error(name, 'unpaired surrogate');
      text += String.fromCharCode(unit, low);
      index++;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) throw new ModifiedUtf7Error(name, 'unpaired surrogate');
    text += String.fromCharCode(unit);
  }
  return text;
}

/** "日本語" → "&ZeVnLIqe-"; "&" → "&-". Throws ModifiedUtf7Error for a string with lone surrogates. */
export function encodeModifiedUtf7(name: string): string {
  if (!name.isWellFormed()) throw new ModifiedUtf7Error(name, 'the name holds a lone surrogate');
  let out = '';
  let at = 0;
  while (at < name.length) {
    const code = name.charCodeAt(at);
    if (printable(code)) {
      out += code === AMPERSAND ? '&-' : name[at];
      at++;
      continue;
    }
    let end = at + 1;
    while (end < name.length && !printable(name.charCodeAt(end))) end++;
    out += `&${encodeRun(name.slice(at, end))}-`;
    at = end;
  }
  return out;
}

function encodeRun(run: string): string {
  const utf16be = Buffer.from(run, 'utf16le').swap16();
  let encoded = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of utf16be) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      encoded += ALPHABET[(buffer >> bits) & 0x3f];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) encoded += ALPHABET[(buffer << (6 - bits)) & 0x3f];
  return encoded;
}
