import { auditRecord, type Actor } from '../../directory/types.ts';
import { inTransaction, type Tx } from '../../store/database.ts';
import type { MailMessageRow } from '../../store/mailboxes.ts';
import { appendToFolder, claimAutoreply, listMailRules } from '../../store/mail-delivery.ts';
import type { UserRow } from '../../store/users.ts';
import { readHeaderBlock } from '../message/header-block.ts';
import { summarizeHeader, type MessageSummary } from '../message/summary.ts';
import type { MailContext } from '../mail-system.ts';
import type { DeliveryOutcome, LocalDeliveryPort, RecipientResolution, StoredMessage } from '../ports.ts';
import { AfterDelivery } from './after-delivery.ts';
import { planDelivery, type DeliveryPlan } from './delivery-plan.ts';
import { makeForwardCopy } from './forwarding.ts';
import { NewMailNotifier } from './notify.ts';
import { DeliveryReply } from './outcomes.ts';
import { quotaFits, quotaFull, quotaLimit } from './quota.ts';
import { RecipientResolver } from './recipients.ts';
import { autoreplyAllowed } from './autoreply.ts';
import { ruleFromRow, type AutoreplyParams, type MailRule } from './rules.ts';
import { loadSrsSecret, SrsCodec } from './srs.ts';

/** Local forwarding chains deeper than this are a loop the Delivered-To check missed. */
const MAX_FORWARD_DEPTH = 8;

type DeliverInput = Parameters<LocalDeliveryPort['deliver']>[0];

/** One user's part of a delivery: the addresses that reached them, and what to do. */
interface UserDelivery {
  user: UserRow;
  recipients: string[];
  plan: DeliveryPlan;
  /** The kept copy's outcome so far; forwarding may turn it into a failure. */
  failure?: DeliveryOutcome['reply'] & { outcome: 'deferred' | 'failed' };
  /** The mailbox's usage before this message (read with the user). */
  usage?: { usedBytes: number; warnedAt: number | null };
  forwardedAs?: string;
}

/**
 * Local delivery: recipients resolved against the directory, the user's
 * rules and forwarding, the quota, then the kept copies appended to their
 * folders in one transaction (audited in it), and after the commit the
 * new-mail events, auto-replies and the quota warning. Nothing is
 * acknowledged before it is durable: the message blob is fsynced by the
 * caller, the rows here are committed, forwarded copies are queued (durably)
 * before the commit.
 */
export class LocalDelivery implements LocalDeliveryPort {
  readonly #context: MailContext;
  readonly #recipients: RecipientResolver;
  readonly #after: AfterDelivery;
  readonly #now: () => number;
  #srs: Promise<SrsCodec> | undefined;

  constructor(context: MailContext, now: () => number = Date.now) {
    this.#context = context;
    this.#now = now;
    this.#recipients = new RecipientResolver(context.services.store, now);
    this.#after = new AfterDelivery(context, new NewMailNotifier(context.bus, context.logger), now);
  }

  get recipients(): RecipientResolver {
    return this.#recipients;
  }

