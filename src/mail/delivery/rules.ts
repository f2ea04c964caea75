import { z } from 'zod';
import type { MailRuleRow } from '../../store/mail-delivery.ts';
import type { MessageSummary } from '../message/summary.ts';

/**
 * A user's delivery rules, applied in position order at delivery:
 *
 * - block: mail whose envelope sender or From address matches `sender` (an
 *   address, or "@domain" for a domain and its subdomains) is dropped
 *   silently — accepted, never stored, never bounced (what Sieve's
 *   "discard" does), so a blocked sender learns nothing.
 * - file: mail whose field contains the text (case-insensitive) goes into
 *   that folder instead of the INBOX (created when missing); the first
 *   matching file rule wins.
 * - autoreply: while the user is away (between `from` and `until`, ms since
 *   the epoch, either open), each sender gets one reply per period.
 */
export const MAIL_RULE_KINDS = ['block', 'file', 'autoreply'] as const;
export type MailRuleKind = (typeof MAIL_RULE_KINDS)[number];

const SENDER_PATTERN = /^([^\s@]+)?@[a-z0-9-]+(\.[a-z0-9-]+)*$/i;
// IMAP's wildcards and the hierarchy separator at either end make no folder name.
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const MAILBOX_NAME = /^(?!\/)(?!.*\/$)(?!.*\/\/)[^\x00-\x1f\x7f*%]{1,200}$/;

export const blockParams = z.strictObject({
  sender: z
    .string()
    .trim()
    .toLowerCase()
    .max(320)
    .regex(SENDER_PATTERN, 'expected an address (name@domain) or "@domain"'),
});

export const FILE_FIELDS = ['from', 'to', 'subject', 'sender'] as const;

export const fileParams = z.strictObject({
  match: z.strictObject({
    /** from: the From header (address and name); to: To and Cc; subject; sender: the envelope sender. */
    field: z.enum(FILE_FIELDS),
    contains: z.string().trim().min(1).max(200),
  }),
  mailbox: z.string().trim().regex(MAILBOX_NAME, 'expected a folder name such as "Lists/Sales"'),
});

export const autoreplyParams = z
  .strictObject({
    /** The reply's subject; "" for "Auto: " and the original subject. */
    subject: z.string().max(200).default(''),
    body: z.string().min(1).max(10_000),
    /** Away from (ms since the epoch); absent: from now on. */
    from: z.number().int().nonnegative().optional(),
    /** Away until (ms since the epoch, exclusive); absent: until the rule is removed. */
    until: z.number().int().nonnegative().optional(),
  })
  .refine((p) => p.from === undefined || p.until === undefined || p.from < p.until, {
    message: '"from" must be before "until"',
  });

export type BlockParams = z.output<typeof blockParams>;
export type FileParams = z.output<typeof fileParams>;
export type AutoreplyParams = z.output<typeof autoreplyParams>;

export type MailRule =
  | { id: number; kind: 'block'; params: BlockParams; position: number; createdAt: number }
  | { id: number; kind: 'file'; params: FileParams; position: number; createdAt: number }
  | { id: number; kind: 'autoreply'; params: AutoreplyParams; position: number; createdAt: number };

/** The rule of a stored row; undefined for a row this version cannot read (skipped, never fatal). */
export function ruleFromRow(row: MailRuleRow): MailRule | undefined {
  let params: unknown;
  try {
    params = JSON.parse(row.params);
  } catch {
    return undefined;
  }
  const base = { id: row.id, position: row.position, createdAt: row.created_at };
  switch (row.kind) {
    case 'block': {
      const parsed = blockParams.safeParse(params);
      return parsed.success ? { ...base, kind: 'block', params: parsed.data } : undefined;
    }
    case 'file': {
      const parsed = fileParams.safeParse(params);
      return parsed.success ? { ...base, kind: 'file', params: parsed.data } : undefined;
    }
    case 'autoreply': {
      const parsed = autoreplyParams.safeParse(params);
      return parsed.success ? { ...base, kind: 'autoreply', params: parsed.data } : undefined;
    }
    default:
      return undefined;
  }
}

/** Does the sender pattern ("a@b.example" or "@b.example") match this address? */
export function senderMatches(pattern: string, address: string): boolean {
  const wanted = pattern.toLowerCase();
  const actual = address.toLowerCase();
  if (actual === '') return false;
  if (!wanted.startsWith('@')) return actual === wanted;
  const domain = actual.slice(actual.lastIndexOf('@') + 1);
  const target = wanted.slice(1);
  return domain === target || domain.endsWith(`.${target}`);
}

export function fileRuleMatches(params: FileParams, summary: MessageSummary, mailFrom: string): boolean {
  const needle = params.match.contains.toLowerCase();
  const haystack = ((): string => {
    switch (params.match.field) {
      case 'from':
        return `${summary.fromName} <${summary.fromAddress}>`;
      case 'to':
        return summary.recipients.join(', ');
      case 'subject':
        return summary.subject;
      case 'sender':
        return mailFrom;
    }
  })();
  return haystack.toLowerCase().includes(needle);
}

export function autoreplyActive(params: AutoreplyParams, now: number): boolean {
  return (
    (params.from === undefined || params.from <= now) && (params.until === undefined || now < params.until)
  );
}

/** One line for lists (CLI, logs). */
export function describeRule(rule: MailRule): string {
  switch (rule.kind) {
    case 'block':
      return `block mail from ${rule.params.sender}`;
    case 'file':
      return `file mail whose ${rule.params.match.field} contains "${rule.params.match.contains}" into ${rule.params.mailbox}`;
    case 'autoreply': {
      const from = rule.params.from === undefined ? '' : ` from ${new Date(rule.params.from).toISOString()}`;
      const until =
        rule.params.until === undefined ? '' : ` until ${new Date(rule.params.until).toISOString()}`;
      const subject = rule.params.subject ? ` "${rule.params.subject}"` : '';
      return `auto-reply${subject}${from}${until}`;
    }
  }
}
