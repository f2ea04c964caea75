/**
 * The structured MIME header fields BODYSTRUCTURE reports: Content-Type and
 * Content-Disposition with their parameters (RFC 2045 §5.1, RFC 2183),
 * Content-Transfer-Encoding (RFC 2045 §6.1), Content-Language (RFC 3282).
 * Values are latin1 strings (one character per octet), so 8-bit octets in
 * broken mail survive untouched. Nothing here throws: what cannot be read is
 * dropped or reported as null.
 */

export interface MimeParameter {
  /** Lower case (parameter names are case-insensitive, RFC 2045 §5.1). */
  name: string;
  /** Unquoted, otherwise as sent: no RFC 2231 or RFC 2047 decoding. */
  value: string;
}

export interface MediaType {
  /** Lower case. */
  type: string;
  /** Lower case. */
  subtype: string;
  params: MimeParameter[];
}

export interface Disposition {
  /** Lower case ("inline", "attachment"). */
  type: string;
  params: MimeParameter[];
}

/** RFC 2045 §5.1 token characters; octets above 0x7f are let in (broken mail sends them raw). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z\x80-\xff]+$/;

/** Index just past a quoted string that opens at `start` (or the end of the text when unterminated). */
function quotedEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\') i += 2;
    else if (char === '"') return i + 1;
    else i++;
  }
  return text.length;
}

/** Index just past a comment (nested, RFC 5322 §3.2.2) that opens at `start`. */
function commentEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const char = text[i];
    if (char === '\\') i += 2;
    else {
      if (char === '(') depth++;
      else if (char === ')' && --depth === 0) return i + 1;
      i++;
    }
  }
  return text.length;
}

/** The text with its comments removed (quoted strings kept as they are). */
export function stripComments(text: string): string {
  if (!text.includes('(')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const end = quotedEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (char === '(') {
      i = commentEnd(text, i);
      out += ' ';
    } else {
      out += char;
      i++;
    }
  }
  return out;
}

/** Splits at the semicolons that are neither quoted nor in a comment. */
function splitAtSemicolons(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') i = quotedEnd(text, i);
    else if (char === '(') i = commentEnd(text, i);
    else if (char === ';') {
      pieces.push(text.slice(start, i));
      start = ++i;
    } else i++;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** The content of a quoted string that opens at `start`, escapes removed (unterminated: to the end). */
function readQuoted(text: string, start: number): string {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === '"') break;
    if (char === '\\') i++;
    out += text[i] ?? '';
  }
  return out;
}

/** One "name=value" piece; null when it is not one. */
function parseParameter(piece: string): MimeParameter | null {
  const equals = piece.indexOf('=');
  if (equals === -1) return null;
  const name = stripComments(piece.slice(0, equals)).trim().toLowerCase();
  if (!TOKEN.test(name)) return null;
  const rest = stripComments(piece.slice(equals + 1)).trim();
  if (rest.startsWith('"')) return { name, value: readQuoted(rest, 0) };
  // A token, or (broken mail) unquoted words with spaces: kept whole rather than cut.
  return { name, value: rest };
}

/** RFC 2231 §3: "name*0", "name*1*": a section number and whether the section is extended. */
const CONTINUATION = /^(.+?)\*(\d{1,4})(\*?)$/;

/** RFC 2231 attribute-char: what may appear unencoded in an extended value. */
const ATTRIBUTE_CHAR = /[!#$&+\-.^_`|~0-9A-Za-z]/;

function percentEncode(value: string): string {
  let out = '';
  for (const char of value) {
    out += ATTRIBUTE_CHAR.test(char)
      ? char
      : `%${(char.charCodeAt(0) & 0xff).toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

interface Sections {
  at: number;
  parts: Array<{ index: number; value: string; extended: boolean }>;
}

/**
 * RFC 2231 §3-4: continuations joined into one parameter, still encoded.
 * When any section is extended the result is "name*" with the value
 * "charset'language'%XX…" as sent (unextended sections percent-encoded so
 * the joined value stays one ext-value), as Dovecot reports it; otherwise
 * "name" with the sections concatenated.
 */
function joinContinuations(params: MimeParameter[]): MimeParameter[] {
  const sections = new Map<string, Sections>();
  const out: Array<MimeParameter | string> = [];
  for (const param of params) {
    const match = CONTINUATION.exec(param.name);
    if (!match) {
      out.push(param);
      continue;
    }
    const base = match[1] ?? '';
    let entry = sections.get(base);
    if (!entry) {
      entry = { at: out.length, parts: [] };
      sections.set(base, entry);
      out.push(base);
    }
    entry.parts.push({ index: Number(match[2]), value: param.value, extended: match[3] === '*' });
  }
  return out.map((item) => {
    if (typeof item !== 'string') return item;
    const parts = (sections.get(item)?.parts ?? []).sort((a, b) => a.index - b.index);
    if (!parts.some((part) => part.extended)) {
      return { name: item, value: parts.map((part) => part.value).join('') };
    }
    const value = parts
      .map((part, position) => {
        if (part.extended) return part.value;
        // An unextended first section still needs the charset'language' prefix of an ext-value.
        return (position === 0 ? "''" : '') + percentEncode(part.value);
      })
      .join('');
    return { name: `${item}*`, value };
  });
}

function parseParameters(pieces: string[]): MimeParameter[] {
  const params: MimeParameter[] = [];
  for (const piece of pieces) {
    const param = parseParameter(piece);
    if (param) params.push(param);
  }
  return joinContinuations(params);
}

/** RFC 2045 §5.1 Content-Type; null when the value is syntactically invalid (RFC 2045 §5.2: use the default). */
export function parseMediaType(value: string): MediaType | null {
  const [first = '', ...rest] = splitAtSemicolons(value);
  const media = stripComments(first).trim();
  const slash = media.indexOf('/');
  if (slash === -1) return null;
  const type = media.slice(0, slash).trim().toLowerCase();
  // Trailing junk after the subtype ("text/plain garbage") is ignored, not fatal.
  const subtype = (
    media
      .slice(slash + 1)
      .trim()
      .split(/[\s]/)[0] ?? ''
  ).toLowerCase();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null;
  return { type, subtype, params: parseParameters(rest) };
}

/** RFC 2183 Content-Disposition; null when there is no disposition type. */
export function parseDisposition(value: string): Disposition | null {
  const [first = '', ...rest] = splitAtSemicolons(value);
  const type = stripComments(first).trim().toLowerCase();
  if (!TOKEN.test(type)) return null;
  return { type, params: parseParameters(rest) };
}

/** RFC 2045 §6.1 Content-Transfer-Encoding, lower case; null when empty. */
export function parseEncoding(value: string): string | null {
  const token = stripComments(value).trim().toLowerCase();
  return token === '' ? null : token;
}

/** RFC 3282 Content-Language: the language tags in order; null when there are none. */
export function parseLanguages(value: string): string[] | null {
  const tags = stripComments(value)
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '');
  return tags.length === 0 ? null : tags;
}

/** A field kept as a string (Content-ID, Content-Description, …): null when empty. */
export function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
