/**
 * POP3 replies: the response codes of RFC 2449 §8 and RFC 3206, stable
 * machine codes for logs and docs/errors.md, and Pop3Error, which command
 * handlers throw and the dispatcher renders as `-ERR [CODE] text`.
 */

/** RFC 2449 §8 (IN-USE, LOGIN-DELAY) and RFC 3206 §4-5 (SYS/TEMP, SYS/PERM, AUTH). */
export const RespCode = {
  /** The credentials are wrong, or login is refused for a reason that is not a system problem. */
  auth: 'AUTH',
  /** Another session has the maildrop open (RFC 2449 §8.1.1). */
  inUse: 'IN-USE',
  /** A temporary problem: try again later without alarming the user (RFC 3206 §4). */
  sysTemp: 'SYS/TEMP',
  /** A lasting problem the administrator must solve (RFC 3206 §4). */
  sysPerm: 'SYS/PERM',
} as const;
export type RespCode = (typeof RespCode)[keyof typeof RespCode];

/** Stable codes of POP3 errors, listed in docs/errors.md; the text beside them may change. */
export const Pop3ErrorCode = {
  LINE_TOO_LONG: 'POP3_LINE_TOO_LONG',
  NOT_TEXT: 'POP3_NOT_TEXT',
  UNKNOWN_COMMAND: 'POP3_UNKNOWN_COMMAND',
  SYNTAX: 'POP3_SYNTAX',
  WRONG_STATE: 'POP3_WRONG_STATE',
  TOO_MANY_BAD_COMMANDS: 'POP3_TOO_MANY_BAD_COMMANDS',
  TLS_REQUIRED: 'POP3_TLS_REQUIRED',
  TLS_ACTIVE: 'POP3_TLS_ACTIVE',
  AUTH_FAILED: 'POP3_AUTH_FAILED',
  AUTH_CANCELLED: 'POP3_AUTH_CANCELLED',
  AUTH_MECHANISM: 'POP3_AUTH_MECHANISM',
  ACCOUNT_UNAVAILABLE: 'POP3_ACCOUNT_UNAVAILABLE',
  THROTTLED: 'POP3_THROTTLED',
  IN_USE: 'POP3_IN_USE',
  NO_SUCH_MESSAGE: 'POP3_NO_SUCH_MESSAGE',
  MESSAGE_DELETED: 'POP3_MESSAGE_DELETED',
  MESSAGE_GONE: 'POP3_MESSAGE_GONE',
  UPDATE_FAILED: 'POP3_UPDATE_FAILED',
  IDLE_TIMEOUT: 'POP3_IDLE_TIMEOUT',
  SHUTTING_DOWN: 'POP3_SHUTTING_DOWN',
  INTERNAL: 'POP3_INTERNAL',
} as const;
export type Pop3ErrorCode = (typeof Pop3ErrorCode)[keyof typeof Pop3ErrorCode];

/** Codes that mean the client sent something it should not have: they count towards the bad-command limit. */
const PROTOCOL_ERRORS: ReadonlySet<Pop3ErrorCode> = new Set([
  Pop3ErrorCode.LINE_TOO_LONG,
  Pop3ErrorCode.NOT_TEXT,
  Pop3ErrorCode.UNKNOWN_COMMAND,
  Pop3ErrorCode.SYNTAX,
  Pop3ErrorCode.WRONG_STATE,
  // A client that keeps sending a password before STLS, or asks for what is not offered, is misbehaving too.
  Pop3ErrorCode.TLS_REQUIRED,
  Pop3ErrorCode.TLS_ACTIVE,
  Pop3ErrorCode.AUTH_MECHANISM,
]);

export class Pop3Error extends Error {
  readonly code: Pop3ErrorCode;
  readonly respCode: RespCode | undefined;

  constructor(code: Pop3ErrorCode, message: string, respCode?: RespCode) {
    super(message);
    this.name = 'Pop3Error';
    this.code = code;
    this.respCode = respCode;
  }

  /** True for malformed, unknown or out-of-order commands. */
  get isProtocolError(): boolean {
    return PROTOCOL_ERRORS.has(this.code);
  }

  /** The reply line without CRLF (RFC 2449 §8: the response code in brackets right after -ERR). */
  get line(): string {
    return errLine(this.message, this.respCode);
  }
}

export function errLine(text: string, respCode?: RespCode): string {
  return respCode ? `-ERR [${respCode}] ${text}` : `-ERR ${text}`;
}

/** Fixed replies, as named constants (lines without CRLF). */
export const Pop3Reply = {
  greeting: (hostname: string) => `+OK ${hostname} Coo POP3 server ready`,
  signingOff: '+OK Coo POP3 server signing off',
  capabilities: '+OK capability list follows',
  beginTls: '+OK begin TLS negotiation',
  userAccepted: '+OK send PASS',
  saslContinue: '+ ',
  idleTimeout: errLine('autologout: idle for too long, closing', RespCode.sysTemp),
  shuttingDown: errLine('the server is shutting down; try again shortly', RespCode.sysTemp),
  tooManyBadCommands: errLine('too many bad commands, closing'),
  internal: errLine('internal error; try again later', RespCode.sysTemp),
} as const;
