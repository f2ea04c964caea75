import { randomBytes } from 'node:crypto';

/**
 * Delivery status notifications (RFC 3464): a multipart/report (RFC 6522)
 * with a human part, a message/delivery-status part and the original
 * message (or its header), sent with the null sender to the envelope sender.
 */

export interface DsnRecipient {
  recipient: string;
  /** RFC 3464 §2.3.3 */
  action: 'failed' | 'delayed';
  /** RFC 3463, e.g. "5.1.1". */
  status: string;
  /** "smtp; 550 5.1.1 …" or a text of ours. */
  diagnostic: string;
  remoteMta?: string;
  lastAttemptAt: number;
  /** With "delayed": until when the message is retried. */
  willRetryUntil?: number;
}

export interface DsnInput {
  /** Our host name: Reporting-MTA, the From domain and the Message-ID. */
  reportingMta: string;
  /** The envelope sender of the original, who gets the report. */
  to: string;
  recipients: readonly DsnRecipient[];
  arrivalDate: number;
  envid?: string;
  /** The whole original (RET=FULL) or only its header section. */
  original: { kind: 'full' | 'headers'; bytes: Buffer };
  now: number;
}

// RFC 5322 §2.1.1: lines of at most 998 characters; a remote reply is cut well before.
const MAX_FIELD_TEXT = 900;
// Without RET, the original comes back whole only if it is small: a large one comes back as its header.
export const FULL_RETURN_MAX_BYTES = 256 * 1024;

export function composeDsn(input: DsnInput): Buffer {
  const boundary = `coo-dsn-${randomBytes(12).toString('hex')}`;
  const failed = input.recipients.some((r) => r.action === 'failed');
  const subject = failed ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)';
  const header = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${clean(input.to)}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}.dsn@${input.reportingMta}>`,
    'MIME-Version: 1.0',
    // RFC 3834 §5: a report is an automatic response; nobody should auto-reply to it.
    'Auto-Submitted: auto-replied',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
  ];
  const parts = [
    [
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(humanText(input, failed)),
    ].join('\r\n'),
    ['Content-Type: message/delivery-status', '', deliveryStatus(input)].join('\r\n'),
    [
      `Content-Type: ${input.original.kind === 'full' ? 'message/rfc822' : 'text/rfc822-headers'}`,
      '',
      withCrlf(input.original.bytes.toString('latin1')),
    ].join('\r\n'),
  ];
  const body = parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('') + `--${boundary}--\r\n`;
  return Buffer.from(`${header.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/** RFC 3464 §2.2 (per message) and §2.3 (per recipient), blocks separated by an empty line. */
function deliveryStatus(input: DsnInput): string {
  const message = [`Reporting-MTA: dns; ${input.reportingMta}`];
  if (input.envid) message.push(`Original-Envelope-Id: ${clean(input.envid)}`);
  message.push(`Arrival-Date: ${rfc5322Date(input.arrivalDate)}`);
  const blocks = [message.join('\r\n')];
  for (const r of input.recipients) {
    const lines = [
      `Final-Recipient: rfc822; ${clean(r.recipient)}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
    ];
    if (r.remoteMta) lines.push(`Remote-MTA: dns; ${clean(r.remoteMta)}`);
    lines.push(`Diagnostic-Code: ${clean(r.diagnostic)}`);
    lines.push(`Last-Attempt-Date: ${rfc5322Date(r.lastAttemptAt)}`);
    if (r.willRetryUntil !== undefined) lines.push(`Will-Retry-Until: ${rfc5322Date(r.willRetryUntil)}`);
    blocks.push(lines.join('\r\n'));
  }
  return `${blocks.join('\r\n\r\n')}\r\n`;
}

function humanText(input: DsnInput, failed: boolean): string {
  const list = input.recipients
    .map((r) => `  <${r.recipient}>: ${r.diagnostic.replace(/^[a-z0-9-]+; /i, '')}`)
    .join('\n');
  if (failed) {
    return [
      `This is the mail system at ${input.reportingMta}.`,
      '',
      'Your message could not be delivered to one or more recipients.',
      'It is attached below.',
      '',
      'メッセージを次の宛先に配送できませんでした。元のメッセージを添付します。',
      '',
      list,
      '',
    ].join('\n');
  }
  const until = input.recipients.find((r) => r.willRetryUntil !== undefined)?.willRetryUntil;
  return [
    `This is the mail system at ${input.reportingMta}.`,
    '',
    'Your message has not been delivered yet to the recipients below.',
    `Delivery is being retried${until === undefined ? '' : ` until ${new Date(until).toISOString()}`};`,
    'you do not need to send it again.',
    '',
    'メッセージはまだ次の宛先に配送されていません。配送を再試行しています（再送は不要です）。',
    '',
    list,
    '',
  ].join('\n');
}

/** "Sun, 22 Nov 2026 06:00:00 +0000" (RFC 5322 §3.3). */
export function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** A field value from outside (a remote reply, an address): one line, bounded. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, MAX_FIELD_TEXT);
}

function base64Lines(text: string): string {
  const encoded = Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8').toString('base64');
  return encoded.match(/.{1,76}/g)?.join('\r\n') ?? '';
}

function withCrlf(text: string): string {
  const normalised = text.replace(/\r?\n/g, '\r\n');
  return normalised.endsWith('\r\n') ? normalised.slice(0, -2) : normalised;
}

/** The header section of a message: everything before the first empty line. */
export function headerSection(message: Buffer): Buffer {
  const crlf = message.indexOf('\r\n\r\n');
  const lf = message.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 2, lf === -1 ? -1 : lf + 1].filter((n) => n >= 0);
  return ends.length === 0 ? message : message.subarray(0, Math.min(...ends));
}
