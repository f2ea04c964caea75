import type { BlobStore } from '../../blob/blob-store.ts';
import { normalizeDomain } from '../../directory/address.ts';
import { auditRecord } from '../../directory/types.ts';
import type { Logger } from '../../log.ts';
import type { Services } from '../../services.ts';
import type { LimitReader } from '../../settings/live-limits.ts';
import { inTransaction } from '../../store/database.ts';
import {
  countSubmissionsSince,
  oldestSubmissionSince,
  recordSubmission,
} from '../../store/mail-submissions.ts';
import type { DeliveryOutcome, LocalDeliveryPort, OutboundQueuePort, StoredMessage } from '../ports.ts';
import { domainOf } from '../queue/queue-deps.ts';
import { readHeader } from './header-fields.ts';
import { prepareMessage } from './prepare-message.ts';
import { SmtpReplyError, SubmissionReply } from './replies.ts';
import { isOwnAddress, type Sender } from './sender-rule.ts';

export interface SubmissionDeps {
  services: Services;
  blobs: BlobStore;
  localDelivery: LocalDeliveryPort;
  queue: OutboundQueuePort;
  logger: Logger;
  hostname: string;
  /** mail.max-messages-per-hour, else [submission] max_messages_per_hour; read at each MAIL (0: no limit). */
  maxMessagesPerHour: LimitReader;
  now?: () => number;
}

export interface Submission {
  sender: Sender;
  remote: string;
  mailFrom: string;
  recipients: readonly { address: string; local: boolean }[];
  message: Buffer;
  dsn?: { ret?: 'FULL' | 'HDRS'; envid?: string };
}

const HOUR_MS = 3_600_000;

/**
 * The rules of sending mail as an authenticated user, whatever the
 * listener: only as oneself (envelope and From), a limit per hour, known
 * local recipients; then the message is completed, signed, stored and
 * handed on (local recipients at once, the rest to the queue).
 */
export class SubmissionService {
  readonly #deps: SubmissionDeps;
  readonly #now: () => number;

