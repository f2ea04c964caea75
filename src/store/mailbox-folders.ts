import { sql } from 'kysely';
import type { Executor, Tx } from './database.ts';
import { expungeMessages, newMailboxRow, type MailboxRow } from './mailboxes.ts';

/**
 * Mailboxes as folders (IMAP CREATE, RENAME, DELETE, SUBSCRIBE): the
 * hierarchy is in the names, "/" separating levels (RFC 9051 §5.1.1).
 */
export const HIERARCHY_DELIMITER = '/';

/**
 * A new mailbox. Its UIDVALIDITY is larger than any of the user's mailboxes
 * had, so a mailbox deleted and created again within the same second still
 * gets a new one (RFC 9051 §2.3.1.1) and clients drop their cache.
 */
export async function createFolder(
  tx: Tx,
  userId: number,
  name: string,
  now: number,
  specialUse: string | null = null,
): Promise<MailboxRow> {
  const highest = await tx
    .selectFrom('mailboxes')
    .select(sql<number | null>`max(uid_validity)`.as('highest'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  const row = newMailboxRow(userId, name, specialUse, now);
  row.uid_validity = Math.max(row.uid_validity, Number(highest?.highest ?? 0) + 1);
  return tx.insertInto('mailboxes').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The mailbox and every mailbox below it ("a" and "a/…"), by name. */
export function folderWithChildren(db: Executor, userId: number, name: string): Promise<MailboxRow[]> {
  // substr, not LIKE: LIKE ignores case in SQLite and not in PostgreSQL, and names may hold % and _.
  const prefix = `${name}${HIERARCHY_DELIMITER}`;
  return db
    .selectFrom('mailboxes')
    .selectAll()
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([eb('name', '=', name), eb(sql<string>`substr(name, 1, ${[...prefix].length})`, '=', prefix)]),
    )
    .orderBy('name')
    .execute();
}

/** Renames the mailbox and its children in one transaction; UIDs and UIDVALIDITY stay (nothing moved). */
export async function renameFolder(tx: Tx, userId: number, from: string, to: string): Promise<void> {
  const rows = await folderWithChildren(tx, userId, from);
  for (const row of rows) {
    await tx
      .updateTable('mailboxes')
      .set({ name: to + row.name.slice(from.length) })
      .where('id', '=', row.id)
      .execute();
  }
}

/**
 * Deletes one mailbox and its messages (the usage lowered); children stay.
 * Returns the blobs of the removed messages, which may now be unused.
 */
export async function deleteFolder(tx: Tx, mailbox: MailboxRow): Promise<string[]> {
  const uids = await tx
    .selectFrom('mail_messages')
    .select('uid')
    .where('mailbox_id', '=', mailbox.id)
    .execute();
  const removed = await expungeMessages(
    tx,
    mailbox.id,
    uids.map((row) => Number(row.uid)),
  );
  await tx.deleteFrom('mail_expunged').where('mailbox_id', '=', mailbox.id).execute();
  await tx.deleteFrom('mailboxes').where('id', '=', mailbox.id).execute();
  return removed.map((row) => row.blob_sha256);
}

export async function setFolderSubscribed(
  db: Executor,
  mailboxId: number,
  subscribed: boolean,
): Promise<void> {
  await db
    .updateTable('mailboxes')
    .set({ subscribed: subscribed ? 1 : 0 })
    .where('id', '=', mailboxId)
    .execute();
}

/**
 * Renames INBOX the IMAP way (RFC 9051 §6.3.6): a new mailbox takes every
 * message of INBOX, which stays, empty, with a tombstone per message so
 * sessions that have it selected see them expunged. The messages keep their
 * UIDs: the new mailbox has a new UIDVALIDITY, so no client holds a stale
 * cache of it. Children of INBOX stay where they are; the usage is unchanged
 * (the messages still belong to the user).
 */
export async function renameInbox(
  tx: Tx,
  userId: number,
  to: string,
  now: number,
): Promise<{ inbox: MailboxRow; created: MailboxRow }> {
  // Taking the next mod-sequence first locks INBOX's row: deliveries wait until the move commits.
  const inbox = await tx
    .updateTable('mailboxes')
    .set({ highest_modseq: sql<number>`highest_modseq + 1` })
    .where('user_id', '=', userId)
    .where('name', '=', 'INBOX')
    .returningAll()
    .executeTakeFirstOrThrow();
  const modseq = Number(inbox.highest_modseq);
  const totals = await tx
    .selectFrom('mail_messages')
    .select([sql<number>`count(*)`.as('messages'), sql<number | null>`sum(size)`.as('bytes')])
    .where('mailbox_id', '=', inbox.id)
    .executeTakeFirstOrThrow();
  const created = await createFolder(tx, userId, to, now);
  const moved = await tx
    .updateTable('mailboxes')
    .set({
      uid_next: Number(inbox.uid_next),
      highest_modseq: modseq,
      message_count: Number(totals.messages),
      total_size: Number(totals.bytes ?? 0),
    })
    .where('id', '=', created.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('mail_expunged')
    .columns(['mailbox_id', 'uid', 'modseq'])
    .expression((eb) =>
      eb
        .selectFrom('mail_messages')
        .select(['mailbox_id', 'uid', sql<number>`${modseq}`.as('modseq')])
        .where('mailbox_id', '=', inbox.id),
    )
    .execute();
  await tx
    .updateTable('mail_messages')
    .set({ mailbox_id: created.id })
    .where('mailbox_id', '=', inbox.id)
    .execute();
  const emptied = await tx
    .updateTable('mailboxes')
    .set({ message_count: 0, total_size: 0 })
    .where('id', '=', inbox.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { inbox: emptied, created: moved };
}

/**
 * Messages of the mailbox that have the flag, or lack it (IMAP STATUS
 * UNSEEN and DELETED, RFC 9051 §6.3.11). Flags are stored as a JSON array of
 * canonical names, so the quoted JSON string is looked for; LIKE gets an
 * explicit ESCAPE because PostgreSQL's default escape is the backslash every
 * system flag starts with.
 */
export async function countMessagesByFlag(
  db: Executor,
  mailboxId: number,
  flag: string,
  has: boolean,
): Promise<number> {
  const pattern = `%${JSON.stringify(flag).replace(/[!%_]/g, '!$&')}%`;
  const matches = sql<boolean>`flags like ${pattern} escape '!'`;
  const row = await db
    .selectFrom('mail_messages')
    .select(sql<number>`count(*)`.as('count'))
    .where('mailbox_id', '=', mailboxId)
    .where(has ? matches : sql<boolean>`not (${matches})`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
