import type { EventBus } from '../../bus/event-bus.ts';
import { ConnectionRegistry } from '../../im/gateway/connection-registry.ts';
import { BusDelivery } from '../../im/gateway/delivery.ts';
import type { Logger } from '../../log.ts';
import type { MailNewFrame } from '../../protocol/im/mail.ts';

/**
 * The new-mail event, published after the message is committed:
 *
 * - on the bus channel MAIL_EVENT_CHANNEL ("mail.new"), for IMAP IDLE and
 *   anything else that follows a mailbox (payload: NewMailEvent);
 * - as a `mail.new` frame to the user's open messenger sessions, through the
 *   messenger's own delivery (bus channel "im.deliver"), so every node sends
 *   it to its connections of that user.
 *
 * Both are best effort: the message is safe in the mailbox whatever happens
 * here, and a failure is logged.
 */
export const MAIL_EVENT_CHANNEL = 'mail.new';

export interface NewMailEvent {
  userId: number;
  address: string;
  mailboxId: number;
  mailbox: string;
  uid: number;
  modseq: number;
  size: number;
  from: string;
  fromName: string;
  subject: string;
  messageId: string;
  at: number;
}

export class NewMailNotifier {
  readonly #bus: EventBus;
  readonly #messenger: BusDelivery;
  readonly #logger: Logger;

  constructor(bus: EventBus, logger: Logger) {
    this.#bus = bus;
    // Only its publishing side is used: the registry of connections is the gateway's, on every node.
    this.#messenger = new BusDelivery({ bus, registry: new ConnectionRegistry(), logger });
    this.#logger = logger;
  }

  async publish(event: NewMailEvent): Promise<void> {
    const frame: MailNewFrame = {
      t: 'mail.new',
      mailbox: event.mailbox,
      uid: event.uid,
      from: event.from,
      fromName: event.fromName,
      subject: event.subject,
      size: event.size,
      at: event.at,
    };
    const results = await Promise.allSettled([
      this.#bus.publish(MAIL_EVENT_CHANNEL, event),
      this.#messenger.toUsers([event.userId], { ...frame }),
    ]);
    for (const result of results) {
      if (result.status === 'rejected') {
        this.#logger.warn({ err: result.reason, userId: event.userId }, 'mail: new-mail event not published');
      }
    }
  }
}