  constructor(deps: SubmissionDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** MAIL FROM: the envelope sender must be the user's own address. */
  async checkSender(sender: Sender, mailFrom: string): Promise<void> {
    if (mailFrom === '') throw new SmtpReplyError(SubmissionReply.nullSender);
    if (!(await this.#isOwn(sender, mailFrom))) {
      throw new SmtpReplyError(SubmissionReply.senderNotYours(mailFrom, sender.address));
    }
  }

  /** MAIL FROM: a hijacked account sends as fast as it can; the hourly limit stops it. */
  async checkSendLimit(sender: Sender): Promise<void> {
    const limit = await this.#deps.maxMessagesPerHour.read();
    if (limit === 0) return;
    const since = this.#now() - HOUR_MS;
    const db = this.#deps.services.store.db;
    if ((await countSubmissionsSince(db, sender.userId, since)) < limit) return;
    const oldest = (await oldestSubmissionSince(db, sender.userId, since)) ?? since;
    const minutes = Math.max(1, Math.ceil((oldest + HOUR_MS - this.#now()) / 60_000));
    throw new SmtpReplyError(SubmissionReply.sendLimit(limit, minutes));
  }

  /** RCPT TO: is the recipient local (then it must exist) or elsewhere? */
  async classifyRecipient(address: string): Promise<'local' | 'remote'> {
    const at = address.lastIndexOf('@');
    try {
      if (at <= 0) throw new Error('no domain');
      normalizeDomain(address.slice(at + 1));
    } catch {
      throw new SmtpReplyError(SubmissionReply.badAddress(address));
    }
    const resolved = await this.#deps.localDelivery.resolveRecipient(address);
    if (resolved.kind === 'local') return 'local';
    if (resolved.kind === 'remote') return 'remote';
    const domains = await this.#deps.services.directory.domains.list();
    if (domains.some((domain) => domain.name === domainOf(address))) {
      throw new SmtpReplyError(SubmissionReply.unknownRecipient(address));
    }
    return 'remote';
  }

  /** DATA: checks the From header, completes and signs the message, stores it and hands it on. */
  async submit(submission: Submission): Promise<void> {
    const header = readHeader(submission.message);
    if (!header) throw new SmtpReplyError(SubmissionReply.headerTooBig);
    const { sender } = submission;
    if (header.from.length === 0) throw new SmtpReplyError(SubmissionReply.noFrom);
    for (const from of header.from) {
      if (!(await this.#isOwn(sender, from)))
        throw new SmtpReplyError(SubmissionReply.fromNotYours(from, sender.address));
    }
    const now = this.#now();
    const signingDomain = domainOf(header.from[0] ?? sender.address);
    const key = await this.#deps.services.directory.domains.dkimKey(signingDomain).catch(() => undefined);
    const prepared = await prepareMessage(submission.message, {
      header,
      hostname: this.#deps.hostname,
      key: key && { domain: signingDomain, ...key },
      now,
      logger: this.#deps.logger,
    });
    const blob = await this.#deps.blobs.put(prepared);
    const message: StoredMessage = { sha256: blob.id, size: blob.size };
    const remote = submission.recipients.filter((r) => !r.local).map((r) => r.address);
    const local = submission.recipients.filter((r) => r.local).map((r) => r.address);
    await this.#enqueue(submission, message, remote);
    const retry = await this.#deliverLocally(submission, message, local);
    await this.#enqueue(submission, message, retry);
    await this.#record(submission, message, { local: local.length, remote: remote.length, now });
  }

  async #isOwn(sender: Sender, address: string): Promise<boolean> {
    const deps = { domains: this.#deps.services.directory.domains, localDelivery: this.#deps.localDelivery };
    return isOwnAddress(deps, sender, address);
  }

  async #enqueue(submission: Submission, message: StoredMessage, recipients: string[]): Promise<void> {
    if (recipients.length === 0) return;
    await this.#deps.queue.enqueue({
      mailFrom: submission.mailFrom,
      recipients,
      message,
      kind: 'submission',
      originUserId: submission.sender.userId,
      dsn: submission.dsn,
    });
  }

  /**
   * Local recipients get the message at once. Those whose delivery did not
   * succeed (a full mailbox, an error) go to the queue, which retries them
   * or returns them to the sender with a DSN.
   */
  async #deliverLocally(
    submission: Submission,
    message: StoredMessage,
    recipients: string[],
  ): Promise<string[]> {
    if (recipients.length === 0) return [];
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await this.#deps.localDelivery.deliver({
        message,
        mailFrom: submission.mailFrom,
        recipients,
        submittedBy: { userId: submission.sender.userId, address: submission.sender.address },
      });
    } catch (error) {
      this.#deps.logger.error(
        { err: error, recipients },
        'submission: local delivery failed; queued for a retry',
      );
      return recipients;
    }
    const done = new Set(
      outcomes.filter((o) => o.outcome !== 'deferred' && o.outcome !== 'failed').map((o) => o.recipient),
    );
    return recipients.filter((recipient) => !done.has(recipient));
  }

  async #record(
    submission: Submission,
    message: StoredMessage,
    counts: { local: number; remote: number; now: number },
  ): Promise<void> {
    const { sender } = submission;
    const actor = { name: sender.address, protocol: 'smtp', remote: submission.remote };
    const details = {
      local: counts.local,
      remote: counts.remote,
      size: message.size,
      sender: submission.mailFrom,
    };
    try {
      await inTransaction(this.#deps.services.store.db, async (tx) => {
        const recipients = counts.local + counts.remote;
        await recordSubmission(tx, { userId: sender.userId, at: counts.now, recipients });
        await this.#deps.services.audit.append(
          auditRecord(actor, 'mail.submitted', sender.address, details),
          tx,
        );
      });
    } catch (error) {
      // The message is already on its way: the client must not send it again.
      this.#deps.logger.error(
        { err: error, user: sender.address },
        'submission: cannot record the submission',
      );
    }
  }
}
