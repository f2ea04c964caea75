import type { UserRow } from '../../store/users.ts';
import { composeMessage } from './compose.ts';

/**
 * Mailbox quotas. A user's limit is their quota_bytes (0: none), or the
 * server's [users] default_quota when unset. Mail is refused at RCPT once
 * the mailbox holds the limit (452 4.2.2, temporary: the sender retries
 * for days while the user cleans up). As Dovecot's quota_grace does, the
 * message that crosses the limit may go up to 10 % over it, so a mailbox
 * just under its limit does not refuse every larger message.
 */
export const QUOTA_GRACE = 0.1;
/** The user is warned once when a delivery brings the mailbox to this share of the limit. */
export const QUOTA_WARNING_SHARE = 0.9;

/** Bytes allowed, or undefined for no limit. */
export function quotaLimit(user: Pick<UserRow, 'quota_bytes'>, defaultQuota: number): number | undefined {
  const limit = user.quota_bytes ?? defaultQuota;
  return limit > 0 ? limit : undefined;
}

/** Full: nothing more is taken (checked at RCPT). */
export function quotaFull(usedBytes: number, limit: number | undefined): boolean {
  return limit !== undefined && usedBytes >= limit;
}

/** Does a message of this size still fit (checked at DATA, with the grace)? */
export function quotaFits(usedBytes: number, size: number, limit: number | undefined): boolean {
  if (limit === undefined) return true;
  return usedBytes < limit && usedBytes + size <= Math.floor(limit * (1 + QUOTA_GRACE));
}

export function quotaWarningDue(usedBytes: number, limit: number | undefined): boolean {
  return limit !== undefined && usedBytes >= limit * QUOTA_WARNING_SHARE;
}

/** The warning mail, in Japanese and English; from postmaster@ of the user's domain. */
export function composeQuotaWarning(input: {
  address: string;
  usedBytes: number;
  limit: number;
  now: Date;
}): Promise<Buffer> {
  const domain = input.address.slice(input.address.lastIndexOf('@') + 1);
  const percent = Math.min(100, Math.floor((input.usedBytes / input.limit) * 100));
  const used = megabytes(input.usedBytes);
  const limit = megabytes(input.limit);
  return composeMessage({
    from: { name: 'Coo', address: `postmaster@${domain}` },
    to: input.address,
    subject: `メールボックスの容量が ${percent}% に達しました / Your mailbox is ${percent}% full`,
    date: input.now,
    headers: { 'Auto-Submitted': 'auto-generated' },
    text:
      `メールボックスの使用量が上限の ${percent}% (${used} / ${limit}) に達しました。\n` +
      `上限に達すると新しいメールを受け取れなくなります。不要なメールを削除してください。\n\n` +
      `Your mailbox holds ${used} of its ${limit} limit (${percent}%).\n` +
      `Once it is full, new mail is refused until you delete some. Please clean up.\n`,
  });
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
