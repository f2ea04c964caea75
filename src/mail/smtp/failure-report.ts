import { randomBytes } from 'node:crypto';
import type { DeliveryOutcome } from '../ports.ts';
import { rfc5322Date } from './trace-headers.ts';

/**
 * A delivery status notification (RFC 3464, multipart/report of RFC 6522)
 * for the recipients of an accepted message that local delivery could not
 * serve after all — the rare case where one DATA reached several users and
 * only some of them failed (a mailbox that filled up between RCPT and
 * DATA). With one reply per DATA, SMTP cannot say it otherwise. The
 * original's header block is returned (RET=HDRS), not the message.
 */
export function failureReport(input: {
  hostname: string;
  postmaster: string;
  sender: string;
  failures: readonly DeliveryOutcome[];
  originalHeader: Buffer;
  arrivalDate: Date;
  now: Date;
}): Buffer {
  const boundary = `coo-report-${randomBytes(8).toString('hex')}`;
  const lines = input.failures.map(
    (f) =>
      `${f.recipient}: ${f.reply?.code ?? 550} ${f.reply?.enhanced ?? '5.0.0'} ${f.reply?.message ?? ''}`,
  );
  const perRecipient = input.failures
    .map((f) => {
      const permanent = f.outcome === 'failed';
      return [
        `Final-Recipient: rfc822; ${f.recipient}`,
        `Action: ${permanent ? 'failed' : 'delayed'}`,
        `Status: ${f.reply?.enhanced ?? (permanent ? '5.0.0' : '4.0.0')}`,
        `Diagnostic-Code: smtp; ${f.reply?.code ?? 550} ${f.reply?.enhanced ?? ''} ${f.reply?.message ?? ''}`.trimEnd(),
      ].join('\r\n');
    })
    .join('\r\n\r\n');
  const text = [
    `From: Mail Delivery System <${input.postmaster}>`,
    `To: <${input.sender}>`,
    'Subject: Undelivered Mail / 配信できなかったメール',
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your message could not be delivered to every recipient at ${input.hostname}:`,
    '',
    ...lines,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${input.hostname}`,
    `Arrival-Date: ${rfc5322Date(input.arrivalDate)}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
  ].join('\r\n');
  return Buffer.concat([
    Buffer.from(`${text}\r\n`),
    input.originalHeader,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}
