import { formatSize, parseSize } from '../config/schema.ts';
import type { User } from '../directory/types.ts';
import { formatValidityDate } from '../directory/user-fields.ts';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { formatKeyValues, formatTime, isoTime } from './output.ts';

export type UserState = 'active' | 'disabled' | 'expired' | 'not yet valid';

/** Whether the account can log in now, and if not, why (the same order as the login check). */
export function userState(user: User, now = Date.now()): UserState {
  if (user.disabled) return 'disabled';
  if (user.validUntil !== null && now > user.validUntil) return 'expired';
  if (user.validFrom !== null && now < user.validFrom) return 'not yet valid';
  return 'active';
}

/**
 * --quota: "500M", "2G", "default" (the server's [users] default_quota),
 * "unlimited" or 0 (no limit). Bytes, null for the default.
 */
export function parseQuota(text: string): number | null {
  const value = text.trim().toLowerCase();
  if (value === 'default') return null;
  if (value === 'unlimited' || value === 'none') return 0;
  const bytes = parseSize(value);
  if (bytes === undefined) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `--quota "${text}" is not a size (e.g. 500M, 2G, default, unlimited)`,
    );
  }
  return bytes;
}

export function formatQuota(quotaBytes: number | null, defaultQuota: number): string {
  if (quotaBytes === null) return `default (${defaultQuota === 0 ? 'unlimited' : formatSize(defaultQuota)})`;
  return quotaBytes === 0 ? 'unlimited' : formatSize(quotaBytes);
}

/** A user as `--json` prints it: stable keys, dates as the CLI reads them back. */
export function userJson(user: User, now = Date.now()) {
  return {
    address: user.address,
    name: user.displayName,
    reading: user.nameReading,
    title: user.title,
    phone: user.phone,
    unit: user.unit,
    admin: user.isAdmin,
    state: userState(user, now),
    disabled: user.disabled,
    validFrom: user.validFrom === null ? null : formatValidityDate(user.validFrom, 'start'),
    validUntil: user.validUntil === null ? null : formatValidityDate(user.validUntil, 'end'),
    quotaBytes: user.quotaBytes,
    hasPassword: user.hasPassword,
    createdAt: isoTime(user.createdAt),
    updatedAt: isoTime(user.updatedAt),
  };
}

/** The lines of `coo user show`. */
export function userDetailLines(
  user: User,
  groups: string[],
  defaultQuota: number,
  now = Date.now(),
): string[] {
  const or = (text: string) => (text === '' ? '-' : text);
  return formatKeyValues([
    ['address', user.address],
    ['name', user.displayName],
    ['reading', or(user.nameReading)],
    ['title', or(user.title)],
    ['phone', or(user.phone)],
    ['unit', user.unit ?? '-'],
    ['state', userState(user, now)],
    ['admin', user.isAdmin ? 'yes' : 'no'],
    ['valid from', user.validFrom === null ? '-' : formatValidityDate(user.validFrom, 'start')],
    ['valid until', user.validUntil === null ? '-' : formatValidityDate(user.validUntil, 'end')],
    ['quota', formatQuota(user.quotaBytes, defaultQuota)],
    ['password', user.hasPassword ? 'set' : 'not set'],
    ['groups', groups.length ? groups.join(', ') : '-'],
    ['created', formatTime(user.createdAt)],
    ['updated', formatTime(user.updatedAt)],
  ]);
}
