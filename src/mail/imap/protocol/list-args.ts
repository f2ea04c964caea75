/**
 * The arguments of LIST (RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED,
 * RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE), LSUB (RFC 3501 §6.3.9) and
 * STATUS (RFC 9051 §6.3.11).
 */
import type { ListCommandArgs, StatusItem } from './ast.ts';
import { CLOSE_PAREN, CommandSyntaxError, OPEN_PAREN, quote, SP, type Tokenizer } from './tokenizer.ts';

const STATUS_ITEMS = new Set<string>([
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'DELETED',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'APPENDLIMIT',
] satisfies StatusItem[]);

/** RFC 9051 §9 "(" status-att *(SP status-att) ")". */
export function readStatusItems(tokens: Tokenizer): StatusItem[] {
  tokens.expect(OPEN_PAREN, 'status items');
  const items: StatusItem[] = [];
  do {
    const item = tokens.keyword('status item');
    if (!STATUS_ITEMS.has(item)) throw new CommandSyntaxError(`unknown status item ${quote(item)}`);
    if (!items.includes(item as StatusItem)) items.push(item as StatusItem);
  } while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the status items');
  return items;
}

/** RFC 5258 §3.1 selection options; SPECIAL-USE from RFC 6154 §3. */
const SELECTION_OPTIONS = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);

/**
 * RFC 5258 §6: list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts].
 * Unknown options are BAD (RFC 5258 §3).
 */
export function readListArgs(tokens: Tokenizer): ListCommandArgs {
  let selection: string[] = [];
  if (tokens.peek() === OPEN_PAREN) {
    selection = readSelection(tokens);
    tokens.space('reference');
  }
  const reference = tokens.astringText('reference');
  tokens.space('mailbox pattern');
  const patterns = readPatterns(tokens);
  const returns: ListCommandArgs['returns'] = { subscribed: false, children: false, specialUse: false };
  if (tokens.separator()) {
    if (!tokens.skipKeyword('RETURN')) tokens.fail('RETURN options');
    tokens.space('RETURN options');
    readListReturn(tokens, returns);
  }
  return { selection, reference, patterns, returns };
}

function readSelection(tokens: Tokenizer): string[] {
  tokens.expect(OPEN_PAREN, 'selection options');
  const selection: string[] = [];
  if (!tokens.skip(CLOSE_PAREN)) {
    do {
      const option = tokens.keyword('selection option');
      if (!SELECTION_OPTIONS.has(option))
        throw new CommandSyntaxError(`unknown selection option ${quote(option)}`);
      if (!selection.includes(option)) selection.push(option);
    } while (tokens.skip(SP));
    tokens.expect(CLOSE_PAREN, '")" closing the selection options');
  }
  // RFC 5258 §3.1: RECURSIVEMATCH modifies a base option and never comes alone.
  if (
    selection.includes('RECURSIVEMATCH') &&
    !selection.some((option) => option === 'SUBSCRIBED' || option === 'SPECIAL-USE')
  ) {
    throw new CommandSyntaxError('RECURSIVEMATCH needs SUBSCRIBED (RFC 5258 §3.1)');
  }
  return selection;
}

/** RFC 5258 mbox-or-pat = list-mailbox / patterns; patterns = "(" list-mailbox *(SP list-mailbox) ")". */
function readPatterns(tokens: Tokenizer): string[] {
  if (!tokens.skip(OPEN_PAREN)) return [tokens.listMailbox('mailbox pattern')];
  const patterns: string[] = [];
  do patterns.push(tokens.listMailbox('mailbox pattern'));
  while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the mailbox patterns');
  return patterns;
}

/** RFC 5258 list-return-opts "(" [return-option *(SP return-option)] ")"; STATUS (…) from RFC 5819. */
function readListReturn(tokens: Tokenizer, returns: ListCommandArgs['returns']): void {
  tokens.expect(OPEN_PAREN, 'RETURN options');
  if (tokens.skip(CLOSE_PAREN)) return;
  do {
    const option = tokens.keyword('RETURN option');
    if (option === 'SUBSCRIBED') returns.subscribed = true;
    else if (option === 'CHILDREN') returns.children = true;
    else if (option === 'SPECIAL-USE') returns.specialUse = true;
    else if (option === 'STATUS' && returns.status === undefined) {
      tokens.space('status items');
      returns.status = readStatusItems(tokens);
    } else throw new CommandSyntaxError(`unknown or repeated RETURN option ${quote(option)}`);
  } while (tokens.skip(SP));
  tokens.expect(CLOSE_PAREN, '")" closing the RETURN options');
}

/** RFC 3501 §6.3.9: LSUB reference mailbox-pattern. */
export function readLsubArgs(tokens: Tokenizer): { reference: string; pattern: string } {
  const reference = tokens.astringText('reference');
  tokens.space('mailbox pattern');
  return { reference, pattern: tokens.listMailbox('mailbox pattern') };
}
