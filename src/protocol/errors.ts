import { ImErrorCode } from './im/frames.ts';

/**
 * The stable error codes of Coo. Every error a client, script or admin can see
 * carries one of these codes beside its human message; messages may change,
 * codes do not. Listed with their meaning in docs/errors.md.
 */
export const ErrorCode = {
  // The messenger's codes (src/protocol/im/frames.ts), so services can throw them as CooErrors.
  ...ImErrorCode,

  // Input
  INVALID_INPUT: 'INVALID_INPUT',
  INVALID_ADDRESS: 'INVALID_ADDRESS',
  NOT_FOUND: 'NOT_FOUND',

  // Configuration
  CONFIG_INVALID: 'CONFIG_INVALID',
  CONFIG_MISSING: 'CONFIG_MISSING',
  DATA_DIR_EXISTS: 'DATA_DIR_EXISTS',

  // Directory
  DOMAIN_UNKNOWN: 'DOMAIN_UNKNOWN',
  DOMAIN_EXISTS: 'DOMAIN_EXISTS',
  DOMAIN_NOT_EMPTY: 'DOMAIN_NOT_EMPTY',
  USER_EXISTS: 'USER_EXISTS',
  USER_UNKNOWN: 'USER_UNKNOWN',
  UNIT_EXISTS: 'UNIT_EXISTS',
  UNIT_UNKNOWN: 'UNIT_UNKNOWN',
  UNIT_NOT_EMPTY: 'UNIT_NOT_EMPTY',
  UNIT_CYCLE: 'UNIT_CYCLE',
  GROUP_EXISTS: 'GROUP_EXISTS',
  GROUP_UNKNOWN: 'GROUP_UNKNOWN',
  LAST_ADMIN: 'LAST_ADMIN',
  RULE_UNKNOWN: 'RULE_UNKNOWN',
  RULE_EXISTS: 'RULE_EXISTS',

  // Authentication
  AUTH_FAILED: 'AUTH_FAILED',
  AUTH_DISABLED: 'AUTH_DISABLED',
  AUTH_EXPIRED: 'AUTH_EXPIRED',
  AUTH_NOT_YET_VALID: 'AUTH_NOT_YET_VALID',
  AUTH_THROTTLED: 'AUTH_THROTTLED',
  AUTH_REQUIRED: 'AUTH_REQUIRED',
  AUTH_FORBIDDEN: 'AUTH_FORBIDDEN',
  TOKEN_UNKNOWN: 'TOKEN_UNKNOWN',

  // Blobs
  BLOB_TOO_LARGE: 'BLOB_TOO_LARGE',

  // Files the server writes (certificates, keys)
  FILE_EXISTS: 'FILE_EXISTS',

  // A TLS certificate or key that cannot be installed; the detail's reason says why (protocol/tls.ts).
  TLS_INVALID: 'TLS_INVALID',

  // Event bus (Redis when several nodes run)
  BUS_UNAVAILABLE: 'BUS_UNAVAILABLE',

  // Anything unexpected: logged with context on the server.
  INTERNAL: 'INTERNAL',

  // Passwords
  PASSWORD_TOO_WEAK: 'PASSWORD_TOO_WEAK',

  // HTTP requests
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAVAILABLE: 'UNAVAILABLE',

  // Messenger presence: a connection watches at most PRESENCE_WATCH_MAX people.
  IM_WATCH_LIMIT: 'IM_WATCH_LIMIT',

  // Messenger files: a tus request that does not fit the upload's state (offset, already complete).
  UPLOAD_CONFLICT: 'UPLOAD_CONFLICT',

  // Bots of the integration API.
  BOT_EXISTS: 'BOT_EXISTS',
  BOT_UNKNOWN: 'BOT_UNKNOWN',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The body of every error answer of the REST API. */
export interface ApiErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** Per-item problems, e.g. one per CSV line or per invalid field. */
    details?: { line?: number; field?: string; message: string; reason?: string }[];
  };
}
