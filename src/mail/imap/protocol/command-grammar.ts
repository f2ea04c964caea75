/**
 * What every command's grammar shares: its signature (it starts after the
 * command name and leaves the cursor where the command should end) and the
 * mailbox argument.
 */
import type { Command } from './ast.ts';
import type { Tokenizer } from './tokenizer.ts';

export interface GrammarContext {
  /** Prefixed by UID (RFC 9051 §6.4.9). */
  uid: boolean;
  /** UTF8=ACCEPT is enabled (RFC 6855). */
  utf8: boolean;
}

export type CommandGrammar = (tokens: Tokenizer, context: GrammarContext) => Command;

/**
 * SP mailbox (RFC 9051 §9 mailbox = "INBOX" / astring), decoded as UTF-8 and
 * otherwise as sent: modified UTF-7 stays encoded and "inbox" keeps its case,
 * the server normalises both.
 */
export function readMailbox(tokens: Tokenizer, what = 'mailbox name'): string {
  tokens.space(what);
  return tokens.astringText(what);
}
