import type { MailSessionDeps, SessionTuning } from '../session-deps.ts';
import type { MailboxLocks } from './mailbox-lock.ts';

/** Limits and timers of a POP3 session, named; tests shorten the timers. */
export interface Pop3Tuning extends SessionTuning {
  /** RFC 1939 §3: the autologout timer is at least 10 minutes. */
  idleTimeoutMs: number;
  /** Malformed, unknown or out-of-order commands before the connection is closed. */
  maxBadCommands: number;
}

export const DEFAULT_POP3_TUNING: Pop3Tuning = {
  idleTimeoutMs: 10 * 60 * 1000,
  handshakeTimeoutMs: 30_000,
  maxBadCommands: 10,
  maxAuthFailures: 3,
  // RFC 2449 §6.6 PIPELINING: a client may send commands without waiting for the replies.
  maxPipelined: 64,
  shutdownGraceMs: 5_000,
};

/**
 * What every session of a listener shares. The bus carries "mail.changed"
 * after QUIT removes or marks messages: IMAP sessions on the INBOX see it.
 */
export interface SessionDeps extends MailSessionDeps {
  locks: MailboxLocks;
  tuning: Pop3Tuning;
}
