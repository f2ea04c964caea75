/**
 * One command frame to a typed command (RFC 9051 §9 formal syntax, RFC 3501
 * commands and the extensions in ast.ts), or to the reason it is not one:
 * BAD for syntax, NO [BADCHARSET] for a CHARSET this server cannot decode.
 * No I/O, no state: the server checks meaning (state, mailbox, rights).
 */
import type { Command, ParseFailure, TaggedCommand } from './ast.ts';
import type { CommandFrame } from './command-reader.ts';
import type { CommandGrammar, GrammarContext } from './command-grammar.ts';
import { MAILBOX_COMMANDS } from './mailbox-commands.ts';
import { MESSAGE_COMMANDS } from './message-commands.ts';
import { CharClass, CLOSE_PAREN, CommandSyntaxError, OPEN_PAREN, quote, SP, Tokenizer } from './tokenizer.ts';

export interface ParserOptions {
  /**
   * UTF8=ACCEPT is enabled or IMAP4rev2 is in use. 8-bit UTF-8 in quoted
   * strings is accepted either way (harmless, and some clients send it);
   * this only allows APPEND's "UTF8 (~{n}…)" form (RFC 6855 §4).
   */
  utf8: boolean;
}

/** RFC 2971 §3.3 ID: "(" *(string SP nstring) ")" / NIL. Field names may come as atoms, leniently. */
const readId: CommandGrammar = (tokens) => {
  tokens.space('ID parameters');
  if (tokens.skipKeyword('NIL')) return { name: 'ID', params: null };
  tokens.expect(OPEN_PAREN, 'ID parameters');
  const params: Array<[string, string | null]> = [];
  if (!tokens.skip(CLOSE_PAREN)) {
    do {
      const field = tokens.astringText('ID field');
      tokens.space('ID value');
      params.push([field, tokens.nstring('ID value')]);
    } while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the ID parameters');
  }
  return { name: 'ID', params };
};

/** RFC 9051 §6.2.3 LOGIN userid SP password (astrings). */
const readLogin: CommandGrammar = (tokens) => {
  tokens.space('user name');
  const user = tokens.astringText('user name');
  tokens.space('password');
  return { name: 'LOGIN', user, password: tokens.astringText('password') };
};

/** RFC 9051 §9 base64 = *(4base64-char) [base64-terminal]. */
function isBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  for (let at = 0; at < text.length - padding; at++) {
    const code = text.charCodeAt(at);
    const ok =
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x2b ||
      code === 0x2f;
    if (!ok) return false;
  }
  return true;
}

/**
 * RFC 9051 §6.2.2 AUTHENTICATE auth-type [SP initial-resp] (RFC 4959). The
 * mechanism is upper-cased; the initial response is the base64 text as sent,
 * "=" standing for an empty response.
 */
const readAuthenticate: CommandGrammar = (tokens) => {
  tokens.space('SASL mechanism');
  const mechanism = tokens.keyword('SASL mechanism');
  if (!tokens.separator()) return { name: 'AUTHENTICATE', mechanism };
  const initialResponse = tokens.atom('initial response');
  if (initialResponse !== '=' && !isBase64(initialResponse)) {
    throw new CommandSyntaxError('the initial response is not base64');
  }
  return { name: 'AUTHENTICATE', mechanism, initialResponse };
};

/** RFC 5161 §3.1 ENABLE 1*(SP capability), upper-cased. */
const readEnable: CommandGrammar = (tokens) => {
  tokens.space('capability');
  const capabilities = [tokens.keyword('capability')];
  while (tokens.separator()) capabilities.push(tokens.keyword('capability'));
  return { name: 'ENABLE', capabilities };
};

function bare(name: Command['name']): CommandGrammar {
  return () => ({ name }) as Command;
}

const COMMANDS: Record<string, CommandGrammar> = {
  CAPABILITY: bare('CAPABILITY'),
  NOOP: bare('NOOP'),
  LOGOUT: bare('LOGOUT'),
  STARTTLS: bare('STARTTLS'),
  NAMESPACE: bare('NAMESPACE'),
  IDLE: bare('IDLE'),
  CHECK: bare('CHECK'),
  CLOSE: bare('CLOSE'),
  UNSELECT: bare('UNSELECT'),
  ID: readId,
  LOGIN: readLogin,
  AUTHENTICATE: readAuthenticate,
  ENABLE: readEnable,
  ...MAILBOX_COMMANDS,
  ...MESSAGE_COMMANDS,
};

/** Parses one frame from the CommandReader. */
export function parseCommand(
  frame: CommandFrame,
  options: ParserOptions = { utf8: false },
): TaggedCommand | ParseFailure {
  const tokens = new Tokenizer(frame);
  // RFC 9051 §9 tag = 1*<any ASTRING-CHAR except "+">, then SP.
  const tag = tokens.run(CharClass.tag);
  if (tag === '' || (!tokens.atEnd() && tokens.peek() !== SP)) {
    return {
      status: 'BAD',
      message: tokens.atEnd() && tag === '' ? 'empty command line' : 'missing or invalid tag',
    };
  }
  let label = '';
  try {
    tokens.space('command name');
    let name = tokens.keyword('command name');
    label = name;
    const context: GrammarContext = { uid: false, utf8: options.utf8 };
    if (name === 'UID') {
      // RFC 9051 §6.4.9: UID before the commands that take message numbers.
      tokens.space('command after UID');
      name = tokens.keyword('command after UID');
      label = `UID ${name}`;
      if (!Object.hasOwn(MESSAGE_COMMANDS, name)) return unknownCommand(tag, label);
      context.uid = true;
    }
    const grammar = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!grammar) return unknownCommand(tag, label);
    const command = grammar(tokens, context);
    tokens.end();
    return { tag, command };
  } catch (error) {
    if (!(error instanceof CommandSyntaxError)) throw error;
    const failure: ParseFailure = {
      tag,
      status: error.status,
      message: label ? `${label}: ${error.message}` : error.message,
    };
    if (error.code !== undefined) failure.code = error.code;
    return failure;
  }
}

function unknownCommand(tag: string, name: string): ParseFailure {
  return { tag, status: 'BAD', message: `unknown command ${quote(name)}` };
}

/**
 * The frame's text as one line (for AUTHENTICATE responses and IDLE's
 * DONE), octet for octet (latin1); a literal, should one be there, is
 * inserted in its place without its marker.
 */
export function frameText(frame: CommandFrame): string {
  return Buffer.concat(frame.chunks.map((chunk) => chunk.bytes)).toString('latin1');
}
