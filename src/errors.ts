import type { ErrorCode } from './protocol/errors.ts';

export interface ErrorDetail {
  line?: number;
  field?: string;
  message: string;
  /** A stable name of the problem, for clients that word it in their own language (TLS_INVALID). */
  reason?: string;
}

/**
 * An expected failure with a stable code. Services throw it; each protocol's
 * dispatcher turns it into that protocol's answer (HTTP status, SMTP reply,
 * CLI exit). Anything that is not a CooError is a bug, logged with context.
 */
export class CooError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = 'CooError';
    this.code = code;
    this.details = details;
  }
}

export function isCooError(error: unknown): error is CooError {
  return error instanceof CooError;
}
