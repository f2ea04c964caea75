import type { DeviceKind } from '../../protocol/im/frames.ts';
import type { LoginPolicy } from '../../protocol/im/session.ts';

/** The admin setting, as stored in the settings table. */
export const LOGIN_POLICY_KEY = 'im.login_policy';
export const DEFAULT_LOGIN_POLICY: LoginPolicy = 'single';

/**
 * Whether a new login from a device of `newKind` ends an older session of
 * the same person on a device of `oldKind`: `single` keeps one session,
 * `one-per-kind` one desktop + one mobile + one web, `multiple` any number.
 */
export function replacesUnderPolicy(policy: LoginPolicy, newKind: DeviceKind, oldKind: DeviceKind): boolean {
  switch (policy) {
    case 'single':
      return true;
    case 'one-per-kind':
      return newKind === oldKind;
    case 'multiple':
      return false;
    default:
      return policy satisfies never;
  }
}
