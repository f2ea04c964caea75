import type { Generated } from 'kysely';

/** Mailboxes and messages, quota usage, forwarding and rules, the outbound queue. */
export interface MailTables {
  mailboxes: MailboxTable;
  mail_messages: MailMessageTable;
  mail_expunged: MailExpungedTable;
  mail_usage: MailUsageTable;
  mail_forwarding: MailForwardingTable;
  mail_rules: MailRuleTable;
  mail_autoreplies: MailAutoreplyTable;
  mail_queue: MailQueueTable;
  mail_submissions: MailSubmissionTable;
  pop3_locks: Pop3LockTable;
}

/**
 * A folder of one user. UIDs (RFC 9051 §2.3.1.1) grow within a mailbox and
 * never come back; `uid_validity` changes only if the mailbox is recreated.
 * Every change to a message takes the next `highest_modseq` (RFC 7162).
 */
export interface MailboxTable {
  id: Generated<number>;
  user_id: number;
  /** Full name with "/" between levels; the inbox is always "INBOX". */
  name: string;
  /** RFC 6154 attribute: "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", or null. */
  special_use: string | null;
  uid_validity: number;
  uid_next: number;
  highest_modseq: number;
  message_count: number;
  total_size: number;
  subscribed: number;
  created_at: number;
}

export interface MailMessageTable {
  id: Generated<number>;
  mailbox_id: number;
  uid: number;
  /** The mod-sequence of the message's last change (arrival or flags). */
  modseq: number;
  /** The RFC 5322 message, exactly as stored, in the blob store. */
  blob_sha256: string;
  /** Bytes of the stored message: IMAP's RFC822.SIZE. */
  size: number;
  /** When it arrived (IMAP INTERNALDATE), ms since the epoch. */
  internal_date: number;
  /** JSON array of flags, sorted: "\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft", keywords. */
  flags: string;
  /** Decoded (RFC 2047) Subject, for lists and notifications. */
  subject: string;
  /** The first From address, lower case. */
  from_address: string;
  /** Message-ID without angle brackets, or "". */
  message_id: string;
  created_at: number;
}

/** An expunged UID and the mod-sequence of its expunge (RFC 7162 §3.2.10, VANISHED). */
export interface MailExpungedTable {
  mailbox_id: number;
  uid: number;
  modseq: number;
}

/** Bytes and messages a user's mailboxes hold, kept with every append and expunge. */
export interface MailUsageTable {
  user_id: number;
  used_bytes: number;
  message_count: number;
  /** When the 90 % warning was last sent; cleared once below it again. */
  warned_at: number | null;
}

export interface MailForwardingTable {
  user_id: number;
  /** Where mail is forwarded: one address. */
  target: string;
  /** 1: a copy stays in the INBOX too. */
  keep_copy: number;
  updated_at: number;
}

/**
 * A user's delivery rule, applied in `position` order: `block` (params
 * {sender}: a sender address or "@domain"), `file` (params {match: {field,
 * contains}, mailbox}), `autoreply` (params {subject, body, from?, until?}).
 */
export interface MailRuleTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  params: string;
  position: number;
  created_at: number;
}

/** Whom an auto-reply already answered, so each sender gets one per period. */
export interface MailAutoreplyTable {
  user_id: number;
  sender: string;
  replied_at: number;
}

/**
 * One recipient of one outbound message. Rows are claimed by a node
 * (`locked_by` until `locked_until`; PostgreSQL with FOR UPDATE SKIP LOCKED).
 */
export interface MailQueueTable {
  id: Generated<number>;
  /** Envelope sender (after SRS for forwarded mail); "" for a bounce. */
  sender: string;
  recipient: string;
  /** The recipient's domain, lower case: deliveries are grouped and limited per domain. */
  domain: string;
  blob_sha256: string;
  size: number;
  /** The user who submitted it, for send limits and the sent-mail audit; null for forwards and bounces. */
  origin_user_id: number | null;
  /** 'submission', 'forward', 'bounce', 'autoreply', 'notice'. */
  kind: string;
  /** 'queued', 'delivered', 'failed'. */
  status: string;
  attempts: number;
  next_attempt_at: number;
  locked_by: string | null;
  locked_until: number | null;
  /** The last failure: the remote reply or the local reason. */
  last_error: string | null;
  /** 1 once the 4-hour delay warning went to the sender. */
  delay_warned: number;
  /** JSON: DSN options (RET, ENVID, NOTIFY, ORCPT) and the like. */
  options: string;
  created_at: number;
  updated_at: number;
}

/** One accepted submission, counted against the sender's hourly limit. */
export interface MailSubmissionTable {
  id: Generated<number>;
  user_id: number;
  at: number;
  recipients: number;
}

/**
 * A POP3 session's lock on its user's maildrop (RFC 1939 §8). `holder` names
 * the node (its refresh renews every lock it holds at once), `session` the
 * one session that may release it; a lock past `expires_at` may be taken over.
 */
export interface Pop3LockTable {
  user_id: number;
  holder: string;
  session: string;
  acquired_at: number;
  expires_at: number;
}
