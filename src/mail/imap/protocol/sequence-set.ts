/**
 * RFC 9051 §9 sequence-set: "1:*,5,7:3" (ranges in either order, "*" for
 * the largest number in use) or "$", the saved search result (RFC 5182).
 * Read in one pass over the characters: a client may send 100,000 UIDs.
 */
import type { SeqNumber, SeqRange, SequenceSet } from './ast.ts';
import { CharClass, CommandSyntaxError, MAX_NUMBER, quote, type Tokenizer } from './tokenizer.ts';

export interface SequenceSetOptions {
  /** What the set is, for messages ("sequence set", "known UIDs"). */
  what?: string;
  /** "*" allowed (not in QRESYNC's known UIDs, RFC 7162 §3.2.5). */
  star?: boolean;
  /** "$" allowed (RFC 5182). */
  saved?: boolean;
}

/** Reads a sequence set at the cursor. */
export function readSequenceSet(tokens: Tokenizer, options: SequenceSetOptions = {}): SequenceSet {
  const what = options.what ?? 'sequence set';
  const text = tokens.run(CharClass.sequence);
  if (text === '') tokens.fail(what);
  return parseSequenceSet(text, options);
}

/** Parses the text of a sequence set; throws CommandSyntaxError naming what is wrong. */
export function parseSequenceSet(text: string, options: SequenceSetOptions = {}): SequenceSet {
  if (text === '$') {
    if (options.saved === false) throw invalid(text, options, '"$" is not allowed here');
    return { kind: 'saved' };
  }
  const ranges: SeqRange[] = [];
  const cursor = { at: 0 };
  for (;;) {
    const start = seqNumber(text, cursor, options);
    let end = start;
    if (text.charCodeAt(cursor.at) === 0x3a) {
      cursor.at++;
      end = seqNumber(text, cursor, options);
    }
    ranges.push({ start, end });
    if (cursor.at === text.length) break;
    if (text.charCodeAt(cursor.at) !== 0x2c) throw invalid(text, options, `unexpected "${text[cursor.at]}"`);
    cursor.at++;
  }
  return { kind: 'set', ranges };
}

/** RFC 9051 §9 seq-number = nz-number / "*", at cursor.at. */
function seqNumber(text: string, cursor: { at: number }, options: SequenceSetOptions): SeqNumber {
  let at = cursor.at;
  if (text.charCodeAt(at) === 0x2a) {
    if (options.star === false) throw invalid(text, options, '"*" is not allowed here');
    cursor.at = at + 1;
    return '*';
  }
  const start = at;
  let value = 0;
  for (; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 0x30 || code > 0x39) break;
    value = value * 10 + (code - 0x30);
    if (value > MAX_NUMBER) throw invalid(text, options, `numbers go up to ${MAX_NUMBER}`);
  }
  if (at === start)
    throw invalid(text, options, at === text.length ? 'it ends too early' : `unexpected "${text[at]}"`);
  if (value === 0) throw invalid(text, options, '0 is not a message number');
  cursor.at = at;
  return value;
}

function invalid(text: string, options: SequenceSetOptions, reason: string): CommandSyntaxError {
  return new CommandSyntaxError(`invalid ${options.what ?? 'sequence set'} "${quote(text)}": ${reason}`);
}
