import { inTransaction } from '../../store/database.ts';
import { mailUsage } from '../../store/mailboxes.ts';
import { appendToFolder, clearQuotaWarned, markQuotaWarned } from '../../store/mail-delivery.ts';
import type { UserRow } from '../../store/users.ts';
import { summarizeHeader, type MessageSummary } from '../message/summary.ts';
import type { MailContext } from '../mail-system.ts';
import { composeAutoreply } from './autoreply.ts';
import type { StoredCopy } from './local-delivery.ts';
import type { NewMailNotifier } from './notify.ts';
import { composeQuotaWarning, quotaLimit, quotaWarningDue } from './quota.ts';

/**
 * What follows a committed delivery: the new-mail events, the auto-replies
 * (queued with kind 'autoreply'), and the one-time 90 % quota warning. The
 * message is safe already, so a failure here is logged and costs only the
 * notice, never the mail.
 */
export class AfterDelivery {
  readonly #context: MailContext;
  readonly #notifier: NewMailNotifier;
  readonly #now: () => number;

  constructor(context: MailContext, notifier: NewMailNotifier, now: () => number) {
    this.#context = context;
    this.#notifier = notifier;
    this.#now = now;
  }

  async run(input: {
    stored: StoredCopy[];
    summary: MessageSummary;
    mailFrom: string;
    now: number;
  }): Promise<void> {
    const { stored, summary, mailFrom, now } = input;
    for (const copy of stored) {
      if (copy.row && copy.mailbox) {
        await this.#notifier.publish({
          userId: copy.user.id,
          address: copy.user.address,
          mailboxId: copy.row.mailbox_id,
          mailbox: copy.mailbox,
          uid: copy.row.uid,
          modseq: copy.row.modseq,
          size: copy.row.size,
          from: summary.fromAddress,
          fromName: summary.fromName,
          subject: summary.subject,
          messageId: summary.messageId,
          at: now,
        });
      }
      if (copy.autoreply)
        await this.#guard('auto-reply', copy.user, () => this.#autoreply(copy, summary, mailFrom));
    }
    const copies = new Map(stored.filter((copy) => copy.row).map((copy) => [copy.user.id, copy]));
    for (const copy of copies.values()) {
      await this.#guard('quota warning', copy.user, () => this.#quotaWarning(copy));
    }
  }

  async #autoreply(copy: StoredCopy, summary: MessageSummary, mailFrom: string): Promise<void> {
    // autoreplyAllowed was judged when the copy was committed (LocalDelivery, before the per-sender slot).
    if (!copy.autoreply) return;
    const bytes = await composeAutoreply({
      params: copy.autoreply,
      userAddress: copy.user.address,
      userName: copy.user.display_name,
      sender: mailFrom,
      summary,
      now: new Date(this.#now()),
    });
    const blob = await this.#context.blobs.put(bytes);
    // RFC 3834 §3.3 as Sieve vacation does: a null envelope sender, so a failed reply never bounces back.
    await this.#context.queue.enqueue({
      mailFrom: '',
      recipients: [mailFrom],
      message: { sha256: blob.id, size: blob.size },
      kind: 'autoreply',
      originUserId: copy.user.id,
    });
  }

  async #quotaWarning(copy: StoredCopy): Promise<void> {
    const user = copy.user;
    const limit = quotaLimit(user, this.#context.config.config.users.default_quota);
    if (limit === undefined) return;
    const before = copy.usageBefore;
    // Far below the threshold and never warned: nothing to do, and no query to ask it.
    if (
      before &&
      before.warnedAt === null &&
      !quotaWarningDue(before.usedBytes + (copy.row?.size ?? 0), limit)
    )
      return;
    const db = this.#context.services.store.db;
    const usage = await mailUsage(db, user.id);
    if (!quotaWarningDue(usage.usedBytes, limit)) {
      if (usage.warnedAt !== null) await clearQuotaWarned(db, user.id);
      return;
    }
    if (usage.warnedAt !== null) return;
    const now = this.#now();
    // The mark is taken first and only once (a conditional update), so two deliveries warn once.
    if (!(await markQuotaWarned(db, user.id, now))) return;
    const bytes = await composeQuotaWarning({
      address: user.address,
      usedBytes: usage.usedBytes,
      limit,
      now: new Date(now),
    });
    const blob = await this.#context.blobs.put(bytes);
    const summary = await summarizeHeader(bytes);
    // The warning goes in even when it crosses the limit: it is the one message the user must see.
    const { row } = await inTransaction(db, (tx) =>
      appendToFolder(tx, {
        mailboxName: 'INBOX',
        userId: user.id,
        blobSha256: blob.id,
        size: blob.size,
        internalDate: now,
        flags: [],
        subject: summary.subject,
        fromAddress: summary.fromAddress,
        messageId: summary.messageId,
        now,
      }),
    );
    await this.#notifier.publish({
      userId: user.id,
      address: user.address,
      mailboxId: row.mailbox_id,
      mailbox: 'INBOX',
      uid: row.uid,
      modseq: row.modseq,
      size: row.size,
      from: row.from_address,
      fromName: summary.fromName,
      subject: summary.subject,
      messageId: summary.messageId,
      at: now,
    });
  }

  async #guard(what: string, user: UserRow, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.#context.logger.error({ err: error, user: user.address }, `mail: ${what} failed after delivery`);
    }
  }
}
