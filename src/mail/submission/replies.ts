/**
 * The replies of the submission listener that are ours (smtp-server writes
 * the protocol's own: syntax, sequence, STARTTLS), each with its RFC 3463
 * enhanced code. Every refusal a user can meet is here, so its wording is
 * reviewed once and listed in docs/mail.md.
 */
export interface SmtpReply {
  code: number;
  enhanced: string;
  message: string;
}

const reply = (code: number, enhanced: string, message: string): SmtpReply => ({ code, enhanced, message });

export const SubmissionReply = {
  // RFC 3207 §4: nothing but EHLO, STARTTLS, NOOP and QUIT before TLS on port 587.
  tlsRequired: reply(530, '5.7.0', 'Must issue a STARTTLS command first'),
  // RFC 4954 §6
  authRequired: reply(530, '5.7.0', 'Authentication required'),
  authFailed: reply(535, '5.7.8', 'Authentication credentials invalid: wrong address or password'),
  authThrottled: (message: string) => reply(454, '4.7.0', `Too many failed logins: ${message}`),
  accountUnusable: (message: string) => reply(535, '5.7.8', `This account cannot send mail: ${message}`),
  nullSender: reply(
    550,
    '5.7.1',
    'You may send only as yourself: the empty sender <> is for delivery reports',
  ),
  senderNotYours: (sender: string, user: string) =>
    reply(
      550,
      '5.7.1',
      `You may send only as yourself: the sender ${sender} is not ${user} or one of its aliases`,
    ),
  fromNotYours: (from: string, user: string) =>
    reply(
      550,
      '5.7.1',
      `You may send only as yourself: the From header ${from} is not ${user} or one of its aliases`,
    ),
  noFrom: reply(
    550,
    '5.7.1',
    'You may send only as yourself: the message has no From header with your address',
  ),
  sendLimit: (limit: number, minutes: number) =>
    reply(
      450,
      '4.7.1',
      `Send limit reached: at most ${limit} messages per hour; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`,
    ),
  badAddress: (address: string) => reply(501, '5.1.3', `Bad address syntax: ${address}`),
  unknownRecipient: (address: string) => reply(550, '5.1.1', `No such user here: ${address}`),
  tooManyRecipients: (limit: number) =>
    reply(452, '4.5.3', `Too many recipients: at most ${limit} per message`),
  // RFC 1870 §6.2 (SIZE): 552 with 5.3.4.
  messageTooBig: (limit: number) => reply(552, '5.3.4', `Message too big: the limit is ${limit} bytes`),
  headerTooBig: reply(552, '5.3.4', 'The header section of the message is too large'),
  accepted: (queued: number) =>
    reply(250, '2.0.0', queued > 0 ? 'Message accepted and queued' : 'Message accepted'),
  localError: reply(451, '4.3.0', 'Local error in processing; please try again later'),
} as const;

/** A refusal, thrown by the submission rules and written by the listener. */
export class SmtpReplyError extends Error {
  readonly reply: SmtpReply;

  constructor(reply: SmtpReply) {
    super(`${reply.code} ${reply.enhanced} ${reply.message}`);
    this.name = 'SmtpReplyError';
    this.reply = reply;
  }
}

/**
 * The error smtp-server writes as a reply: its code and, in the text, our
 * enhanced code (tuned-server.ts keeps smtp-server from adding its own).
 */
export function toServerError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(`${reply.enhanced} ${reply.message}`), { responseCode: reply.code });
}
