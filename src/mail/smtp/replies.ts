/**
 * The replies of the inbound SMTP listener: basic code (RFC 5321 §4.2) and
 * enhanced status code (RFC 3463, registry of RFC 5248), one named constant
 * each, so tests, docs and code speak of the same reply.
 */
export interface SmtpReplyText {
  code: number;
  enhanced: string;
  message: string;
}

export const SmtpReply = {
  /** RFC 5321 §4.2.2: the message is durable (blob fsynced, rows committed). */
  delivered: { code: 250, enhanced: '2.0.0', message: 'Ok: delivered' },
  /** RFC 3463 X.1.1: bad destination mailbox address (no such user). */
  noSuchUser: { code: 550, enhanced: '5.1.1', message: 'no such user here' },
  /** X.2.1: the mailbox is disabled (a disabled or expired account). */
  mailboxDisabled: { code: 550, enhanced: '5.2.1', message: 'this mailbox is disabled and takes no mail' },
  /** X.1.3: the address is not an address. */
  badRecipientSyntax: { code: 501, enhanced: '5.1.3', message: 'bad recipient address syntax' },
  /** X.7.1: delivery not authorised; port 25 takes mail for local domains only and offers no AUTH. */
  relayDenied: {
    code: 554,
    enhanced: '5.7.1',
    message: 'relay access denied: this server takes mail for its own domains only',
  },
  /** X.2.2: mailbox full — temporary, the sender retries (RFC 5321 §4.5.3.1.10 allows 452 at RCPT). */
  mailboxFull: { code: 452, enhanced: '4.2.2', message: 'mailbox full, try again later' },
  /** X.3.4: message too big for the system (RFC 1870 §6.2). */
  messageTooBig: { code: 552, enhanced: '5.3.4', message: 'message exceeds the maximum size' },
  /** X.7.1: the sending domain's DMARC policy says reject (RFC 7489 §6.6.2). */
  dmarcReject: {
    code: 550,
    enhanced: '5.7.1',
    message: 'rejected by the DMARC policy of the sender domain',
  },
  /** X.4.6: routing loop detected (RFC 5321 §6.3: too many Received fields). */
  tooManyHops: { code: 554, enhanced: '5.4.6', message: 'too many hops: mail loop suspected' },
  /** X.7.0: too many connections from one address (closes the connection). */
  tooManyConnections: {
    code: 421,
    enhanced: '4.7.0',
    message: 'too many connections from your address, try again later',
  },
  /** X.7.1: the address sent too many messages in the last minute. */
  rateLimited: {
    code: 450,
    enhanced: '4.7.1',
    message: 'too many messages from your address, try again later',
  },
  /** X.7.1: greylisted — a real mail server retries after a few minutes. */
  greylisted: { code: 450, enhanced: '4.7.1', message: 'greylisted, please try again later' },
  /** X.7.1: the connecting address is on a DNS blocklist (answered at connect, then closed). */
  blocklisted: { code: 554, enhanced: '5.7.1', message: 'your address is on a DNS blocklist' },
  /** X.3.0: anything unexpected: logged on the server, the sender retries. */
  localError: { code: 451, enhanced: '4.3.0', message: 'local error in processing, try again later' },
  /** X.3.2: the server is shutting down. */
  shuttingDown: { code: 421, enhanced: '4.3.2', message: 'server shutting down, try again later' },
} as const satisfies Record<string, SmtpReplyText>;

export type SmtpReplyName = keyof typeof SmtpReply;

/**
 * An SMTP refusal, thrown by a handler and written by smtp-server as
 * `code enhanced message` (see enhanced-codes.ts). `responseCode` is the
 * property smtp-server reads.
 */
export class SmtpError extends Error {
  readonly responseCode: number;
  readonly enhanced: string;

  constructor(reply: SmtpReplyText, detail?: string) {
    super(`${reply.enhanced} ${detail ? `${detail}: ${reply.message}` : reply.message}`);
    this.name = 'SmtpError';
    this.responseCode = reply.code;
    this.enhanced = reply.enhanced;
  }
}

/** The text of a 250 (or any) reply with its enhanced code, as smtp-server's callbacks take it. */
export function replyText(reply: SmtpReplyText, detail?: string): string {
  return `${reply.enhanced} ${detail ? `${reply.message} ${detail}` : reply.message}`;
}
