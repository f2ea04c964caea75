import { inTransaction, isUniqueViolation, type Tx } from '../../../store/database.ts';
import {
  createFolder,
  deleteFolder,
  folderWithChildren,
  renameFolder,
  renameInbox,
  setFolderSubscribed,
} from '../../../store/mailbox-folders.ts';
import { DEFAULT_MAILBOXES, findMailbox, listMailboxes, type MailboxRow } from '../../../store/mailboxes.ts';
import { publishMailboxChanged } from '../../mailbox-events.ts';
import { deleteUnusedBlobs } from '../../pop3/maildrop.ts';
import { ImapError, ImapErrorId, noSuchMailbox } from '../imap-error.ts';
import { checkNewName, DELIMITER, mailboxNameFromClient, requireMailbox } from '../mailbox-names.ts';
import type { AuthenticatedState, SelectedState } from '../state.ts';
import { command, type CommandSession, type RegisteredCommand } from './command.ts';

/**
 * Mailbox management: CREATE, DELETE, RENAME (RFC 9051 §6.3.4–6.3.6),
 * SUBSCRIBE and UNSUBSCRIBE (§6.3.7–6.3.8). The hierarchy is in the names,
 * "/" between levels; a mailbox never exists without its parents.
 */

/**
 * RFC 6154 §2 attributes a real mailbox can carry. \All and \Flagged name
 * virtual mailboxes (every message, every flagged one) this server does not
 * keep, so CREATE cannot make one.
 */
const CREATABLE_SPECIAL_USE = ['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash'];

/** Every user has these (DEFAULT_MAILBOXES): delivery and the web client expect them. */
const PROTECTED_NAMES = new Set(DEFAULT_MAILBOXES.map((mailbox) => mailbox.name));

function alreadyExists(name: string): ImapError {
  return new ImapError(
    'NO',
    ImapErrorId.MAILBOX_EXISTS,
    `a mailbox named "${name}" already exists`,
    'ALREADYEXISTS',
  );
}

function cannot(message: string): ImapError {
  return new ImapError('NO', ImapErrorId.CANNOT, message, 'CANNOT');
}

/** RFC 9051 §6.3.4: a trailing delimiter only says children will follow; the name is the same. */
function withoutTrailingDelimiter(name: string): string {
  return name.endsWith(DELIMITER) && name.length > 1 ? name.slice(0, -1) : name;
}

/** The names above this one, outermost first: "a/b/c" → ["a", "a/b"]. */
function ancestors(name: string): string[] {
  const levels = name.split(DELIMITER);
  return levels.slice(1).map((_, index) => levels.slice(0, index + 1).join(DELIMITER));
}

/** RFC 6154 §5 CREATE-SPECIAL-USE: one attribute this server keeps, in its canonical case. */
function specialUseFor(requested: readonly string[]): string | null {
  if (requested.length === 0) return null;
  const canonical = CREATABLE_SPECIAL_USE.find((use) => use.toLowerCase() === requested[0]?.toLowerCase());
  if (requested.length > 1 || !canonical) {
    // RFC 6154 §3: USEATTR for a special-use attribute the server cannot give.
    throw new ImapError(
      'NO',
      ImapErrorId.NOT_SUPPORTED,
      `a mailbox can have one of ${CREATABLE_SPECIAL_USE.join(' ')} as its special use`,
      'USEATTR',
    );
  }
  return canonical;
}

/** Creates the missing parents of a name (RFC 9051 §6.3.4: "foo/bar" creates "foo" too). */
async function createParents(tx: Tx, userId: number, name: string, now: number): Promise<void> {
  for (const parent of ancestors(name)) {
    if (!(await findMailbox(tx, userId, parent))) await createFolder(tx, userId, parent, now);
  }
}

/** Runs a change of names; a unique violation means someone created the name meanwhile. */
async function changeNames<T>(
  session: CommandSession,
  name: string,
  change: (tx: Tx) => Promise<T>,
): Promise<T> {
  try {
    return await inTransaction(session.deps.services.store.db, change);
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyExists(name);
    throw error;
  }
}

/** RFC 9051 §6.3.4 CREATE, RFC 6154 §5 CREATE-SPECIAL-USE. */
export const createCommand = command({
  names: ['CREATE'],
  state: 'authenticated',
  async run(session, state, { mailbox, specialUse }) {
    const name = withoutTrailingDelimiter(mailboxNameFromClient(session, mailbox));
    if (name === 'INBOX') throw alreadyExists(name);
    checkNewName(name);
    const use = specialUseFor(specialUse);
    const userId = state.user.id;
    await changeNames(session, name, async (tx) => {
      if (await findMailbox(tx, userId, name)) throw alreadyExists(name);
      const now = Date.now();
      await createParents(tx, userId, name, now);
      await createFolder(tx, userId, name, now, use);
    });
    return undefined;
  },
});

/**
 * RFC 9051 §6.3.5 DELETE. INBOX and the default mailboxes cannot go; a
 * mailbox with children is refused with HASCHILDREN (the server may, and a
 * parent without its own messages is not something this store keeps).
 */
