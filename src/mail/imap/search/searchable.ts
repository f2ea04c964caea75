import { headerFields } from '../../message/header-block.ts';
import { firstMailbox, type MailboxAddress } from './address.ts';
import { baseSubject } from './base-subject.ts';
import { decodeEncodedWords, headerValueText } from './charset.ts';
import { messageBodyText, splitEntity } from './mime-text.ts';
import { parseSentDate } from './sent-date.ts';

export type { MailboxAddress } from './address.ts';

/**
 * What SEARCH, SORT and THREAD read of a message, decoded once: Japanese
 * mail in ISO-2022-JP, Shift_JIS or EUC-JP (encoded words, raw header bytes,
 * any body charset and transfer encoding) becomes plain text here, so the
 * evaluators only compare strings. Built without mailparser, which is too
 * slow for a SEARCH over 100k messages.
 */
export interface SearchableContent {
  /** Lower-case field name → every value, unfolded, raw charsets and RFC 2047 words decoded. */
  headers: ReadonlyMap<string, readonly string[]>;
  /**
   * Decoded text of the text/* parts and of embedded messages' headers,
   * folded for search (see foldForSearch), at most MimeTextLimits.maxTextChars.
   */
  bodyText: string;
  /** The Date header, ms since the epoch; null when absent or unreadable. */
  sentDate: number | null;
  /** The Date header's day as the sender wrote it (days since 1970-01-01), for SENT*; null with sentDate. */
  sentDay: number | null;
  /** Decoded Subject; "" when none. */
  subject: string;
  /** RFC 5256 §2.1 base subject, folded (NFKC, lower case). */
  baseSubject: string;
  /** RFC 5256 §5: the subject showed a reply or forward (Re:, Fwd:, "(fwd)", "[fwd: …]"). */
  isReplyOrForward: boolean;
  /** First mailbox of From, To and Cc; null when the field is absent or empty. */
  from: MailboxAddress | null;
  to: MailboxAddress | null;
  cc: MailboxAddress | null;
  /** Message-ID without angle brackets; null when none. */
  messageId: string | null;
  /** Message IDs of In-Reply-To, without brackets, in order. */
  inReplyTo: string[];
  /** Message IDs of References, without brackets, in order. */
  references: string[];
}

/**
 * The form both sides of a SEARCH string comparison take: NFKC, so that
 * full-width "ＡＢＣ" matches "ABC" and half-width "ｶｲｷﾞ" matches "カイギ",
 * then lower case, so the match is case-insensitive (RFC 9051 §6.4.4 asks
 * this for ASCII; we extend it to every script with case).
 */
export function foldForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** RFC 5322 §3.6.4 msg-id values, brackets removed, in order. */
export function messageIds(value: string): string[] {
  const ids: string[] = [];
  for (const match of value.matchAll(/<([^<>]*)>/g)) {
    const id = (match[1] ?? '').replace(/\s+/g, '');
    if (id !== '') ids.push(id);
  }
  return ids;
}

/** The Message-ID; one sent without brackets by a careless mailer is taken as it is. */
function messageIdOf(value: string): string | null {
  const bracketed = messageIds(value)[0];
  if (bracketed !== undefined) return bracketed;
  const bare = value.trim();
  return bare !== '' && !/\s/.test(bare) ? bare : null;
}

export function searchableContent(raw: Buffer): SearchableContent {
  const { header, body } = splitEntity(raw);
  const fields = headerFields(header);
  const headers = new Map<string, string[]>();
  for (const field of fields) {
    const value = decodeEncodedWords(headerValueText(field.value));
    const values = headers.get(field.name);
    if (values) values.push(value);
    else headers.set(field.name, [value]);
  }
  // Addresses are parsed before encoded words are decoded (a decoded name may hold a comma).
  const rawText = (name: string): string | undefined => {
    const field = fields.find((candidate) => candidate.name === name);
    return field && headerValueText(field.value);
  };
  const address = (name: string): MailboxAddress | null => {
    const value = rawText(name);
    return value === undefined ? null : firstMailbox(value);
  };
  const subject = headers.get('subject')?.[0] ?? '';
  const base = baseSubject(subject);
  const date = parseSentDate(rawText('date') ?? '');
  return {
    headers,
    bodyText: foldForSearch(messageBodyText(fields, body)),
    sentDate: date?.time ?? null,
    sentDay: date?.day ?? null,
    subject,
    baseSubject: base.text,
    isReplyOrForward: base.isReplyOrForward,
    from: address('from'),
    to: address('to'),
    cc: address('cc'),
    messageId: messageIdOf(rawText('message-id') ?? ''),
    inReplyTo: messageIds(rawText('in-reply-to') ?? ''),
    references: messageIds(rawText('references') ?? ''),
  };
}
