/**
 * IMAP's failures as command handlers throw them. The dispatcher writes
 * `tag NO [CODE] text` or `tag BAD text` (RFC 9051 §7.1); `code` is the
 * response code in brackets (RFC 9051 §7.1, RFC 5530), `id` the stable
 * machine code for logs and docs/errors.md.
 */
export const ImapErrorId = {
  SYNTAX: 'IMAP_SYNTAX',
  WRONG_STATE: 'IMAP_WRONG_STATE',
  TLS_REQUIRED: 'IMAP_TLS_REQUIRED',
  TLS_ACTIVE: 'IMAP_TLS_ACTIVE',
  AUTH_FAILED: 'IMAP_AUTH_FAILED',
  AUTH_CANCELLED: 'IMAP_AUTH_CANCELLED',
  AUTH_MECHANISM: 'IMAP_AUTH_MECHANISM',
  ACCOUNT_UNAVAILABLE: 'IMAP_ACCOUNT_UNAVAILABLE',
  THROTTLED: 'IMAP_THROTTLED',
  NO_SUCH_MAILBOX: 'IMAP_NO_SUCH_MAILBOX',
  MAILBOX_EXISTS: 'IMAP_MAILBOX_EXISTS',
  MAILBOX_NAME: 'IMAP_MAILBOX_NAME',
  CANNOT: 'IMAP_CANNOT',
  READ_ONLY: 'IMAP_READ_ONLY',
  OVER_QUOTA: 'IMAP_OVER_QUOTA',
  TOO_BIG: 'IMAP_TOO_BIG',
  UNKNOWN_CTE: 'IMAP_UNKNOWN_CTE',
  NOT_SUPPORTED: 'IMAP_NOT_SUPPORTED',
  TOO_MANY_BAD_COMMANDS: 'IMAP_TOO_MANY_BAD_COMMANDS',
  IDLE_TIMEOUT: 'IMAP_IDLE_TIMEOUT',
  SERVER_BUG: 'IMAP_SERVER_BUG',
} as const;
export type ImapErrorId = (typeof ImapErrorId)[keyof typeof ImapErrorId];

export class ImapError extends Error {
  readonly status: 'NO' | 'BAD';
  readonly id: ImapErrorId;
  /** Response code without brackets, e.g. "NONEXISTENT", "OVERQUOTA", "TRYCREATE". */
  readonly code: string | undefined;

  constructor(status: 'NO' | 'BAD', id: ImapErrorId, message: string, code?: string) {
    super(message);
    this.name = 'ImapError';
    this.status = status;
    this.id = id;
    this.code = code;
  }
}

export function badSyntax(message: string): ImapError {
  return new ImapError('BAD', ImapErrorId.SYNTAX, message);
}

export function noSuchMailbox(name: string): ImapError {
  return new ImapError('NO', ImapErrorId.NO_SUCH_MAILBOX, `no mailbox named "${name}"`, 'NONEXISTENT');
}
