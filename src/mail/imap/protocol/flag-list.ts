/**
 * Flags as clients send them (RFC 9051 §9 flag, flag-list): a system flag
 * "\Seen", a flag extension "\Foo", or a keyword atom "$Forwarded".
 *
 * System flags are given in their canonical case ("\seen" → "\Seen").
 * "\Recent" is dropped without complaint: no client may set it (RFC 3501
 * §2.3.2), it is gone from IMAP4rev2, and tools that copy mail between
 * servers replay it from the source's FETCH FLAGS; refusing the whole
 * STORE or APPEND for it would help nobody.
 */
import { CLOSE_PAREN, OPEN_PAREN, SP, type Tokenizer } from './tokenizer.ts';

const SYSTEM_FLAGS = new Map(
  ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft'].map((flag) => [flag.toUpperCase(), flag]),
);
const BACKSLASH = 0x5c;

/** One flag; undefined for "\Recent", which is ignored. */
export function readFlag(tokens: Tokenizer): string | undefined {
  if (!tokens.skip(BACKSLASH)) return tokens.atom('flag');
  // RFC 9051 §9 flag-extension = "\" atom ("\*" exists only in PERMANENTFLAGS).
  const name = `\\${tokens.atom('flag')}`;
  const upper = name.toUpperCase();
  if (upper === '\\RECENT') return undefined;
  return SYSTEM_FLAGS.get(upper) ?? name;
}

/** RFC 9051 §9 flag-list = "(" [flag *(SP flag)] ")". */
export function readFlagList(tokens: Tokenizer): string[] {
  tokens.expect(OPEN_PAREN, 'flag list');
  const flags: string[] = [];
  if (tokens.skip(CLOSE_PAREN)) return flags;
  do {
    const flag = readFlag(tokens);
    if (flag !== undefined) flags.push(flag);
  } while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the flag list');
  return flags;
}

/** STORE's flags (RFC 9051 §9 store-att-flags): a flag list, or flags separated by SP up to the end. */
export function readStoreFlags(tokens: Tokenizer): string[] {
  if (tokens.peek() === OPEN_PAREN) return readFlagList(tokens);
  const flags: string[] = [];
  do {
    const flag = readFlag(tokens);
    if (flag !== undefined) flags.push(flag);
  } while (tokens.separator());
  return flags;
}
