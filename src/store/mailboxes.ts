import { sql, type Selectable } from 'kysely';
import type { Executor, Tx } from './database.ts';
import { prepareQuery } from './prepared-query.ts';
import type { MailboxTable, MailMessageTable } from './schema-mail.ts';

/**
 * The SQL of mailboxes and their messages: the one store SMTP delivery,
 * POP3 and IMAP share. A message's body is a blob; this keeps its place
 * (mailbox, UID), flags, mod-sequence and a summary for lists.
 */

export type MailboxRow = Selectable<MailboxTable>;
export type MailMessageRow = Selectable<MailMessageTable>;

/** Every user has these (RFC 6154 special-use attributes; IMAP's INBOX is case-insensitive). */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: string | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
  { name: 'Archive', specialUse: '\\Archive' },
];

/** UIDVALIDITY: seconds since the epoch at creation, so a recreated mailbox gets a new, larger one. */
function uidValidity(now: number): number {
  return Math.floor(now / 1000);
}

/** The row of a new, empty mailbox. */
export function newMailboxRow(userId: number, name: string, specialUse: string | null, now: number) {
  return {
    user_id: userId,
    name,
    special_use: specialUse,
    uid_validity: uidValidity(now),
    uid_next: 1,
    highest_modseq: 1,
    message_count: 0,
    total_size: 0,
    subscribed: 1,
    created_at: now,
  };
}

/** Creates the user's default mailboxes that do not exist yet. Safe to call on every delivery. */
export async function ensureDefaultMailboxes(db: Executor, userId: number, now: number): Promise<void> {
  await db
    .insertInto('mailboxes')
    .values(DEFAULT_MAILBOXES.map((mailbox) => newMailboxRow(userId, mailbox.name, mailbox.specialUse, now)))
    .onConflict((conflict) => conflict.columns(['user_id', 'name']).doNothing())
    .execute();
}

const mailboxByName = prepareQuery((db, p: { userId: number; name: string }) =>
  db.selectFrom('mailboxes').selectAll().where('user_id', '=', p.userId).where('name', '=', p.name),
);

/** The user's mailbox by name; "INBOX" matches in any case (RFC 9051 §5.1). */
export function findMailbox(db: Executor, userId: number, name: string): Promise<MailboxRow | undefined> {
  const wanted = name.toUpperCase() === 'INBOX' ? 'INBOX' : name;
  return mailboxByName.takeFirst(db, { userId, name: wanted });
}

