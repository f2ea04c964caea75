import { sql } from 'kysely';
import type { Executor, Tx } from './database.ts';
import { appendMessage, type MailMessageRow } from './mailboxes.ts';

/**
 * What an IMAP session keeps of a selected mailbox and asks for afterwards:
 * the light index (UID, mod-sequence, flags) read once at SELECT, the
 * changes since a mod-sequence (new mail, flag changes, expunges from other
 * sessions, POP3 or delivery), and copies between mailboxes.
 */

export interface IndexEntry {
  uid: number;
  modseq: number;
  /** JSON array text, as stored (sessions share one parsed value per distinct text). */
  flags: string;
}

/** The index of a mailbox as columns: entry i of each array is the i-th message in UID order. */
export interface MessageIndex {
  uids: number[];
  modseqs: number[];
  /** JSON array text, as stored. */
  flags: string[];
  /** The largest modseq among the messages (0 when empty). */
  highestModseq: number;
}

/**
 * Every message of the mailbox, in UID order, as three columns. SELECT of
 * 100,000 messages reads this: the database joins each column into one
 * text (string_agg, on SQLite since 3.44 as on PostgreSQL), which costs a
 * fraction of handing over 100,000 rows, each an object of three values.
 * Flags are JSON, which never holds a raw line feed, so that separates
 * them. Aggregate order follows the ordered subquery on both databases; it
 * is checked, not trusted, and sorted when it does not.
 */
export async function messageIndex(db: Executor, mailboxId: number): Promise<MessageIndex> {
  const { rows } = await sql<{ uids: string | null; modseqs: string | null; flags: string | null }>`
    select string_agg(cast(uid as text), ',') as uids,
           string_agg(cast(modseq as text), ',') as modseqs,
           string_agg(flags, ${FLAGS_SEPARATOR}) as flags
    from (select uid, modseq, flags from mail_messages where mailbox_id = ${mailboxId} order by uid) as listed
  `.execute(db);
  const row = rows[0];
  if (!row?.uids || row.modseqs === null || row.flags === null) {
    return { uids: [], modseqs: [], flags: [], highestModseq: 0 };
  }
  const index: MessageIndex = {
    uids: numbers(row.uids),
    modseqs: numbers(row.modseqs),
    flags: row.flags.split(FLAGS_SEPARATOR),
    highestModseq: 0,
  };
  if (index.modseqs.length !== index.uids.length || index.flags.length !== index.uids.length) {
    throw new Error(`the index of mailbox ${mailboxId} did not split into one entry per message`);
  }
  let highest = 0;
  for (const modseq of index.modseqs) if (modseq > highest) highest = modseq;
  index.highestModseq = highest;
  return ascending(index.uids) ? index : sortedByUid(index);
}

const FLAGS_SEPARATOR = '\n';

function numbers(text: string): number[] {
  const parts = text.split(',');
  const values = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) values[i] = Number(parts[i]);
  return values;
}

function ascending(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if ((values[i - 1] ?? 0) >= (values[i] ?? 0)) return false;
  return true;
}

function sortedByUid(index: MessageIndex): MessageIndex {
  const order = index.uids.map((_, i) => i).sort((a, b) => (index.uids[a] ?? 0) - (index.uids[b] ?? 0));
  return {
    uids: order.map((i) => index.uids[i] ?? 0),
    modseqs: order.map((i) => index.modseqs[i] ?? 0),
    flags: order.map((i) => index.flags[i] ?? '[]'),
    highestModseq: index.highestModseq,
  };
}

/**
 * Messages added or changed after the mod-sequence, in UID order (RFC 7162
 * CHANGEDSINCE). `upTo` bounds it to a mod-sequence read before, so two
 * queries see the same moment even while others commit.
 */
export async function changedSince(
  db: Executor,
  mailboxId: number,
  modseq: number,
  upTo = Number.MAX_SAFE_INTEGER,
): Promise<IndexEntry[]> {
  const rows = await db
    .selectFrom('mail_messages')
    .select(['uid', 'modseq', 'flags'])
    .where('mailbox_id', '=', mailboxId)
    .where('modseq', '>', modseq)
    .where('modseq', '<=', upTo)
    .orderBy('uid')
    .execute();
  return rows.map((row) => ({ uid: Number(row.uid), modseq: Number(row.modseq), flags: row.flags }));
}

/** UIDs expunged after the mod-sequence, ascending (RFC 7162 §3.2.10 VANISHED). */
export async function expungedSince(
  db: Executor,
  mailboxId: number,
  modseq: number,
  upTo = Number.MAX_SAFE_INTEGER,
): Promise<number[]> {
  const rows = await db
    .selectFrom('mail_expunged')
    .select('uid')
    .where('mailbox_id', '=', mailboxId)
    .where('modseq', '>', modseq)
    .where('modseq', '<=', upTo)
    .orderBy('uid')
    .execute();
  return rows.map((row) => Number(row.uid));
}

