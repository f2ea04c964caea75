import type { EventBus } from '../bus/event-bus.ts';
import type { Logger } from '../log.ts';

/**
 * "A mailbox changed": published after any commit that changes a mailbox
 * other than a delivery (which publishes "mail.new"): flags stored, messages
 * expunged, copied or appended by IMAP, POP3's QUIT. IMAP sessions that
 * have the mailbox selected, on any node, look at it again (IDLE wakes up).
 */
export const MAILBOX_CHANGED_CHANNEL = 'mail.changed';

export interface MailboxChangedEvent {
  userId: number;
  mailboxId: number;
  /** The mailbox's highest mod-sequence after the change, when the publisher knows it. */
  modseq?: number;
}

/** Best effort: the change is committed; a lost event only delays IDLE to its next poll. */
export async function publishMailboxChanged(
  bus: EventBus,
  event: MailboxChangedEvent,
  logger: Logger,
): Promise<void> {
  try {
    await bus.publish(MAILBOX_CHANGED_CHANNEL, event);
  } catch (error) {
    logger.warn({ err: error, mailboxId: event.mailboxId }, 'mail: mailbox change not published');
  }
}
