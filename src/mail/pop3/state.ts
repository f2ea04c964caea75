import type { Maildrop } from './maildrop.ts';
import type { MailboxLock } from './mailbox-lock.ts';

/**
 * The states of a POP3 session (RFC 1939 §3), as a tagged union: a maildrop
 * and its lock exist only once the user has logged in.
 */
export type SessionState = AuthorizationState | TransactionState | UpdateState;

/** RFC 1939 §4: before login. `user` is the name of a USER command awaiting its PASS. */
export interface AuthorizationState {
  kind: 'authorization';
  user?: string;
}

/** RFC 1939 §5: logged in, the maildrop locked. */
export interface TransactionState {
  kind: 'transaction';
  userId: number;
  address: string;
  maildrop: Maildrop;
  lock: MailboxLock;
}

/** RFC 1939 §6: QUIT was sent in the TRANSACTION state; deletions are being committed. */
export interface UpdateState {
  kind: 'update';
  userId: number;
  address: string;
  maildrop: Maildrop;
  lock: MailboxLock;
}

export type SessionKind = SessionState['kind'];
