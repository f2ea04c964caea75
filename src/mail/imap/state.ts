import type { SelectedMailbox } from './selected-mailbox.ts';

/**
 * The states of an IMAP session (RFC 9051 §3), as a tagged union: mailbox
 * data exists only once a user is logged in and a mailbox selected.
 */
export type SessionState = NotAuthenticatedState | AuthenticatedState | SelectedState | LogoutState;

export interface ImapUser {
  id: number;
  address: string;
}

export interface NotAuthenticatedState {
  kind: 'not-authenticated';
}

export interface AuthenticatedState {
  kind: 'authenticated';
  user: ImapUser;
}

export interface SelectedState {
  kind: 'selected';
  user: ImapUser;
  mailbox: SelectedMailbox;
}

export interface LogoutState {
  kind: 'logout';
}

export type StateKind = SessionState['kind'];

/** Extensions the client turned on (RFC 5161 ENABLE, or implicitly: CONDSTORE by its first use). */
export interface Enabled {
  condstore: boolean;
  qresync: boolean;
  /** RFC 6855 UTF8=ACCEPT, or IMAP4rev2: mailbox names in UTF-8 rather than modified UTF-7. */
  utf8: boolean;
  /** RFC 9051: IMAP4rev2 semantics (ESEARCH answers, no RECENT). */
  rev2: boolean;
}
