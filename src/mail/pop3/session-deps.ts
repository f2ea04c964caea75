import type { SecureContext } from 'node:tls';
import type { DiskBlobStore } from '../../blob/disk-blob-store.ts';
import type { EventBus } from '../../bus/event-bus.ts';
import type { Logger } from '../../log.ts';
import type { Services } from '../../services.ts';
import type { MailboxLocks } from './mailbox-lock.ts';

/** Limits and timers of a POP3 session, named; tests shorten the timers. */
export interface Pop3Tuning {
  /** RFC 1939 §3: the autologout timer is at least 10 minutes. */
  idleTimeoutMs: number;
  /** How long a client has to finish the TLS handshake (pop3s, or after STLS). */
  handshakeTimeoutMs: number;
  /** Malformed, unknown or out-of-order commands before the connection is closed. */
  maxBadCommands: number;
  /** Failed logins on one connection before it is closed (the shared throttle counts across connections). */
  maxAuthFailures: number;
  /** Parsed commands waiting for their turn before reading from the client pauses (RFC 2449 §6.6 PIPELINING). */
  maxPipelined: number;
  /** How long close() lets a session finish its current command before cutting it. */
  shutdownGraceMs: number;
}

export const DEFAULT_POP3_TUNING: Pop3Tuning = {
  idleTimeoutMs: 10 * 60 * 1000,
  handshakeTimeoutMs: 30_000,
  maxBadCommands: 10,
  maxAuthFailures: 3,
  maxPipelined: 64,
  shutdownGraceMs: 5_000,
};

/** What every session of a listener shares. */
export interface SessionDeps {
  services: Services;
  blobs: DiskBlobStore;
  /** "mail.changed" after QUIT removes or marks messages: IMAP sessions on the INBOX see it. */
  bus: EventBus;
  logger: Logger;
  /** Put in the greeting. */
  hostname: string;
  secureContext: SecureContext;
  locks: MailboxLocks;
  /** [pop3] allow_plaintext_on_loopback: USER/PASS and AUTH PLAIN without TLS from 127.0.0.0/8 and ::1. */
  allowPlaintextOnLoopback: boolean;
  tuning: Pop3Tuning;
}
