import { headerFields } from './header-block.ts';

/**
 * Authentication-Results fields (RFC 8601) as this server needs them: whose
 * results a field claims to be (its authserv-id), and the removal of fields
 * that claim to be ours in a message that comes from outside (§5), so that
 * neither mail apps nor our own forwarding trust a forgery. Works on bytes:
 * whole fields, folded lines included, are dropped; every other byte stays
 * as it came, so the sender's DKIM signature still verifies.
 */

const FIELD_NAME = 'authentication-results';
const CR = 0x0d;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * The authserv-id of a field value, unquoted and in lower case; undefined
 * when the value has none. RFC 8601 §2.2: `[CFWS] authserv-id [CFWS
 * authres-version] ...`, the id being a token or a quoted-string (RFC 2045
 * "value"), so leading comments and quotes are read past.
 */
export function authservIdOf(value: string): string | undefined {
  let index = skipCfws(value, 0);
  if (index >= value.length) return undefined;
  let id = '';
  if (value[index] === '"') {
    for (index++; index < value.length && value[index] !== '"'; index++) {
      if (value[index] === '\\') index++;
      id += value[index] ?? '';
    }
    if (index >= value.length) return undefined; // the quote never closes
  } else {
    // A token ends at white space, a comment or the ";" before the results.
    const end = value.slice(index).search(/[\s(;]/);
    id = end === -1 ? value.slice(index) : value.slice(index, index + end);
  }
  return id === '' ? undefined : id.toLowerCase();
}

/**
 * True when the value claims to come from `authservId`: compared without
 * regard to case (a domain name, §2.5) or a final dot, with or without a
 * version number after it (§2.2).
 */
export function claimsAuthservId(value: string, authservId: string): boolean {
  const id = authservIdOf(value);
  return id !== undefined && withoutFinalDot(id) === withoutFinalDot(authservId.toLowerCase());
}

/** The value of the topmost Authentication-Results field when it is ours, the one this hop added. */
export function ownResults(header: Buffer, authservId: string): string | undefined {
  const topmost = headerFields(header).find((field) => field.name === FIELD_NAME);
  return topmost && claimsAuthservId(topmost.value, authservId) ? topmost.value : undefined;
}

export interface ForgedResultsRemoval {
  /** The header block without the forged fields (the same bytes when there were none). */
  header: Buffer;
  /** How many fields were removed. */
  removed: number;
}

/**
 * RFC 8601 §5: removes every Authentication-Results field that claims our
 * authserv-id from a header block that came from outside. `complete` says
 * whether the block is whole; when it was cut (a header block larger than
 * what was read), its last field may go on beyond the cut and is kept.
 */
export function removeForgedResults(
  header: Buffer,
  authservId: string,
  options: { complete: boolean },
): ForgedResultsRemoval {
  const extents = fieldExtents(header);
  const last = extents.at(-1);
  const kept: Buffer[] = [];
  let removed = 0;
  let copiedUpTo = 0;
  for (const extent of extents) {
    if (extent === last && !options.complete) break;
    const [field] = headerFields(header.subarray(extent.start, extent.end));
    if (field?.name !== FIELD_NAME || !claimsAuthservId(field.value, authservId)) continue;
    kept.push(header.subarray(copiedUpTo, extent.start));
    copiedUpTo = extent.end;
    removed++;
  }
  if (removed === 0) return { header, removed };
  kept.push(header.subarray(copiedUpTo));
  return { header: Buffer.concat(kept), removed };
}

/**
 * Where each field of a header block starts and ends: its first line and
 * the folded lines after it (RFC 5322 §2.2.3), line breaks included. Stops
 * at the empty line; a bare LF ends a line as CRLF does.
 */
function fieldExtents(header: Buffer): { start: number; end: number }[] {
  const extents: { start: number; end: number }[] = [];
  let start = 0;
  while (start < header.length) {
    const lf = header.indexOf(LF, start);
    const end = lf === -1 ? header.length : lf + 1;
    const first = header[start];
    if (first === LF || (first === CR && header[start + 1] === LF)) break; // the empty line
    const current = extents.at(-1);
    if ((first === SPACE || first === TAB) && current && current.end === start) current.end = end;
    else extents.push({ start, end });
    start = end;
  }
  return extents;
}

/** Skips white space and (nested) comments, RFC 5322 §3.2.2 CFWS. */
function skipCfws(text: string, from: number): number {
  let index = from;
  let depth = 0;
  while (index < text.length) {
    const char = text[index];
    if (depth > 0 && char === '\\') index++;
    else if (char === '(') depth++;
    else if (char === ')' && depth > 0) depth--;
    else if (depth === 0 && !/\s/.test(char ?? '')) break;
    index++;
  }
  return index;
}

function withoutFinalDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
