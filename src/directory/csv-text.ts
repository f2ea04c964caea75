/** A problem on one line of a CSV file; the header is line 1. */
export interface LineError {
  line: number;
  message: string;
}

/** The character encodings a CSV file may come in. Excel in Japan writes Shift_JIS. */
export type CsvEncoding = 'utf-8' | 'shift_jis';

export type DecodedCsv = { ok: true; text: string; encoding: CsvEncoding } | { ok: false; error: LineError };

const BOM = '\uFEFF';

/**
 * Bytes to text. 'auto' takes UTF-8 when the bytes are valid UTF-8 (a file of
 * plain ASCII is both), else Shift_JIS. A byte sequence valid in neither is
 * an error naming the first line where it occurs, never a replacement
 * character written to the database.
 */
export function decodeCsv(input: Uint8Array, encoding: 'auto' | CsvEncoding): DecodedCsv {
  const candidates: CsvEncoding[] = encoding === 'auto' ? ['utf-8', 'shift_jis'] : [encoding];
  for (const candidate of candidates) {
    try {
      const text = new TextDecoder(candidate, { fatal: true, ignoreBOM: true }).decode(input);
      return { ok: true, text: text.startsWith(BOM) ? text.slice(1) : text, encoding: candidate };
    } catch {
      // try the next one
    }
  }
  const last = candidates.at(-1) ?? 'utf-8';
  const line = firstUndecodableLine(input, last);
  const names = candidates.map((c) => (c === 'utf-8' ? 'UTF-8' : 'Shift_JIS')).join(' or ');
  return { ok: false, error: { line, message: `line ${line} is not valid ${names} text` } };
}

/** 0x0A never occurs inside a multi-byte character in UTF-8 or Shift_JIS, so lines can be decoded apart. */
function firstUndecodableLine(input: Uint8Array, encoding: CsvEncoding): number {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let start = 0;
  for (let line = 1; start <= input.length; line++) {
    let end = input.indexOf(0x0a, start);
    if (end < 0) end = input.length;
    try {
      decoder.decode(input.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return 1;
}

export interface CsvRecord {
  /** The line the record starts on, the header being line 1. */
  line: number;
  fields: string[];
}

export type ParsedCsv = { ok: true; records: CsvRecord[] } | { ok: false; error: LineError };

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/**
 * RFC 4180 records, each with the line it starts on; blank lines are skipped.
 * Line breaks are CRLF, LF or a lone CR, inside quotes too. Hand-written
 * rather than a library's, because the line numbers are what an admin fixes
 * the file by, and they must stay exact after a quoted line break.
 */
export function parseCsvRecords(text: string): ParsedCsv {
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text.charCodeAt(i) === QUOTE) {
        const opened = line;
        i++;
        for (;;) {
          const close = text.indexOf('"', i);
          if (close < 0) return failure(opened, 'a quote opened on this line is never closed');
          line += countLineBreaks(text, i, close);
          field += text.slice(i, close);
          i = close + 1;
          if (text.charCodeAt(i) !== QUOTE) break;
          field += '"';
          i++;
        }
        const next = text.charCodeAt(i);
        if (i < text.length && next !== COMMA && next !== CR && next !== LF) {
          return failure(line, `unexpected ${JSON.stringify(text.charAt(i))} after a closing quote`);
        }
      } else {
        let end = i;
        for (let c = text.charCodeAt(end); end < text.length && c !== COMMA && c !== CR && c !== LF;) {
          if (c === QUOTE)
            return failure(
              line,
              'a quote in the middle of an unquoted field (quote the whole field and double the quote)',
            );
          c = text.charCodeAt(++end);
        }
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (text.charCodeAt(i) !== COMMA) break;
      i++;
    }
    // At a line break or the end of the text.
    if (text.charCodeAt(i) === CR) i++;
    if (text.charCodeAt(i) === LF) i++;
    line++;
    if (fields.length > 1 || fields[0] !== '') records.push({ line: start, fields });
  }
  return { ok: true, records };
}

function failure(line: number, problem: string): ParsedCsv {
  return { ok: false, error: { line, message: `the CSV cannot be read: ${problem}` } };
}

/** Line breaks in text[from, to): CRLF, LF or a lone CR. */
function countLineBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}
