/**
 * The grammar of the commands about messages (RFC 9051 §6.4), each also
 * valid after "UID" (RFC 9051 §6.4.9), plus SORT and THREAD (RFC 5256),
 * ESORT (RFC 5267) and UID EXPUNGE (RFC 4315). Each reader starts after the
 * command name and leaves the cursor where the command should end.
 */
import type { Command, SearchReturn, StoreOperation } from './ast.ts';
import { readFetchItems, readFetchModifiers } from './fetch-items.ts';
import { readStoreFlags } from './flag-list.ts';
import { readMailbox, type CommandGrammar } from './command-grammar.ts';
import { readSearchProgram, readSearchReturn, readSortCriteria } from './search-keys.ts';
import { readSequenceSet } from './sequence-set.ts';
import {
  CLOSE_PAREN,
  CommandSyntaxError,
  MAX_NUMBER64,
  OPEN_PAREN,
  quote,
  SP,
  type Tokenizer,
} from './tokenizer.ts';

/** RFC 9051 §6.4.5 FETCH sequence-set SP items [SP "(" modifiers ")"]. */
const readFetch: CommandGrammar = (tokens, { uid }) => {
  tokens.space('sequence set');
  const set = readSequenceSet(tokens);
  tokens.space('fetch items');
  const items = readFetchItems(tokens);
  const modifiers = tokens.separator() ? readFetchModifiers(tokens, uid) : {};
  return { name: 'FETCH', uid, set, items, modifiers };
};

const STORE_ITEMS: Record<string, [StoreOperation, boolean]> = {
  FLAGS: ['replace', false],
  'FLAGS.SILENT': ['replace', true],
  '+FLAGS': ['add', false],
  '+FLAGS.SILENT': ['add', true],
  '-FLAGS': ['remove', false],
  '-FLAGS.SILENT': ['remove', true],
};

/**
 * RFC 9051 §6.4.6 STORE sequence-set [store-modifiers] SP store-att-flags, with
 * RFC 7162 §3.1.3 store-modifiers = SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")".
 */
const readStore: CommandGrammar = (tokens, { uid }) => {
  tokens.space('sequence set');
  const set = readSequenceSet(tokens);
  tokens.space('FLAGS');
  let unchangedSince: number | undefined;
  if (tokens.skip(OPEN_PAREN)) {
    do {
      const modifier = tokens.keyword('STORE modifier');
      if (modifier !== 'UNCHANGEDSINCE' || unchangedSince !== undefined) {
        throw new CommandSyntaxError(`unknown or repeated STORE modifier ${quote(modifier)}`);
      }
      tokens.space('UNCHANGEDSINCE mod-sequence');
      unchangedSince = tokens.number('UNCHANGEDSINCE mod-sequence', MAX_NUMBER64);
    } while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the STORE modifiers');
    tokens.space('FLAGS');
  }
  const item = tokens.keyword('FLAGS, +FLAGS or -FLAGS');
  const operation = Object.hasOwn(STORE_ITEMS, item) ? STORE_ITEMS[item] : undefined;
  if (!operation) throw new CommandSyntaxError(`unknown STORE item ${quote(item)}`);
  tokens.space('flags');
  const command: Command = {
    name: 'STORE',
    uid,
    set,
    operation: operation[0],
    silent: operation[1],
    flags: readStoreFlags(tokens),
  };
  if (unchangedSince !== undefined) command.unchangedSince = unchangedSince;
  return command;
};

/** RFC 9051 §6.4.7 COPY / RFC 6851 MOVE: sequence-set SP mailbox. */
function readCopy(name: 'COPY' | 'MOVE'): CommandGrammar {
  return (tokens, { uid }) => {
    tokens.space('sequence set');
    const set = readSequenceSet(tokens);
    return { name, uid, set, mailbox: readMailbox(tokens) };
  };
}

/** RFC 4731 §3.1 / RFC 5267 §3.2: SP "RETURN" SP "(" options ")", optional. */
function readReturn(tokens: Tokenizer): SearchReturn[] | undefined {
  if (!tokens.skipKeyword('RETURN')) return undefined;
  tokens.space('RETURN options');
  const returns = readSearchReturn(tokens);
  tokens.space('search criteria');
  return returns;
}

/** RFC 9051 §6.4.4 SEARCH [search-return-opts] SP search-program. */
const readSearch: CommandGrammar = (tokens, { uid }) => {
  tokens.space('search criteria');
  const returns = readReturn(tokens);
  const { charset, key } = readSearchProgram(tokens);
  const command: Command = { name: 'SEARCH', uid, charset, key };
  if (returns) command.returns = returns;
  return command;
};

/** RFC 5256 §5 SORT sort-criteria SP charset 1*(SP search-key), RETURN options from RFC 5267 §3.2. */
const readSort: CommandGrammar = (tokens, { uid }) => {
  tokens.space('sort criteria');
  const returns = readReturn(tokens);
  const criteria = readSortCriteria(tokens);
  tokens.space('charset');
  const { charset, key } = readSearchProgram(tokens, true);
  const command: Command = { name: 'SORT', uid, criteria, charset, key };
  if (returns) command.returns = returns;
  return command;
};

/** RFC 5256 §5 THREAD thread-alg SP charset 1*(SP search-key). */
const readThread: CommandGrammar = (tokens, { uid }) => {
  tokens.space('thread algorithm');
  const algorithm = tokens.keyword('thread algorithm');
  if (algorithm !== 'REFERENCES' && algorithm !== 'ORDEREDSUBJECT') {
    throw new CommandSyntaxError(`unknown thread algorithm ${quote(algorithm)}`);
  }
  tokens.space('charset');
  const { charset, key } = readSearchProgram(tokens, true);
  return { name: 'THREAD', uid, algorithm, charset, key };
};

/** RFC 9051 §6.4.3 EXPUNGE; with UID, RFC 4315 §2.1 UID EXPUNGE sequence-set. */
const readExpunge: CommandGrammar = (tokens, { uid }) => {
  if (!uid) return { name: 'EXPUNGE' };
  tokens.space('UID set');
  return { name: 'UID EXPUNGE', set: readSequenceSet(tokens, { what: 'UID set' }) };
};

/** The commands that may follow "UID" (RFC 9051 §6.4.9 and the extensions above). */
export const MESSAGE_COMMANDS: Record<string, CommandGrammar> = {
  FETCH: readFetch,
  STORE: readStore,
  COPY: readCopy('COPY'),
  MOVE: readCopy('MOVE'),
  SEARCH: readSearch,
  SORT: readSort,
  THREAD: readThread,
  EXPUNGE: readExpunge,
};