export function findMailboxById(db: Executor, id: number): Promise<MailboxRow | undefined> {
  return db.selectFrom('mailboxes').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listMailboxes(db: Executor, userId: number): Promise<MailboxRow[]> {
  return db.selectFrom('mailboxes').selectAll().where('user_id', '=', userId).orderBy('name').execute();
}

export interface NewMailMessage {
  mailboxId: number;
  userId: number;
  blobSha256: string;
  size: number;
  internalDate: number;
  flags: readonly string[];
  subject: string;
  fromAddress: string;
  messageId: string;
  now: number;
}

// Every delivered message runs these three: they are prepared (prepared-query.ts).

/** A new message's place: the mailbox's next UID and mod-sequence, and its counts grown by the message. */
const takeUidById = prepareQuery((db, p: { mailboxId: number; size: number }) =>
  db
    .updateTable('mailboxes')
    .set(grownBy(p.size))
    .where('id', '=', p.mailboxId)
    .returning(['uid_next', 'highest_modseq']),
);
const takeUidByName = prepareQuery((db, p: { userId: number; name: string; size: number }) =>
  db
    .updateTable('mailboxes')
    .set(grownBy(p.size))
    .where('user_id', '=', p.userId)
    .where('name', '=', p.name)
    .returning(['id', 'name', 'uid_next', 'highest_modseq']),
);

function grownBy(size: number) {
  return {
    uid_next: sql<number>`uid_next + 1`,
    highest_modseq: sql<number>`highest_modseq + 1`,
    message_count: sql<number>`message_count + 1`,
    total_size: sql<number>`total_size + ${size}`,
  };
}

const insertMessage = prepareQuery(
  (
    db,
    p: {
      mailboxId: number;
      uid: number;
      modseq: number;
      blobSha256: string;
      size: number;
      internalDate: number;
      flags: string;
      subject: string;
      fromAddress: string;
      messageId: string;
      now: number;
    },
  ) =>
    db
      .insertInto('mail_messages')
      .values({
        mailbox_id: p.mailboxId,
        uid: p.uid,
        modseq: p.modseq,
        blob_sha256: p.blobSha256,
        size: p.size,
        internal_date: p.internalDate,
        flags: p.flags,
        subject: p.subject,
        from_address: p.fromAddress,
        message_id: p.messageId,
        created_at: p.now,
      })
      .returningAll(),
);

/**
 * Appends a message: takes the mailbox's next UID and mod-sequence (the
 * UPDATE locks the mailbox row until commit, so UIDs are handed out in
 * commit order, RFC 9051 §2.3.1.1) and adds its size to the owner's usage.
 */
export async function appendMessage(tx: Tx, input: NewMailMessage): Promise<MailMessageRow> {
  const mailbox = await takeUidById.takeFirstOrThrow(tx, input);
  return insertTaken(tx, mailbox, input);
}

/**
 * appendMessage into the user's mailbox of this name (INBOX in any case),
 * found and locked by the same UPDATE; undefined, and nothing written, when
 * the user has no such mailbox.
 */
export async function appendToNamedMailbox(
  tx: Tx,
  input: Omit<NewMailMessage, 'mailboxId'> & { mailboxName: string },
): Promise<{ mailbox: { id: number; name: string }; row: MailMessageRow } | undefined> {
  const name = input.mailboxName.toUpperCase() === 'INBOX' ? 'INBOX' : input.mailboxName;
  const mailbox = await takeUidByName.takeFirst(tx, { userId: input.userId, name, size: input.size });
  if (!mailbox) return undefined;
  const row = await insertTaken(tx, mailbox, { ...input, mailboxId: mailbox.id });
  return { mailbox: { id: mailbox.id, name: mailbox.name }, row };
}

async function insertTaken(
  tx: Tx,
  taken: { uid_next: number; highest_modseq: number },
  input: NewMailMessage,
): Promise<MailMessageRow> {
  const row = await insertMessage.takeFirstOrThrow(tx, {
    ...input,
    uid: Number(taken.uid_next) - 1,
    modseq: Number(taken.highest_modseq),
    flags: JSON.stringify(normaliseFlags(input.flags)),
  });
  await addUsage(tx, input.userId, input.size, 1);
  return row;
}

/** The user's usage, zero when nothing was ever delivered. */
export async function mailUsage(
  db: Executor,
  userId: number,
): Promise<{ usedBytes: number; messageCount: number; warnedAt: number | null }> {
  const row = await db.selectFrom('mail_usage').selectAll().where('user_id', '=', userId).executeTakeFirst();
  return {
    usedBytes: Number(row?.used_bytes ?? 0),
    messageCount: Number(row?.message_count ?? 0),
    warnedAt: row?.warned_at ?? null,
  };
}

export async function setQuotaWarnedAt(db: Executor, userId: number, at: number | null): Promise<void> {
  await db.updateTable('mail_usage').set({ warned_at: at }).where('user_id', '=', userId).execute();
}

const addUsageQuery = prepareQuery((db, p: { userId: number; bytes: number; messages: number }) =>
  db
    .insertInto('mail_usage')
    .values({ user_id: p.userId, used_bytes: p.bytes, message_count: p.messages, warned_at: null })
    .onConflict((conflict) =>
      conflict.column('user_id').doUpdateSet({
        used_bytes: sql<number>`mail_usage.used_bytes + ${p.bytes}`,
        message_count: sql<number>`mail_usage.message_count + ${p.messages}`,
      }),
    ),
);

async function addUsage(tx: Tx, userId: number, bytes: number, messages: number): Promise<void> {
  await addUsageQuery.run(tx, { userId, bytes, messages });
}

/** Messages of a mailbox in UID order (for SELECT, POP3's maildrop, FETCH 1:*). */
export function listMessages(db: Executor, mailboxId: number): Promise<MailMessageRow[]> {
  return db
    .selectFrom('mail_messages')
    .selectAll()
    .where('mailbox_id', '=', mailboxId)
    .orderBy('uid')
    .execute();
}

export function findMessageByUid(
  db: Executor,
  mailboxId: number,
  uid: number,
): Promise<MailMessageRow | undefined> {
  return db
    .selectFrom('mail_messages')
    .selectAll()
    .where('mailbox_id', '=', mailboxId)
    .where('uid', '=', uid)
    .executeTakeFirst();
}

/**
 * Removes messages (IMAP EXPUNGE, POP3 DELE at QUIT): one new mod-sequence
 * for the change, a tombstone per UID for QRESYNC's VANISHED, and the usage
 * lowered. Returns the rows removed (their blobs may now be unused).
 */
export async function expungeMessages(
  tx: Tx,
  mailboxId: number,
  uids: readonly number[],
): Promise<MailMessageRow[]> {
  if (uids.length === 0) return [];
  const rows = await messagesByUid(tx, mailboxId, uids);
  if (rows.length === 0) return [];
  const bytes = rows.reduce((sum, row) => sum + Number(row.size), 0);
  const mailbox = await tx
    .updateTable('mailboxes')
    .set({
      highest_modseq: sql<number>`highest_modseq + 1`,
      message_count: sql<number>`message_count - ${rows.length}`,
      total_size: sql<number>`total_size - ${bytes}`,
    })
    .where('id', '=', mailboxId)
    .returning(['highest_modseq', 'user_id'])
    .executeTakeFirstOrThrow();
  const removed = rows.map((row) => row.uid);
  await tx
    .deleteFrom('mail_messages')
    .where('mailbox_id', '=', mailboxId)
    .where('uid', 'in', removed)
    .execute();
  await tx
    .insertInto('mail_expunged')
    .values(removed.map((uid) => ({ mailbox_id: mailboxId, uid, modseq: Number(mailbox.highest_modseq) })))
    .execute();
  await addUsage(tx, mailbox.user_id, -bytes, -rows.length);
  return rows;
}

export type FlagChange = 'add' | 'remove' | 'replace';

/**
 * Changes flags (IMAP STORE). Messages whose flags actually change get the
 * mailbox's next mod-sequence, one for the whole operation (RFC 7162 §3.1.3
 * lets messages changed together share it). Returns the changed rows as
 * they are now.
 */
export async function storeFlags(
  tx: Tx,
  mailboxId: number,
  uids: readonly number[],
  change: FlagChange,
  flags: readonly string[],
): Promise<MailMessageRow[]> {
  if (uids.length === 0) return [];
  const rows = await messagesByUid(tx, mailboxId, uids);
  const wanted = normaliseFlags(flags);
  const updates: Array<{ row: MailMessageRow; flags: string }> = [];
  for (const row of rows) {
    const current = JSON.parse(row.flags) as string[];
    let next: string[];
    if (change === 'replace') next = wanted;
    else if (change === 'add') next = normaliseFlags([...current, ...wanted]);
    else next = current.filter((flag) => !wanted.some((w) => w.toLowerCase() === flag.toLowerCase()));
    const text = JSON.stringify(next);
    if (text !== row.flags) updates.push({ row, flags: text });
  }
  if (updates.length === 0) return [];
  const mailbox = await tx
    .updateTable('mailboxes')
    .set({ highest_modseq: sql<number>`highest_modseq + 1` })
    .where('id', '=', mailboxId)
    .returning('highest_modseq')
    .executeTakeFirstOrThrow();
  const modseq = Number(mailbox.highest_modseq);
  for (const update of updates) {
    await tx
      .updateTable('mail_messages')
      .set({ flags: update.flags, modseq })
      .where('id', '=', update.row.id)
      .execute();
  }
  return updates.map((update) => ({ ...update.row, flags: update.flags, modseq }));
}

function messagesByUid(db: Executor, mailboxId: number, uids: readonly number[]): Promise<MailMessageRow[]> {
  return db
    .selectFrom('mail_messages')
    .selectAll()
    .where('mailbox_id', '=', mailboxId)
    .where('uid', 'in', [...uids])
    .execute();
}

/** True while some message or queue entry still refers to the blob. */
export async function mailBlobInUse(db: Executor, sha256: string): Promise<boolean> {
  const message = await db
    .selectFrom('mail_messages')
    .select('id')
    .where('blob_sha256', '=', sha256)
    .limit(1)
    .executeTakeFirst();
  if (message) return true;
  const queued = await db
    .selectFrom('mail_queue')
    .select('id')
    .where('blob_sha256', '=', sha256)
    .where('status', '=', 'queued')
    .limit(1)
    .executeTakeFirst();
  return queued !== undefined;
}

const SYSTEM_FLAGS = ['\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen'];

/**
 * System flags in their canonical case (they are case-insensitive, RFC 9051
 * §2.3.2), keywords as given; no duplicates (case-insensitively); sorted.
 */
export function normaliseFlags(flags: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const flag of flags) {
    const canonical = SYSTEM_FLAGS.find((system) => system.toLowerCase() === flag.toLowerCase()) ?? flag;
    const key = canonical.toLowerCase();
    if (!seen.has(key)) seen.set(key, canonical);
  }
  return [...seen.values()].sort();
}
