/**
 * The grammar of the commands about mailboxes (RFC 9051 §6.3 and the
 * extensions this server offers). Each reader starts after the command name
 * and leaves the cursor where the command should end.
 */
import type { Command, QresyncParams } from './ast.ts';
import { readMailbox, type CommandGrammar, type GrammarContext } from './command-grammar.ts';
import { parseDateTime } from './date-time.ts';
import { readFlagList } from './flag-list.ts';
import { readListArgs, readLsubArgs, readStatusItems } from './list-args.ts';
import { readSequenceSet } from './sequence-set.ts';
import {
  CLOSE_PAREN,
  CommandSyntaxError,
  DQUOTE,
  MAX_NUMBER,
  MAX_NUMBER64,
  OPEN_PAREN,
  quote,
  SP,
  type Tokenizer,
} from './tokenizer.ts';

/** RFC 9051 §6.3.2 SELECT / §6.3.3 EXAMINE, with RFC 4466 select-params (CONDSTORE, QRESYNC of RFC 7162). */
function readSelect(name: 'SELECT' | 'EXAMINE'): CommandGrammar {
  return (tokens) => {
    const mailbox = readMailbox(tokens);
    const command: Extract<Command, { name: 'SELECT' | 'EXAMINE' }> = { name, mailbox, condstore: false };
    if (!tokens.separator()) return command;
    tokens.expect(OPEN_PAREN, 'select parameters');
    if (tokens.skip(CLOSE_PAREN)) return command;
    do {
      const parameter = tokens.keyword('select parameter');
      if (parameter === 'CONDSTORE' && !command.condstore) command.condstore = true;
      else if (parameter === 'QRESYNC' && !command.qresync) command.qresync = readQresync(tokens);
      else throw new CommandSyntaxError(`unknown or repeated parameter ${quote(parameter)}`);
    } while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the select parameters');
    return command;
  };
}

/**
 * RFC 7162 §3.2.5: "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
 * [SP seq-match-data] ")"; seq-match-data = "(" known-sequence-set SP known-uid-set ")".
 * "*" is not allowed in these sets, nor "$".
 */
function readQresync(tokens: Tokenizer): QresyncParams {
  tokens.space('QRESYNC parameters');
  tokens.expect(OPEN_PAREN, 'QRESYNC parameters');
  const uidValidity = tokens.number('QRESYNC UIDVALIDITY', MAX_NUMBER, true);
  tokens.space('QRESYNC mod-sequence');
  const params: QresyncParams = { uidValidity, modseq: tokens.number('QRESYNC mod-sequence', MAX_NUMBER64) };
  const strict = { star: false, saved: false };
  if (tokens.skip(SP) && tokens.peek() !== OPEN_PAREN) {
    params.knownUids = readSequenceSet(tokens, { ...strict, what: 'known UIDs' });
    if (!tokens.skip(SP)) {
      tokens.expect(CLOSE_PAREN, '")" closing the QRESYNC parameters');
      return params;
    }
  }
  if (tokens.skip(OPEN_PAREN)) {
    const seqs = readSequenceSet(tokens, { ...strict, what: 'known sequence set' });
    tokens.space('known UID set');
    const uids = readSequenceSet(tokens, { ...strict, what: 'known UID set' });
    tokens.expect(CLOSE_PAREN, '")" closing the sequence match data');
    params.sequenceMatch = { seqs, uids };
  }
  tokens.expect(CLOSE_PAREN, '")" closing the QRESYNC parameters');
  return params;
}

/** RFC 6154 §5.2 use-attr, in canonical case. */
const USE_ATTRIBUTES = new Map(
  ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'].map((attribute) => [
    attribute.toUpperCase(),
    attribute,
  ]),
);

/** RFC 9051 §6.3.4 CREATE, with RFC 6154 §3 create-param "USE" SP "(" [use-attr *(SP use-attr)] ")". */
function readCreate(tokens: Tokenizer): Command {
  const mailbox = readMailbox(tokens);
  const specialUse: string[] = [];
  if (tokens.separator()) {
    tokens.expect(OPEN_PAREN, 'CREATE parameters');
    do {
      const parameter = tokens.keyword('CREATE parameter');
      if (parameter !== 'USE') throw new CommandSyntaxError(`unknown parameter ${quote(parameter)}`);
      tokens.space('USE attributes');
      tokens.expect(OPEN_PAREN, 'USE attributes');
      if (!tokens.skip(CLOSE_PAREN)) {
        do specialUse.push(readUseAttribute(tokens));
        while (tokens.skip(SP));
        tokens.expect(CLOSE_PAREN, '")" closing the USE attributes');
      }
    } while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the CREATE parameters');
  }
  return { name: 'CREATE', mailbox, specialUse };
}

