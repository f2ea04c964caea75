/**
 * What the parts of mail offer each other. The SMTP listener (inbound) and
 * the submission listener deliver to local mailboxes through
 * LocalDeliveryPort; submission, forwarding, auto-replies and bounces send
 * through OutboundQueuePort. mail-system.ts builds one of each and hands
 * them around, so no part reaches into another's internals.
 */

/** A message already in the blob store (written and fsynced). */
export interface StoredMessage {
  sha256: string;
  size: number;
}

/** Where an address goes, as SMTP asks at RCPT time. */
export type RecipientResolution =
  | {
      kind: 'local';
      userId: number;
      address: string;
      /** The mailbox exists but takes no mail now (quota full): answer this at RCPT, e.g. 452 4.2.2. */
      unavailable?: { code: number; enhanced: string; message: string };
    }
  | { kind: 'unknown'; reason: string }
  /** A domain that is not ours: relaying, allowed only after AUTH. */
  | { kind: 'remote'; domain: string };

/** One recipient's outcome of a local delivery. */
export interface DeliveryOutcome {
  recipient: string;
  outcome: 'delivered' | 'forwarded' | 'blocked' | 'deferred' | 'failed';
  /** With deferred/failed: the SMTP reply that describes it (e.g. 452 4.2.2 mailbox full). */
  reply?: { code: number; enhanced: string; message: string };
}

export interface LocalDeliveryPort {
  /** RCPT TO: is the address ours (a user or an alias, able to receive), unknown, or elsewhere? */
  resolveRecipient(address: string): Promise<RecipientResolution>;
  /**
   * Delivers a stored message to local recipients: the user's rules,
   * forwarding, quota, INBOX; then the new-mail event. Durable before it
   * resolves. Recipients must have resolved as local.
   */
  deliver(input: {
    message: StoredMessage;
    mailFrom: string;
    recipients: readonly string[];
    /** Set for mail submitted by a local user (no spam checks, no Authentication-Results). */
    submittedBy?: { userId: number; address: string };
    /** The message's header block, when the caller has it at hand: saves reading it back from the blob. */
    header?: Buffer;
  }): Promise<DeliveryOutcome[]>;
}

export type OutboundKind = 'submission' | 'forward' | 'bounce' | 'autoreply' | 'notice';

export interface OutboundQueuePort {
  /** Queues a stored message for remote recipients; durable before it resolves. */
  enqueue(input: {
    mailFrom: string;
    recipients: readonly string[];
    message: StoredMessage;
    kind: OutboundKind;
    originUserId?: number;
    /** DSN parameters (RFC 3461): RET, ENVID, per-recipient NOTIFY/ORCPT. */
    dsn?: { ret?: 'FULL' | 'HDRS'; envid?: string };
  }): Promise<void>;
}

/**
 * What the outbound queue counts for monitoring, per process: server.ts
 * hands one in (src/http/metrics.ts exposes it on /metrics), so the queue
 * needs no knowledge of Prometheus. Each call is one queue entry (one
 * recipient), after its outcome is committed.
 */
export interface MailMetricsPort {
  /** Handed over: accepted by the remote server (or the smarthost), or delivered here. */
  delivered(kind: string): void;
  /** Failed for now: the entry waits for its next attempt. */
  deferred(): void;
  /** Failed for good (refused, or too old): returned to the sender with a DSN, unless it was one. */
  bounced(): void;
}
