import type { SMTPServerSession } from 'smtp-server';
import { auditRecord } from '../../directory/types.ts';
import { mailBlobInUse } from '../../store/mailboxes.ts';
import { fieldValues, splitMessage } from '../message/header-block.ts';
import type { MailContext } from '../mail-system.ts';
import type { DeliveryOutcome, StoredMessage } from '../ports.ts';
import { authenticateInbound } from './authenticate.ts';
import { failureReport } from './failure-report.ts';
import { inboundCopy } from './inbound-copy.ts';
import type { Transaction } from './inbound-policy.ts';
import { MAX_HOPS, type InboundSettings } from './inbound-settings.ts';
import { receiveData, type ReceivedMessage } from './receive-data.ts';
import { replyText, SmtpError, SmtpReply } from './replies.ts';
import { traceHeaderBlock } from './trace-headers.ts';

/**
 * DATA of the inbound listener (RFC 5321 §4.1.1.4): read the message under
 * the size limit, check SPF/DKIM/DMARC, put Return-Path, the results and
 * Received on top, write it to the blob store (fsynced), hand it to local
 * delivery (committed) and bounces of forwarded mail to the queue (durable)
 * — and only then answer 250. Resolves to the text of the 250; refusals
 * are thrown as SmtpError.
 */
export async function receiveInbound(
  context: MailContext,
  settings: InboundSettings,
  stream: AsyncIterable<unknown>,
  session: SMTPServerSession,
  transaction: Transaction,
): Promise<string> {
  // The limit as it is now: an admin's change applies to the next message.
  const maxBytes = await settings.maxMessageSize.read();
  const received = await receiveData(stream, { maxBytes, spoolDir: settings.spoolDir });
  if (received.kind === 'too-large') {
    throw new SmtpError(SmtpReply.messageTooBig, `(${maxBytes} bytes)`);
  }
  const message = received.message;
  try {
    return await process(context, settings, message, session, transaction);
  } finally {
    await message.discard();
  }
}

async function process(
  context: MailContext,
  settings: InboundSettings,
  message: ReceivedMessage,
  session: SMTPServerSession,
  transaction: Transaction,
): Promise<string> {
  const { header } = splitMessage(message.head);
  if (fieldValues(header, 'received').length > MAX_HOPS) throw new SmtpError(SmtpReply.tooManyHops);
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const arrived = new Date();
  const authentication = await authenticateInbound(
    message.bytes ?? message.open(),
    { ip: session.remoteAddress, helo: session.hostNameAppearsAs || '', sender, hostname: settings.hostname },
    context.resolver,
    context.logger,
  );
  if (authentication.dmarcReject) throw new SmtpError(SmtpReply.dmarcReject);
  const recipients = [...transaction.local, ...transaction.bounces.keys()];
  const trace = traceHeaderBlock({
    sender,
    recipients,
    helo: session.hostNameAppearsAs || '',
    clientHostname: session.clientHostname,
    clientAddress: session.remoteAddress,
    hostname: settings.hostname,
    protocol: session.transmissionType || 'ESMTP',
    tls: session.tlsOptions
      ? { version: session.tlsOptions.version, cipher: session.tlsOptions.name }
      : undefined,
    sessionId: session.id,
    at: arrived,
    authenticationFields: authentication.headerFields,
  });
  // RFC 8601 §5: Authentication-Results that claim our authserv-id are forgeries; ours goes on top.
  const copy = inboundCopy({ trace, message, header, authservId: settings.hostname });
  const blob = await context.blobs.put(copy.content);
  const stored: StoredMessage = { sha256: blob.id, size: blob.size };
  let outcomes: DeliveryOutcome[] = [];
  try {
    if (transaction.local.length > 0) {
      outcomes = await context.localDelivery.deliver({
        message: stored,
        mailFrom: sender,
        recipients: transaction.local,
        header: copy.header,
      });
    }
    outcomes.push(...(await forwardBounces(context, stored, sender, transaction, session)));
  } catch (error) {
    await dropIfUnused(context, stored);
    throw error;
  }
  context.logger.info(
    {
      session: session.id,
      remote: session.remoteAddress,
      from: sender,
      size: stored.size,
      auth: authentication.summary,
      ...(copy.forgedResults > 0 ? { forgedResultsRemoved: copy.forgedResults } : {}),
      outcomes: outcomes.map((o) => `${o.recipient}:${o.outcome}`),
    },
    'smtp: message received',
  );
  const failures = outcomes.filter((o) => o.outcome === 'deferred' || o.outcome === 'failed');
  if (failures.length === outcomes.length && failures[0]?.reply) {
    await dropIfUnused(context, stored);
    throw new SmtpError(failures[0].reply);
  }
  if (failures.length > 0 && sender !== '') {
    await reportFailures(context, settings, { sender, failures, header, arrived, session });
  }
  return replyText(SmtpReply.delivered, `(${stored.sha256.slice(0, 16)})`);
}

/** Bounces to our SRS addresses go on to whom the forwarded mail came from, through the queue. */
async function forwardBounces(
  context: MailContext,
  stored: StoredMessage,
  sender: string,
  transaction: Transaction,
  session: SMTPServerSession,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const [address, original] of transaction.bounces) {
    await context.queue.enqueue({
      mailFrom: sender,
      recipients: [original],
      message: stored,
      kind: 'bounce',
    });
    await context.services.audit.append(
      auditRecord(
        { name: sender || '<>', protocol: 'smtp', remote: session.remoteAddress },
        'mail.bounced',
        original,
        {
          via: address,
          reason: 'srs-return',
          size: stored.size,
        },
      ),
    );
    outcomes.push({ recipient: address, outcome: 'forwarded' });
  }
  return outcomes;
}

async function reportFailures(
  context: MailContext,
  settings: InboundSettings,
  input: {
    sender: string;
    failures: DeliveryOutcome[];
    header: Buffer;
    arrived: Date;
    session: SMTPServerSession;
  },
): Promise<void> {
  const domain = input.failures[0]?.recipient.split('@')[1] ?? settings.hostname;
  const report = failureReport({
    hostname: settings.hostname,
    postmaster: `postmaster@${domain}`,
    sender: input.sender,
    failures: input.failures,
    originalHeader: input.header,
    arrivalDate: input.arrived,
    now: new Date(),
  });
  const blob = await context.blobs.put(report);
  await context.queue.enqueue({
    mailFrom: '',
    recipients: [input.sender],
    message: { sha256: blob.id, size: blob.size },
    kind: 'bounce',
  });
  await context.services.audit.append(
    auditRecord(
      { name: 'system', protocol: 'smtp', remote: input.session.remoteAddress },
      'mail.bounced',
      input.sender,
      {
        reason: 'partial-failure',
        recipients: input.failures.map((f) => f.recipient),
      },
    ),
  );
}

async function dropIfUnused(context: MailContext, stored: StoredMessage): Promise<void> {
  try {
    if (!(await mailBlobInUse(context.services.store.db, stored.sha256)))
      await context.blobs.delete(stored.sha256);
  } catch (error) {
    context.logger.warn({ err: error, blob: stored.sha256 }, 'smtp: unused message blob not removed');
  }
}
