import { ErrorCode } from '../protocol/errors.ts';
import type { UserRow } from '../store/users.ts';

export interface AccountProblem {
  code: typeof ErrorCode.AUTH_DISABLED | typeof ErrorCode.AUTH_EXPIRED | typeof ErrorCode.AUTH_NOT_YET_VALID;
  message: string;
}

/** Why this account may not log in now, or undefined when it may. Checked by every protocol. */
export function accountProblem(
  user: Pick<UserRow, 'disabled' | 'valid_from' | 'valid_until'>,
  now = Date.now(),
): AccountProblem | undefined {
  if (user.disabled === 1) {
    return { code: ErrorCode.AUTH_DISABLED, message: 'this account is disabled; ask your administrator' };
  }
  if (user.valid_until !== null && now > user.valid_until) {
    const day = new Date(user.valid_until).toISOString().slice(0, 10);
    return {
      code: ErrorCode.AUTH_EXPIRED,
      message: `this account expired on ${day}; ask your administrator`,
    };
  }
  if (user.valid_from !== null && now < user.valid_from) {
    const day = new Date(user.valid_from).toISOString().slice(0, 10);
    return { code: ErrorCode.AUTH_NOT_YET_VALID, message: `this account is valid from ${day}` };
  }
  return undefined;
}