/** The mailbox's counters as they are now (a cheap "did anything change?" before a full look). */
export async function mailboxCounters(
  db: Executor,
  mailboxId: number,
): Promise<{ highestModseq: number; uidNext: number; exists: boolean }> {
  const row = await db
    .selectFrom('mailboxes')
    .select(['highest_modseq', 'uid_next'])
    .where('id', '=', mailboxId)
    .executeTakeFirst();
  if (!row) return { highestModseq: 0, uidNext: 0, exists: false };
  return { highestModseq: Number(row.highest_modseq), uidNext: Number(row.uid_next), exists: true };
}

/** Full rows of the messages with these UIDs (any order), in batches that stay under bind-parameter limits. */
export async function messagesByUids(
  db: Executor,
  mailboxId: number,
  uids: readonly number[],
): Promise<MailMessageRow[]> {
  if (uids.length === 0) return [];
  const sorted = [...uids].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const last = sorted[sorted.length - 1] ?? 0;
  // A dense set (FETCH 1:*) is one range scan, not thousands of parameters.
  if (last - first + 1 <= sorted.length * 2) {
    const wanted = new Set(sorted);
    const rows = await db
      .selectFrom('mail_messages')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .where('uid', '>=', first)
      .where('uid', '<=', last)
      .orderBy('uid')
      .execute();
    return rows.filter((row) => wanted.has(Number(row.uid)));
  }
  const rows: MailMessageRow[] = [];
  for (let start = 0; start < sorted.length; start += 500) {
    const batch = sorted.slice(start, start + 500);
    rows.push(
      ...(await db
        .selectFrom('mail_messages')
        .selectAll()
        .where('mailbox_id', '=', mailboxId)
        .where('uid', 'in', batch)
        .orderBy('uid')
        .execute()),
    );
  }
  return rows;
}

/**
 * Copies messages into another mailbox (IMAP COPY, MOVE's first half): the
 * same body blob, flags and internal date, new UIDs in the target in the
 * order of the source UIDs (RFC 4315 COPYUID pairs them). The copies count
 * against the owner's usage.
 */
export async function copyMessages(
  tx: Tx,
  input: {
    userId: number;
    sourceMailboxId: number;
    uids: readonly number[];
    targetMailboxId: number;
    now: number;
  },
): Promise<Array<{ sourceUid: number; targetUid: number; row: MailMessageRow }>> {
  const rows = await messagesByUids(tx, input.sourceMailboxId, input.uids);
  const copies: Array<{ sourceUid: number; targetUid: number; row: MailMessageRow }> = [];
  for (const row of rows) {
    const copy = await appendMessage(tx, {
      mailboxId: input.targetMailboxId,
      userId: input.userId,
      blobSha256: row.blob_sha256,
      size: Number(row.size),
      internalDate: Number(row.internal_date),
      flags: JSON.parse(row.flags) as string[],
      subject: row.subject,
      fromAddress: row.from_address,
      messageId: row.message_id,
      now: input.now,
    });
    copies.push({ sourceUid: Number(row.uid), targetUid: Number(copy.uid), row: copy });
  }
  return copies;
}

/** Bytes of the given messages (a COPY's size against the quota). */
export async function sizeOfMessages(
  db: Executor,
  mailboxId: number,
  uids: readonly number[],
): Promise<number> {
  const rows = await messagesByUids(db, mailboxId, uids);
  return rows.reduce((sum, row) => sum + Number(row.size), 0);
}

/** UIDs of the messages flagged \Deleted (flags are stored in canonical case), ascending. */
export async function deletedUids(db: Executor, mailboxId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('mail_messages')
    .select(['uid', 'flags'])
    .where('mailbox_id', '=', mailboxId)
    .where('flags', 'like', '%Deleted%')
    .orderBy('uid')
    .execute();
  return rows
    .filter((row) => (JSON.parse(row.flags) as string[]).includes('\\Deleted'))
    .map((row) => Number(row.uid));
}

export interface MessageFacts {
  uid: number;
  internalDate: number;
  size: number;
  blobSha256: string;
}

/** What SEARCH and SORT need beyond the index, for every message of the mailbox, in UID order. */
export async function messageFacts(db: Executor, mailboxId: number): Promise<MessageFacts[]> {
  const rows = await db
    .selectFrom('mail_messages')
    .select(['uid', 'internal_date', 'size', 'blob_sha256'])
    .where('mailbox_id', '=', mailboxId)
    .orderBy('uid')
    .execute();
  return rows.map((row) => ({
    uid: Number(row.uid),
    internalDate: Number(row.internal_date),
    size: Number(row.size),
    blobSha256: row.blob_sha256,
  }));
}
