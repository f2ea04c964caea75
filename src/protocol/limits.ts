/**
 * The limits an administrator changes at run time (PUT /api/v1/settings/NAME),
 * with the values each takes: shared by the server, which checks them, and
 * the console, which checks them before sending.
 */
export const LIMIT_NAMES = [
  'im.max-upload-size',
  'mail.max-message-size',
  'mail.max-messages-per-hour',
  'mail.max-recipients',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/**
 * Sizes in bytes start at 1M: RFC 5321 §4.5.3.1.7 asks a server to take
 * messages of at least 64K, and an upload limit under a megabyte is a typing
 * mistake. Submission holds a message in memory (DKIM needs all of it),
 * hence 1G at most for mail.
 */
export const LIMIT_RANGES: Record<LimitName, { kind: 'size' | 'count'; min: number; max: number }> = {
  'im.max-upload-size': { kind: 'size', min: MIB, max: 1024 * GIB },
  'mail.max-message-size': { kind: 'size', min: MIB, max: GIB },
  'mail.max-messages-per-hour': { kind: 'count', min: 0, max: 1_000_000 },
  'mail.max-recipients': { kind: 'count', min: 1, max: 10_000 },
};

export function isLimitName(name: string): name is LimitName {
  return (LIMIT_NAMES as readonly string[]).includes(name);
}