  /** The SRS codec (its secret is loaded, or made, on first use). */
  srs(): Promise<SrsCodec> {
    this.#srs ??= loadSrsSecret(this.#context.services.store, this.#context.config.config.mail.srs_secret)
      .then((secret) => new SrsCodec(secret, this.#now))
      .catch((error: unknown) => {
        this.#srs = undefined;
        throw error;
      });
    return this.#srs;
  }

  async resolveRecipient(address: string): Promise<RecipientResolution> {
    const target = await this.#recipients.resolve(address);
    switch (target.kind) {
      case 'remote':
        return { kind: 'remote', domain: target.domain };
      case 'unknown':
        return { kind: 'unknown', reason: target.reason };
      case 'user': {
        const limit = quotaLimit(target.user, this.#context.config.config.users.default_quota);
        const full = quotaFull(target.facts.usedBytes, limit);
        return {
          kind: 'local',
          userId: target.user.id,
          address: target.address,
          ...(full ? { unavailable: DeliveryReply.mailboxFull } : {}),
        };
      }
    }
  }

  deliver(input: DeliverInput): Promise<DeliveryOutcome[]> {
    return this.#deliver(input, 0);
  }

  async #deliver(input: DeliverInput, depth: number): Promise<DeliveryOutcome[]> {
    const { store } = this.#context.services;
    const now = this.#now();
    const header =
      input.header ?? (await readHeaderBlock(await this.#context.blobs.get(input.message.sha256)));
    const summary = await summarizeHeader(header);
    const outcomes: DeliveryOutcome[] = [];
    const byUser = new Map<number, UserDelivery>();
    for (const recipient of new Set(input.recipients.map((r) => r.toLowerCase()))) {
      const target = await this.#recipients.resolve(recipient);
      if (target.kind !== 'user') {
        outcomes.push({ recipient, outcome: 'failed', reply: DeliveryReply.noSuchUser });
        continue;
      }
      const known = byUser.get(target.user.id);
      if (known) {
        known.recipients.push(recipient);
        continue;
      }
      const { facts } = target;
      const rules =
        facts.ruleCount === 0
          ? []
          : (await listMailRules(store.db, target.user.id))
              .map(ruleFromRow)
              .filter((rule): rule is MailRule => rule !== undefined);
      const plan = planDelivery({
        userAddress: target.user.address,
        mailFrom: input.mailFrom,
        summary,
        rules,
        forwarding: facts.forwarding,
        now,
      });
      byUser.set(target.user.id, {
        user: target.user,
        recipients: [recipient],
        plan,
        usage: { usedBytes: facts.usedBytes, warnedAt: facts.warnedAt },
      });
    }
    const deliveries = [...byUser.values()];
    this.#checkQuotas(deliveries, input.message.size);
    await this.#forward(deliveries, input, depth);

    const actor: Actor = input.submittedBy
      ? { name: input.submittedBy.address, protocol: 'submission', remote: '' }
      : { name: input.mailFrom || '<>', protocol: 'smtp', remote: '' };
    const stored = await inTransaction(store.db, (tx) =>
      this.#commit(tx, deliveries, { input, summary, actor, now }),
    );
    await this.#after.run({ stored, summary, mailFrom: input.mailFrom, now });

    for (const delivery of deliveries) {
      const outcome: DeliveryOutcome = delivery.failure
        ? { recipient: '', outcome: delivery.failure.outcome, reply: replyOf(delivery.failure) }
        : {
            recipient: '',
            outcome:
              delivery.plan.kind === 'blocked'
                ? 'blocked'
                : delivery.plan.mailbox === undefined
                  ? 'forwarded'
                  : 'delivered',
          };
      for (const recipient of delivery.recipients) outcomes.push({ ...outcome, recipient });
    }
    return outcomes;
  }

  /** A kept copy that does not fit (with the grace) is deferred: 452 4.2.2, the sender retries. */
  #checkQuotas(deliveries: UserDelivery[], size: number): void {
    const defaultQuota = this.#context.config.config.users.default_quota;
    for (const delivery of deliveries) {
      if (delivery.plan.kind !== 'accept' || delivery.plan.mailbox === undefined) continue;
      const limit = quotaLimit(delivery.user, defaultQuota);
      if (limit === undefined || !delivery.usage) continue;
      if (!quotaFits(delivery.usage.usedBytes, size, limit)) {
        delivery.failure = { ...DeliveryReply.mailboxFull, outcome: 'deferred' };
      }
    }
  }

  /** Forwarded copies go out (queued durably, or delivered here) before the kept copies commit. */
  async #forward(deliveries: UserDelivery[], input: DeliverInput, depth: number): Promise<void> {
    for (const delivery of deliveries) {
      const plan = delivery.plan;
      if (delivery.failure || plan.kind !== 'accept' || plan.forwardTo === undefined) continue;
      if (depth >= MAX_FORWARD_DEPTH) {
        delivery.failure = { ...DeliveryReply.forwardingLoop, outcome: 'failed' };
        continue;
      }
      const domain = delivery.user.address.slice(delivery.user.address.lastIndexOf('@') + 1);
      const copy = await makeForwardCopy({
        blobs: this.#context.blobs,
        messageSha256: input.message.sha256,
        deliveredTo: delivery.user.address,
        seal: await this.#sealOf(domain),
        hostname: this.#context.config.config.server.hostname,
        trustResults: input.submittedBy === undefined,
        logger: this.#context.logger,
      });
      const message: StoredMessage = { sha256: copy.id, size: copy.size };
      if (await this.#recipients.isLocalDomain(plan.forwardTo.slice(plan.forwardTo.lastIndexOf('@') + 1))) {
        const results = await this.#deliver(
          { message, mailFrom: input.mailFrom, recipients: [plan.forwardTo] },
          depth + 1,
        );
        const failed = results.find((r) => r.outcome === 'deferred' || r.outcome === 'failed');
        if (failed?.reply) {
          delivery.failure = {
            ...failed.reply,
            outcome: failed.outcome === 'deferred' ? 'deferred' : 'failed',
          };
          continue;
        }
        delivery.forwardedAs = input.mailFrom;
        continue;
      }
      const sender = (await this.srs()).forward(input.mailFrom, domain);
      await this.#context.queue.enqueue({
        mailFrom: sender,
        recipients: [plan.forwardTo],
        message,
        kind: 'forward',
      });
      delivery.forwardedAs = sender;
    }
  }

  async #sealOf(domain: string) {
    const key = await this.#context.services.directory.domains.dkimKey(domain).catch(() => undefined);
    return key ? { domain, selector: key.selector, privateKeyPem: key.privateKeyPem } : undefined;
  }

  async #commit(
    tx: Tx,
    deliveries: UserDelivery[],
    context: { input: DeliverInput; summary: MessageSummary; actor: Actor; now: number },
  ): Promise<StoredCopy[]> {
    const { input, summary, actor, now } = context;
    const audit = this.#context.services.audit;
    const stored: StoredCopy[] = [];
    const details = { from: summary.fromAddress, messageId: summary.messageId, size: input.message.size };
    for (const delivery of deliveries) {
      const { user, plan } = delivery;
      if (delivery.failure) continue;
      if (plan.kind === 'blocked') {
        await audit.append(
          auditRecord(actor, 'mail.blocked', user.address, { ...details, rule: plan.ruleId }),
          tx,
        );
        continue;
      }
      if (plan.forwardTo !== undefined) {
        await audit.append(
          auditRecord(actor, 'mail.forwarded', user.address, {
            ...details,
            to: plan.forwardTo,
            sender: delivery.forwardedAs ?? '',
          }),
          tx,
        );
      }
      let autoreply = false;
      // Judged before the once-per-sender slot is taken: a Bcc'd copy or list mail must not use it up.
      if (
        plan.autoreply &&
        autoreplyAllowed({
          sender: input.mailFrom,
          userAddress: user.address,
          summary,
          localDomains: await this.#recipients.localDomains(),
        })
      ) {
        autoreply = await claimAutoreply(tx, {
          userId: user.id,
          sender: input.mailFrom.toLowerCase(),
          now,
          notBefore: now - this.#context.config.config.mail.autoreply_interval_days * 24 * 3600 * 1000,
        });
      }
      if (plan.mailbox === undefined) {
        if (autoreply && plan.autoreply) {
          stored.push({ user, row: undefined, mailbox: undefined, autoreply: plan.autoreply.params });
        }
        continue;
      }
      const { mailbox, row } = await appendToFolder(tx, {
        mailboxName: plan.mailbox,
        userId: user.id,
        blobSha256: input.message.sha256,
        size: input.message.size,
        internalDate: now,
        flags: [],
        subject: summary.subject,
        fromAddress: summary.fromAddress,
        messageId: summary.messageId,
        now,
      });
      await audit.append(
        auditRecord(actor, 'mail.accepted', user.address, {
          ...details,
          mailbox: mailbox.name,
          uid: row.uid,
        }),
        tx,
      );
      stored.push({
        user,
        row,
        mailbox: mailbox.name,
        autoreply: autoreply && plan.autoreply ? plan.autoreply.params : undefined,
        usageBefore: delivery.usage,
      });
    }
    return stored;
  }
}

/** A copy kept in a user's folder (row set), or only an auto-reply to send for forwarded mail. */
export interface StoredCopy {
  user: UserRow;
  row: MailMessageRow | undefined;
  mailbox: string | undefined;
  autoreply: AutoreplyParams | undefined;
  /** The mailbox's usage before this delivery (users with a quota): spares a query when far from the limit. */
  usageBefore?: { usedBytes: number; warnedAt: number | null };
}

function replyOf(reply: { code: number; enhanced: string; message: string }) {
  return { code: reply.code, enhanced: reply.enhanced, message: reply.message };
}
