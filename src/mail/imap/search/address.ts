import { decodeEncodedWords } from './charset.ts';

/** One mailbox of an address header, as SORT and DISPLAY need it. */
export interface MailboxAddress {
  /** Display name, RFC 2047 words decoded, quotes removed; "" when none. */
  name: string;
  /** IMAP addr-mailbox (the local part, RFC 9051 §7.5.2 ENVELOPE), lower case. */
  mailbox: string;
  /** IMAP addr-host (the domain), lower case; "" for a bare local part. */
  host: string;
}

/** Only the start of a field is read: the first mailbox is all that is wanted. */
const MAX_SCAN = 4096;

interface Scan {
  /** Words of the display name (quoted strings unquoted) so far. */
  phrase: string[];
  /** The text of the last comment: the old "addr (Name)" form. */
  comment: string;
}

/**
 * The first mailbox of an address-list (RFC 5322 §3.4): "Name <a@b>",
 * "a@b (Name)", a bare "a@b", or the first member of a group. The value is
 * text already (raw charsets decoded); encoded words are decoded in the
 * name only after the structure is read, so a decoded comma cannot split a
 * name. Returns null for an empty list or a group with no members.
 */
export function firstMailbox(value: string): MailboxAddress | null {
  const text = value.length > MAX_SCAN ? value.slice(0, MAX_SCAN) : value;
  let scan: Scan = { phrase: [], comment: '' };
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const end = quotedEnd(text, i);
      scan.phrase.push(unquote(text.slice(i + 1, end)));
      i = end + 1;
    } else if (char === '(') {
      const end = commentEnd(text, i);
      scan.comment = text.slice(i + 1, end).trim();
      i = end + 1;
    } else if (char === '<') {
      const end = text.indexOf('>', i);
      const spec = text.slice(i + 1, end === -1 ? text.length : end);
      const address = fromSpec(spec, nameOf(scan.phrase.join(' ')));
      if (address) return address;
      scan = { phrase: [], comment: '' };
      i = end === -1 ? text.length : end + 1;
    } else if (char === ':') {
      // RFC 5322 §3.4 group: what came before is the group's name.
      scan = { phrase: [], comment: '' };
      i++;
    } else if (char === ',' || char === ';') {
      const address = bareAddress(scan);
      if (address) return address;
      scan = { phrase: [], comment: '' };
      i++;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      i++;
    } else {
      let end = i;
      while (end < text.length && !' \t\r\n"(<:,;'.includes(text[end] ?? '')) end++;
      scan.phrase.push(text.slice(i, end));
      i = end;
    }
  }
  return bareAddress(scan);
}

/** An address without angle brackets: the words are the addr-spec, a comment the name. */
function bareAddress(scan: Scan): MailboxAddress | null {
  if (scan.phrase.length === 0) return null;
  return fromSpec(scan.phrase.join(''), nameOf(scan.comment));
}

function fromSpec(spec: string, name: string): MailboxAddress | null {
  // An obsolete route ("@a,@b:user@host", RFC 5322 §4.4) is dropped.
  const withoutRoute = spec.includes(':') ? spec.slice(spec.lastIndexOf(':') + 1) : spec;
  const clean = withoutRoute.replace(/\s+/g, '');
  if (clean === '') return null;
  const at = clean.lastIndexOf('@');
  const local = unquote(at === -1 ? clean : clean.slice(0, at).replace(/^"(.*)"$/, '$1'));
  return {
    name,
    mailbox: local.toLowerCase(),
    host: at === -1 ? '' : clean.slice(at + 1).toLowerCase(),
  };
}

function nameOf(phrase: string): string {
  return decodeEncodedWords(phrase).replace(/\s+/g, ' ').trim();
}

function quotedEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

function commentEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return text.length;
}

function unquote(quoted: string): string {
  return quoted.replace(/\\(.)/g, '$1');
}