export const deleteCommand = command({
  names: ['DELETE'],
  state: 'authenticated',
  async run(session, state, { mailbox }) {
    const name = mailboxNameFromClient(session, mailbox);
    if (name === 'INBOX') throw cannot('INBOX cannot be deleted');
    if (PROTECTED_NAMES.has(name))
      throw cannot(`"${name}" is one of every user's mailboxes and cannot be deleted`);
    const { db } = session.deps.services.store;
    const userId = state.user.id;
    const deleted = await inTransaction(db, async (tx) => {
      const family = await folderWithChildren(tx, userId, name);
      const row = family.find((candidate) => candidate.name === name);
      if (!row) throw noSuchMailbox(name);
      if (family.length > 1) {
        throw new ImapError(
          'NO',
          ImapErrorId.CANNOT,
          `"${name}" has mailboxes inside it: delete those first`,
          'HASCHILDREN',
        );
      }
      return { row, blobs: await deleteFolder(tx, row) };
    });
    await deleteUnusedBlobs(session.deps.services.store, session.deps.blobs, deleted.blobs, session.log);
    // Sessions that have it selected find it gone at their next look and say BYE.
    await publishMailboxChanged(
      session.deps.bus,
      { userId, mailboxId: deleted.row.id, modseq: Number(deleted.row.highest_modseq) + 1 },
      session.log,
    );
    return undefined;
  },
});

/** RFC 9051 §6.3.6 RENAME: with its children; INBOX's messages move and INBOX stays, empty. */
export const renameCommand = command({
  names: ['RENAME'],
  state: 'authenticated',
  async run(session, state, command) {
    const from = mailboxNameFromClient(session, command.from);
    const to = withoutTrailingDelimiter(mailboxNameFromClient(session, command.to));
    if (to === 'INBOX') throw alreadyExists(to);
    checkNewName(to);
    if (PROTECTED_NAMES.has(from) && from !== 'INBOX') {
      throw cannot(`"${from}" is one of every user's mailboxes and cannot be renamed`);
    }
    if (to === from) throw alreadyExists(to);
    // INBOX's children stay put when it is renamed, so INBOX/x is a fine new name for it.
    if (from !== 'INBOX' && to.startsWith(`${from}${DELIMITER}`)) {
      throw cannot(`"${from}" cannot be renamed into itself`);
    }
    if (from === 'INBOX') return renameInboxTo(session, state, to);
    const userId = state.user.id;
    await changeNames(session, to, async (tx) => {
      const all = await listMailboxes(tx, userId);
      const moving = all.filter((row) => row.name === from || row.name.startsWith(`${from}${DELIMITER}`));
      if (!moving.some((row) => row.name === from)) throw noSuchMailbox(from);
      const taken = new Set(all.map((row) => row.name));
      for (const row of moving) {
        const target = to + row.name.slice(from.length);
        if (taken.has(target)) throw alreadyExists(target);
      }
      await createParents(tx, userId, to, Date.now());
      await renameFolder(tx, userId, from, to);
    });
    return undefined;
  },
});

async function renameInboxTo(
  session: CommandSession,
  state: AuthenticatedState | SelectedState,
  to: string,
): Promise<undefined> {
  const userId = state.user.id;
  const moved = await changeNames(session, to, async (tx) => {
    if (await findMailbox(tx, userId, to)) throw alreadyExists(to);
    const now = Date.now();
    await createParents(tx, userId, to, now);
    return renameInbox(tx, userId, to, now);
  });
  for (const row of [moved.inbox, moved.created]) await announce(session, row);
  return undefined;
}

async function announce(session: CommandSession, row: MailboxRow): Promise<void> {
  await publishMailboxChanged(
    session.deps.bus,
    { userId: row.user_id, mailboxId: row.id, modseq: Number(row.highest_modseq) },
    session.log,
  );
}

/**
 * RFC 9051 §6.3.7 SUBSCRIBE, §6.3.8 UNSUBSCRIBE. Subscriptions live on the
 * mailbox, so only existing mailboxes can be subscribed; unsubscribing a name
 * that is not subscribed (or does not exist) has nothing to do and succeeds.
 */
export const subscribeCommand = command({
  names: ['SUBSCRIBE', 'UNSUBSCRIBE'],
  state: 'authenticated',
  async run(session, state, { name: verb, mailbox }) {
    const { db } = session.deps.services.store;
    const name = mailboxNameFromClient(session, mailbox);
    if (verb === 'SUBSCRIBE') {
      const row = await requireMailbox(db, state.user.id, name);
      await setFolderSubscribed(db, row.id, true);
      return undefined;
    }
    const row = await findMailbox(db, state.user.id, name);
    if (row) await setFolderSubscribed(db, row.id, false);
    return undefined;
  },
});

export const mailboxCommands: readonly RegisteredCommand[] = [
  createCommand,
  deleteCommand,
  renameCommand,
  subscribeCommand,
];
