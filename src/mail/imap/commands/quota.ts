import { mailUsage } from '../../../store/mailboxes.ts';
import { findUserById } from '../../../store/users.ts';
import { quotaLimit } from '../../delivery/quota.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import { mailboxNameFromClient, mailboxNameToClient, requireMailbox } from '../mailbox-names.ts';
import { WIRE_CRLF } from '../protocol/wire.ts';
import type { ImapUser } from '../state.ts';
import { command, type CommandSession, type RegisteredCommand } from './command.ts';

/**
 * QUOTA (RFC 9208). A user has one quota over all their mailboxes: the
 * root "" (every mailbox's quota root), with STORAGE in units of 1024
 * octets (§5.1). There is no limit on the number of messages, so MESSAGE is
 * never reported. A user without any limit has no quota root at all.
 */
const ROOT = '""';

/** RFC 9208 §5.1: STORAGE in KiB; usage rounded up so a nearly full mailbox never looks emptier. */
const KIB = 1024;

/** The resources of the user's quota root, "STORAGE used limit", or undefined when there is no limit. */
async function quotaResources(session: CommandSession, user: ImapUser): Promise<string | undefined> {
  const { db } = session.deps.services.store;
  const row = await findUserById(db, user.id);
  if (!row) return undefined;
  const limit = quotaLimit(row, session.deps.defaultQuota);
  if (limit === undefined) return undefined;
  const usage = await mailUsage(db, user.id);
  return `STORAGE ${Math.ceil(usage.usedBytes / KIB)} ${Math.floor(limit / KIB)}`;
}

function noSuchRoot(root: string): ImapError {
  return new ImapError('NO', ImapErrorId.NO_SUCH_MAILBOX, `no quota root "${root}"`, 'NONEXISTENT');
}

/** RFC 9208 §4.2.2 GETQUOTAROOT: the roots of the mailbox, then each root's QUOTA. */
export const getQuotaRootCommand = command({
  names: ['GETQUOTAROOT'],
  state: 'authenticated',
  async run(session, state, { mailbox }) {
    const name = mailboxNameFromClient(session, mailbox);
    const row = await requireMailbox(session.deps.services.store.db, state.user.id, name);
    const resources = await quotaResources(session, state.user);
    const prefix = Buffer.concat([Buffer.from('* QUOTAROOT '), mailboxNameToClient(session, row.name)]);
    if (resources === undefined) {
      // No limit: the mailbox has no quota root (§4.2.2 allows an empty list).
      await session.send([Buffer.concat([prefix, WIRE_CRLF])]);
      return undefined;
    }
    await session.send([Buffer.concat([prefix, Buffer.from(` ${ROOT}`), WIRE_CRLF])]);
    await session.untagged(`QUOTA ${ROOT} (${resources})`);
    return undefined;
  },
});

/** RFC 9208 §4.2.1 GETQUOTA: only the root "" exists. */
export const getQuotaCommand = command({
  names: ['GETQUOTA'],
  state: 'authenticated',
  async run(session, state, { root }) {
    if (root !== '') throw noSuchRoot(root);
    const resources = await quotaResources(session, state.user);
    if (resources === undefined) throw noSuchRoot(root);
    await session.untagged(`QUOTA ${ROOT} (${resources})`);
    return undefined;
  },
});

/** RFC 9208 §4.2.3 SETQUOTA: quotas are an administrator's business (coo user set, the web console). */
export const setQuotaCommand = command({
  names: ['SETQUOTA'],
  state: 'authenticated',
  async run() {
    throw new ImapError('NO', ImapErrorId.CANNOT, 'quotas are set by an administrator', 'NOPERM');
  },
});

export const quotaCommands: readonly RegisteredCommand[] = [
  getQuotaRootCommand,
  getQuotaCommand,
  setQuotaCommand,
];
