import { ErrorCode } from '../protocol/errors.ts';

/**
 * The HTTP status of every error code, in one table. `satisfies` makes a new
 * code in protocol/errors.ts a type error here until it is given a status.
 */
export const HTTP_STATUS_OF_ERROR = {
  // The request itself is wrong.
  [ErrorCode.INVALID_INPUT]: 400,
  [ErrorCode.INVALID_ADDRESS]: 400,
  [ErrorCode.PASSWORD_TOO_WEAK]: 400,
  [ErrorCode.TLS_INVALID]: 400,
  [ErrorCode.REQUEST_TOO_LARGE]: 413,
  [ErrorCode.BLOB_TOO_LARGE]: 413,
  [ErrorCode.UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.IM_BAD_FRAME]: 400,
  [ErrorCode.IM_WATCH_LIMIT]: 400,

  // Who asks.
  [ErrorCode.AUTH_REQUIRED]: 401,
  [ErrorCode.AUTH_FAILED]: 401,
  [ErrorCode.AUTH_FORBIDDEN]: 403,
  [ErrorCode.AUTH_DISABLED]: 403,
  [ErrorCode.AUTH_EXPIRED]: 403,
  [ErrorCode.AUTH_NOT_YET_VALID]: 403,
  [ErrorCode.AUTH_THROTTLED]: 429,
  [ErrorCode.IM_NOT_AUTHENTICATED]: 401,
  [ErrorCode.IM_RESUME_INVALID]: 401,
  [ErrorCode.IM_NOT_ALLOWED]: 403,
  [ErrorCode.IM_RATE_LIMITED]: 429,

  // What is asked for does not exist.
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.DOMAIN_UNKNOWN]: 404,
  [ErrorCode.USER_UNKNOWN]: 404,
  [ErrorCode.UNIT_UNKNOWN]: 404,
  [ErrorCode.GROUP_UNKNOWN]: 404,
  [ErrorCode.RULE_UNKNOWN]: 404,
  [ErrorCode.TOKEN_UNKNOWN]: 404,
  [ErrorCode.IM_CONVERSATION_UNKNOWN]: 404,
  [ErrorCode.IM_MESSAGE_UNKNOWN]: 404,
  [ErrorCode.IM_MEMO_UNKNOWN]: 404,
  [ErrorCode.IM_FILE_UNKNOWN]: 404,
  [ErrorCode.BOT_UNKNOWN]: 404,

  // It conflicts with what is there.
  [ErrorCode.DOMAIN_EXISTS]: 409,
  [ErrorCode.USER_EXISTS]: 409,
  [ErrorCode.UNIT_EXISTS]: 409,
  [ErrorCode.GROUP_EXISTS]: 409,
  [ErrorCode.UNIT_NOT_EMPTY]: 409,
  [ErrorCode.DOMAIN_NOT_EMPTY]: 409,
  [ErrorCode.UNIT_CYCLE]: 409,
  [ErrorCode.LAST_ADMIN]: 409,
  [ErrorCode.RULE_EXISTS]: 409,
  [ErrorCode.FILE_EXISTS]: 409,
  [ErrorCode.DATA_DIR_EXISTS]: 409,
  [ErrorCode.UPLOAD_CONFLICT]: 409,
  [ErrorCode.BOT_EXISTS]: 409,

  // The server cannot do it now.
  [ErrorCode.BUS_UNAVAILABLE]: 503,
  [ErrorCode.UNAVAILABLE]: 503,

  // The server is misconfigured, damaged or wrong.
  [ErrorCode.CONFIG_INVALID]: 500,
  [ErrorCode.CONFIG_MISSING]: 500,
  [ErrorCode.INTERNAL]: 500,
} as const satisfies Record<ErrorCode, number>;

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_STATUS_OF_ERROR[code];
}