function readUseAttribute(tokens: Tokenizer): string {
  tokens.expect(0x5c, 'special-use attribute'); // "\"
  const name = `\\${tokens.atom('special-use attribute')}`;
  // RFC 6154 §6 use-attr-ext = "\" atom: kept as sent, the server refuses what it does not know.
  return USE_ATTRIBUTES.get(name.toUpperCase()) ?? name;
}

/**
 * RFC 9051 §6.3.12 APPEND: mailbox [SP flag-list] [SP date-time] SP literal, the literal
 * possibly a literal8 (RFC 3516 §4.4), or with UTF8=ACCEPT "UTF8" SP "(" literal8 ")" (RFC 6855 §4).
 */
function readAppend(tokens: Tokenizer, context: GrammarContext): Command {
  const mailbox = readMailbox(tokens);
  tokens.space('message literal');
  let flags: string[] = [];
  if (tokens.peek() === OPEN_PAREN) {
    flags = readFlagList(tokens);
    tokens.space('message literal');
  }
  let date: number | undefined;
  if (tokens.peek() === DQUOTE) {
    const text = tokens.quoted('date-time').toString('latin1');
    date = parseDateTime(text);
    if (date === undefined)
      throw new CommandSyntaxError(`invalid date-time "${quote(text)}" (like "17-Jul-1996 02:44:25 -0700")`);
    tokens.space('message literal');
  }
  let literal;
  if (context.utf8 && tokens.skipKeyword('UTF8')) {
    tokens.space('UTF8 message');
    tokens.expect(OPEN_PAREN, 'UTF8 message');
    literal = tokens.literal('UTF8 message literal8', true);
    tokens.expect(CLOSE_PAREN, '")" after the UTF8 message');
  } else {
    if (!tokens.atLiteral()) tokens.fail('message literal');
    literal = tokens.literal('message literal', true);
  }
  // RFC 9051 §9 literal = CHAR8 octets: NUL only in a literal8.
  if (!literal.binary && literal.bytes.includes(0)) {
    throw new CommandSyntaxError('the message holds NUL octets: send it as a literal8 (~{n})');
  }
  const command: Command = { name: 'APPEND', mailbox, flags, message: literal.bytes, binary: literal.binary };
  if (date !== undefined) command.date = date;
  return command;
}

/** RFC 9208 §4.3 SETQUOTA quota-root-name SP "(" [resource-name SP number64 *(SP …)] ")". */
function readSetQuota(tokens: Tokenizer): Command {
  tokens.space('quota root');
  const root = tokens.astringText('quota root');
  tokens.space('resource limits');
  tokens.expect(OPEN_PAREN, 'resource limits');
  const limits: Array<[string, number]> = [];
  if (!tokens.skip(CLOSE_PAREN)) {
    do {
      const resource = tokens.keyword('resource name');
      tokens.space(`${resource} limit`);
      limits.push([resource, tokens.number(`${resource} limit`, MAX_NUMBER64)]);
    } while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the resource limits');
  }
  return { name: 'SETQUOTA', root, limits };
}

export const MAILBOX_COMMANDS: Record<string, CommandGrammar> = {
  SELECT: readSelect('SELECT'),
  EXAMINE: readSelect('EXAMINE'),
  CREATE: readCreate,
  DELETE: (tokens) => ({ name: 'DELETE', mailbox: readMailbox(tokens) }),
  RENAME: (tokens) => ({
    name: 'RENAME',
    from: readMailbox(tokens),
    to: readMailbox(tokens, 'new mailbox name'),
  }),
  SUBSCRIBE: (tokens) => ({ name: 'SUBSCRIBE', mailbox: readMailbox(tokens) }),
  UNSUBSCRIBE: (tokens) => ({ name: 'UNSUBSCRIBE', mailbox: readMailbox(tokens) }),
  LIST: (tokens) => {
    tokens.space('LIST arguments');
    return { name: 'LIST', ...readListArgs(tokens) };
  },
  LSUB: (tokens) => {
    tokens.space('reference');
    return { name: 'LSUB', ...readLsubArgs(tokens) };
  },
  STATUS: (tokens) => {
    const mailbox = readMailbox(tokens);
    tokens.space('status items');
    return { name: 'STATUS', mailbox, items: readStatusItems(tokens) };
  },
  APPEND: readAppend,
  GETQUOTA: (tokens) => {
    tokens.space('quota root');
    return { name: 'GETQUOTA', root: tokens.astringText('quota root') };
  },
  GETQUOTAROOT: (tokens) => ({ name: 'GETQUOTAROOT', mailbox: readMailbox(tokens) }),
  SETQUOTA: readSetQuota,
};
