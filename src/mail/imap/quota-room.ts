import { mailUsage } from '../../store/mailboxes.ts';
import { findUserById } from '../../store/users.ts';
import { quotaLimit } from '../delivery/quota.ts';
import type { CommandSession } from './commands/command.ts';
import { ImapError, ImapErrorId } from './imap-error.ts';

/** APPEND, COPY: the user's mailbox must have room for the bytes (RFC 9208 §4.3: NO [OVERQUOTA]). */
export async function requireRoom(session: CommandSession, userId: number, bytes: number): Promise<void> {
  const db = session.deps.services.store.db;
  const user = await findUserById(db, userId);
  const limit = user ? quotaLimit(user, session.deps.defaultQuota) : undefined;
  if (limit === undefined) return;
  const { usedBytes } = await mailUsage(db, userId);
  if (usedBytes + bytes > limit) {
    throw new ImapError(
      'NO',
      ImapErrorId.OVER_QUOTA,
      `the mailbox is full (${Math.ceil(usedBytes / 1024)} KiB of ${Math.floor(limit / 1024)} KiB used): delete some mail first`,
      'OVERQUOTA',
    );
  }
}
