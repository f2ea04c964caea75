import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { CONVERSATION_LIMITS } from '../../protocol/im/conversations.ts';

/**
 * Checks of what a client sends, for every front end (the frame schemas
 * check types; these check the rules, so REST and bots get the same).
 */

function invalid(field: string, message: string): CooError {
  return new CooError(ErrorCode.INVALID_INPUT, `${field}: ${message}`, [{ field, message }]);
}

/** Control characters other than tab and newlines have no place in chat text. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A message text: at most the limit, no control characters; empty only with attachments. */
export function checkMessageText(text: string, hasAttachments: boolean): string {
  if (codePoints(text) > CONVERSATION_LIMITS.messageChars) {
    throw invalid('text', `longer than ${CONVERSATION_LIMITS.messageChars} characters`);
  }
  if (CONTROL.test(text)) throw invalid('text', 'contains control characters');
  if (text.trim() === '' && !hasAttachments) throw invalid('text', 'empty message');
  return text;
}

export function checkTitle(title: string): string {
  const trimmed = title.trim().normalize('NFC');
  if (codePoints(trimmed) > CONVERSATION_LIMITS.titleChars) {
    throw invalid('title', `longer than ${CONVERSATION_LIMITS.titleChars} characters`);
  }
  if (CONTROL.test(trimmed) || /[\n\r\t]/.test(trimmed))
    throw invalid('title', 'contains control characters');
  return trimmed;
}

export function checkClientId(clientId: string | undefined): string | null {
  if (clientId === undefined) return null;
  if (clientId === '' || clientId.length > CONVERSATION_LIMITS.clientIdChars || CONTROL.test(clientId)) {
    throw invalid('clientId', `1 to ${CONVERSATION_LIMITS.clientIdChars} printable characters`);
  }
  return clientId;
}

/** Distinct positive ids, at most `max`. */
export function checkIds(field: string, ids: readonly number[], max: number): number[] {
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 1) throw invalid(field, `${id} is not an id`);
  }
  const distinct = [...new Set(ids)];
  if (distinct.length > max) throw invalid(field, `at most ${max}`);
  return distinct;
}

export function checkSeq(field: string, seq: number): number {
  if (!Number.isSafeInteger(seq) || seq < 0) throw invalid(field, 'a whole number from 0');
  return seq;
}

/** A page size: default when absent, at most max. */
export function checkLimit(limit: number | undefined, defaultLimit: number, max: number): number {
  if (limit === undefined) return defaultLimit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw invalid('limit', `a whole number from 1 to ${max}`);
  }
  return limit;
}
