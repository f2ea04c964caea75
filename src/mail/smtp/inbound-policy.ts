import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { LocalDelivery } from '../delivery/local-delivery.ts';
import { UnknownReason } from '../delivery/recipients.ts';
import { SrsCodec } from '../delivery/srs.ts';
import type { MailContext } from '../mail-system.ts';
import { AddressLimits } from './address-limits.ts';
import { checkDnsbl } from './dnsbl.ts';
import { Greylist } from './greylist.ts';
import type { InboundSettings } from './inbound-settings.ts';
import { SmtpError, SmtpReply } from './replies.ts';

/**
 * The checks of the inbound listener, in the order a session meets them
 * (smtp-server does the framing and syntax, and answers bad commands
 * itself):
 *
 *   connect  per-address connection limit (421 4.7.0), DNS blocklists (554 5.7.1)
 *   MAIL     per-address message rate (450 4.7.1)
 *   RCPT     our domains only (554 5.7.1 relay), a known and enabled user
 *            (550 5.1.1 / 550 5.2.1), room in the mailbox (452 4.2.2),
 *            greylisting when on (450 4.7.1); an SRS address of ours is a
 *            bounce of forwarded mail, for the original sender
 *
 * What a transaction's RCPTs found is kept per session for DATA.
 */
export interface Transaction {
  /** Local users' addresses, as given. */
  local: string[];
  /** SRS bounce addresses, as given → the address the bounce goes on to. */
  bounces: Map<string, string>;
}

interface SessionState {
  counted: boolean;
  transaction: Transaction;
}

export class InboundPolicy {
  readonly #context: MailContext;
  readonly #settings: InboundSettings;
  readonly #limits: AddressLimits;
  readonly #greylist: Greylist | undefined;
  readonly #sessions = new Map<string, SessionState>();

  constructor(context: MailContext, settings: InboundSettings) {
    this.#context = context;
    this.#settings = settings;
    this.#limits = new AddressLimits(settings.limits);
    this.#greylist = settings.greylisting.enabled
      ? new Greylist({ delayMs: settings.greylisting.delayMs })
      : undefined;
  }

  async connect(session: SMTPServerSession): Promise<void> {
    const state: SessionState = { counted: false, transaction: emptyTransaction() };
    this.#sessions.set(session.id, state);
    if (!this.#limits.openConnection(session.remoteAddress))
      throw new SmtpError(SmtpReply.tooManyConnections);
    state.counted = true;
    const listed = await checkDnsbl(this.#context.resolver, this.#settings.dnsblZones, session.remoteAddress);
    if (listed) throw new SmtpError(SmtpReply.blocklisted, `${session.remoteAddress} (${listed.zone})`);
  }

  close(session: SMTPServerSession): void {
    const state = this.#sessions.get(session.id);
    this.#sessions.delete(session.id);
    if (state?.counted) this.#limits.closeConnection(session.remoteAddress);
  }

  async mailFrom(_address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    this.#state(session).transaction = emptyTransaction();
    if (!this.#limits.takeMessage(session.remoteAddress)) throw new SmtpError(SmtpReply.rateLimited);
  }

  async rcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const recipient = address.address;
    const transaction = this.#state(session).transaction;
    const at = recipient.lastIndexOf('@');
    if (at <= 0) throw new SmtpError(SmtpReply.badRecipientSyntax, `<${recipient}>`);
    const localPart = recipient.slice(0, at);
    const delivery = this.#context.localDelivery;
    if (SrsCodec.isSrs(localPart) && delivery instanceof LocalDelivery) {
      if (await delivery.recipients.isLocalDomain(recipient.slice(at + 1))) {
        // A bounce of mail we forwarded: valid (hash, age) goes on to the original sender.
        const original = (await delivery.srs()).reverse(localPart);
        if (!original) throw new SmtpError(SmtpReply.noSuchUser, `<${recipient}>`);
        this.#greylistCheck(session, recipient);
        transaction.bounces.set(recipient, original);
        return;
      }
    }
    const resolution = await delivery.resolveRecipient(recipient);
    switch (resolution.kind) {
      case 'remote':
        throw new SmtpError(SmtpReply.relayDenied, `<${recipient}>`);
      case 'unknown':
        throw new SmtpError(
          resolution.reason === UnknownReason.disabled
            ? SmtpReply.mailboxDisabled
            : resolution.reason === UnknownReason.badAddress
              ? SmtpReply.badRecipientSyntax
              : SmtpReply.noSuchUser,
          `<${recipient}>`,
        );
      case 'local':
        if (resolution.unavailable) throw new SmtpError(resolution.unavailable, `<${recipient}>`);
        this.#greylistCheck(session, recipient);
        transaction.local.push(recipient);
        return;
    }
  }

  /** The RCPTs of the session's current transaction. */
  transaction(session: SMTPServerSession): Transaction {
    return this.#state(session).transaction;
  }

  #greylistCheck(session: SMTPServerSession, recipient: string): void {
    if (!this.#greylist) return;
    const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    if (!this.#greylist.check(session.remoteAddress, sender, recipient))
      throw new SmtpError(SmtpReply.greylisted);
  }

  #state(session: SMTPServerSession): SessionState {
    let state = this.#sessions.get(session.id);
    if (!state) {
      state = { counted: false, transaction: emptyTransaction() };
      this.#sessions.set(session.id, state);
    }
    return state;
  }
}

function emptyTransaction(): Transaction {
  return { local: [], bounces: new Map() };
}
