/**
 * IMAP's data formats as the server writes them (RFC 9051 §4): strings,
 * NIL, parenthesised lists. A string goes quoted when it is short printable
 * ASCII, otherwise as a literal, which any client reads; responses are built
 * as Buffers because a literal may carry 8-bit octets.
 */

const CRLF = Buffer.from('\r\n');
const NIL = Buffer.from('NIL');

/** Longest value sent as a quoted string; longer ones go as literals (clients' line limits). */
const MAX_QUOTED = 1000;

/** True when the value can be a quoted string: printable US-ASCII (and TAB), no CR, LF or NUL. */
function quotable(bytes: Buffer): boolean {
  if (bytes.length > MAX_QUOTED) return false;
  for (const byte of bytes) if ((byte < 0x20 && byte !== 0x09) || byte > 0x7e) return false;
  return true;
}

/** RFC 9051 §4.3 string: quoted when it can be, else a literal. */
export function imapString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (quotable(bytes)) {
    return Buffer.from(`"${bytes.toString('latin1').replace(/["\\]/g, '\\$&')}"`, 'latin1');
  }
  return literal(bytes);
}

/** {n}CRLF followed by the octets. */
export function literal(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}}`), CRLF, bytes]);
}

/** RFC 9051 §4.5 nstring: NIL for absent. */
export function nstring(value: string | Buffer | null | undefined): Buffer {
  return value === null || value === undefined ? NIL : imapString(value);
}

const ATOM_SPECIALS = new Set('(){ %*"\\]');

/** RFC 9051 §4.3 atom: printable ASCII without the specials. */
function isAtom(value: string): boolean {
  if (value.length === 0) return false;
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code <= 0x20 || code >= 0x7f || ATOM_SPECIALS.has(char)) return false;
  }
  return true;
}

/** RFC 9051 §4.3 astring: an atom when it can be one (mailbox names look nicer so), else a string. */
export function astring(value: string): Buffer {
  if (isAtom(value)) return Buffer.from(value, 'latin1');
  return imapString(value);
}

/** A parenthesised list of already-encoded items, separated by spaces; NIL when empty and nilWhenEmpty. */
export function list(items: readonly Buffer[], nilWhenEmpty = false): Buffer {
  if (items.length === 0) return nilWhenEmpty ? NIL : Buffer.from('()');
  const parts: Buffer[] = [Buffer.from('(')];
  items.forEach((item, index) => {
    if (index > 0) parts.push(Buffer.from(' '));
    parts.push(item);
  });
  parts.push(Buffer.from(')'));
  return Buffer.concat(parts);
}

/** A number or atom written as is. */
export function atom(value: string | number): Buffer {
  return Buffer.from(String(value), 'latin1');
}

export { NIL as WIRE_NIL, CRLF as WIRE_CRLF };
