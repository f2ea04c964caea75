import type { LimitReader } from '../../settings/live-limits.ts';
import type { MailSessionDeps, SessionTuning } from '../session-deps.ts';
import type { MailboxChangeFeed } from './change-feed.ts';
import type { MailboxIndexCache } from './mailbox-index-cache.ts';
import type { MessageCache } from './message-cache.ts';

/** Limits and timers of an IMAP session, named; tests shorten the timers. */
export interface ImapTuning extends SessionTuning {
  /** RFC 9051 §5.4: the autologout timer of an authenticated session is at least 30 minutes. */
  idleTimeoutMs: number;
  /** Before login a silent connection is dropped sooner. */
  preAuthTimeoutMs: number;
  /** RFC 2177: a client re-issues IDLE at least every 29 minutes; the server ends one after this. */
  idleCommandTimeoutMs: number;
  /** While in IDLE, the mailbox is also looked at this often, in case an event was missed. */
  idlePollMs: number;
  /** Malformed or unknown commands in a row before the connection is closed. */
  maxBadCommands: number;
}

export const DEFAULT_IMAP_TUNING: ImapTuning = {
  idleTimeoutMs: 30 * 60 * 1000,
  preAuthTimeoutMs: 60_000,
  handshakeTimeoutMs: 30_000,
  idleCommandTimeoutMs: 30 * 60 * 1000,
  idlePollMs: 30_000,
  maxBadCommands: 20,
  maxAuthFailures: 3,
  maxPipelined: 64,
  shutdownGraceMs: 5_000,
};

/** What every session of a listener shares. */
export interface ImapDeps extends MailSessionDeps {
  /** Changes of mailboxes, from every node: wakes IDLE. */
  changes: MailboxChangeFeed;
  /** The index of recently selected mailboxes, brought up to date at each SELECT. */
  indexes: MailboxIndexCache;
  /** Parsed messages recently read, shared by the sessions. */
  messages: MessageCache;
  /** RFC 7889 APPENDLIMIT: the largest message APPEND takes (the setting mail.max-message-size). */
  appendLimit: LimitReader;
  /** [mail] max_message_size: the limit before login, when no APPEND is possible yet. */
  configuredAppendLimit: number;
  /** [users] default_quota, for users without their own. */
  defaultQuota: number;
  tuning: ImapTuning;
}
