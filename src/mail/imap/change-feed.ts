import type { EventBus, Unsubscribe } from '../../bus/event-bus.ts';
import type { Logger } from '../../log.ts';
import { MAIL_EVENT_CHANNEL } from '../delivery/notify.ts';
import { MAILBOX_CHANGED_CHANNEL } from '../mailbox-events.ts';

/**
 * One subscription per listener to the bus's mailbox events (new mail and
 * other changes, from every node), handed to the sessions that have that
 * mailbox selected. A session then reads what changed from the store.
 */
export type ChangeHandler = () => void;

export class MailboxChangeFeed {
  readonly #handlers = new Map<number, Set<ChangeHandler>>();
  readonly #unsubscribes: Unsubscribe[] = [];
  readonly #logger: Logger;

  private constructor(logger: Logger) {
    this.#logger = logger;
  }

  static async start(bus: EventBus, logger: Logger): Promise<MailboxChangeFeed> {
    const feed = new MailboxChangeFeed(logger);
    for (const channel of [MAIL_EVENT_CHANNEL, MAILBOX_CHANGED_CHANNEL]) {
      feed.#unsubscribes.push(await bus.subscribe(channel, (event) => feed.#dispatch(event)));
    }
    return feed;
  }

  /** Calls the handler whenever the mailbox changes; returns the way to stop. */
  watch(mailboxId: number, handler: ChangeHandler): () => void {
    let handlers = this.#handlers.get(mailboxId);
    if (!handlers) this.#handlers.set(mailboxId, (handlers = new Set()));
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.#handlers.delete(mailboxId);
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#unsubscribes.map((unsubscribe) => unsubscribe()));
    this.#handlers.clear();
  }

  #dispatch(event: unknown): void {
    const mailboxId = (event as { mailboxId?: unknown } | null)?.mailboxId;
    if (typeof mailboxId !== 'number') return;
    for (const handler of this.#handlers.get(mailboxId) ?? []) {
      try {
        handler();
      } catch (error) {
        this.#logger.warn({ err: error, mailboxId }, 'imap: a mailbox change handler failed');
      }
    }
  }
}
