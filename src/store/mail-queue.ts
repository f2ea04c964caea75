import type { Selectable } from 'kysely';
import type { DatabaseKind, Executor } from './database.ts';
import type { MailQueueTable } from './schema-mail.ts';

/**
 * The SQL of the outbound queue: one row per recipient of a message whose
 * body is a blob. A node claims due rows by stamping `locked_by` and
 * `locked_until`; a lock that runs out (a node that died mid-delivery) makes
 * the row due again. On PostgreSQL several nodes claim at once, so the rows
 * are picked with FOR UPDATE SKIP LOCKED; SQLite has one writer at a time.
 */

export type QueueRow = Selectable<MailQueueTable>;

export const QueueStatus = { queued: 'queued', delivered: 'delivered', failed: 'failed' } as const;
export type QueueStatus = (typeof QueueStatus)[keyof typeof QueueStatus];

export interface NewQueueRow {
  sender: string;
  recipient: string;
  domain: string;
  blobSha256: string;
  size: number;
  originUserId: number | null;
  kind: string;
  /** JSON text: DSN options and the like. */
  options: string;
  nextAttemptAt: number;
  lastError?: string | null;
}

export async function insertQueueRows(
  db: Executor,
  rows: readonly NewQueueRow[],
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('mail_queue')
    .values(
      rows.map((row) => ({
        sender: row.sender,
        recipient: row.recipient,
        domain: row.domain,
        blob_sha256: row.blobSha256,
        size: row.size,
        origin_user_id: row.originUserId,
        kind: row.kind,
        status: QueueStatus.queued,
        attempts: 0,
        next_attempt_at: row.nextAttemptAt,
        locked_by: null,
        locked_until: null,
        last_error: row.lastError ?? null,
        delay_warned: 0,
        options: row.options,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
}

export interface ClaimRequest {
  /** Who claims: one name per running queue worker. */
  owner: string;
  now: number;
  /** The lock runs until then; a delivery must end (or give up) before. */
  lockUntil: number;
  limit: number;
  /** Destinations already at their concurrency limit. */
  excludeDomains?: readonly string[];
}

/** Locks up to `limit` due rows for the caller and returns them, the oldest due first. */
export async function claimDueRows(
  db: Executor,
  kind: DatabaseKind,
  request: ClaimRequest,
): Promise<QueueRow[]> {
  if (request.limit <= 0) return [];
  let due = db
    .selectFrom('mail_queue')
    .select('id')
    .where('status', '=', QueueStatus.queued)
    .where('next_attempt_at', '<=', request.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', request.now)]));
  if (request.excludeDomains && request.excludeDomains.length > 0) {
    due = due.where('domain', 'not in', [...request.excludeDomains]);
  }
  due = due.orderBy('next_attempt_at').orderBy('id').limit(request.limit);
  // Several nodes claim at once on PostgreSQL: a row another one is claiming is skipped, not waited for.
  if (kind === 'postgres') due = due.forUpdate().skipLocked();
  const rows = await db
    .updateTable('mail_queue')
    .set({ locked_by: request.owner, locked_until: request.lockUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
}

/** Gives claimed rows back untouched (a destination turned out to be busy). */
export async function releaseRows(db: Executor, ids: readonly number[], owner: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('mail_queue')
    .set({ locked_by: null, locked_until: null })
    .where('id', 'in', [...ids])
    .where('locked_by', '=', owner)
    .execute();
}

/** Another try later: the attempt is counted and the lock released. */
export async function rescheduleRow(
  db: Executor,
  id: number,
  change: { attempts: number; nextAttemptAt: number; lastError: string; delayWarned: boolean; now: number },
): Promise<void> {
  await db
    .updateTable('mail_queue')
    .set({
      attempts: change.attempts,
      next_attempt_at: change.nextAttemptAt,
      last_error: change.lastError,
      delay_warned: change.delayWarned ? 1 : 0,
      locked_by: null,
      locked_until: null,
      updated_at: change.now,
    })
    .where('id', '=', id)
    .execute();
}

/** Delivered, or failed for good (the sender was told). */
export async function finishRow(
  db: Executor,
  id: number,
  change: { status: 'delivered' | 'failed'; attempts: number; lastError: string | null; now: number },
): Promise<void> {
  await db
    .updateTable('mail_queue')
    .set({
      status: change.status,
      attempts: change.attempts,
      last_error: change.lastError,
      locked_by: null,
      locked_until: null,
      updated_at: change.now,
    })
    .where('id', '=', id)
    .execute();
}

export interface QueueListQuery {
  /** Only these statuses; all when unset. */
  statuses?: readonly QueueStatus[];
  limit?: number;
}

export function listQueueRows(db: Executor, query: QueueListQuery = {}): Promise<QueueRow[]> {
  let q = db.selectFrom('mail_queue').selectAll();
  if (query.statuses) q = q.where('status', 'in', [...query.statuses]);
  q = q.orderBy('created_at').orderBy('id');
  if (query.limit !== undefined) q = q.limit(query.limit);
  return q.execute();
}

export function findQueueRow(db: Executor, id: number): Promise<QueueRow | undefined> {
  return db.selectFrom('mail_queue').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Makes queued rows due now (all of them when `ids` is undefined); returns how many. */
export async function makeRowsDue(
  db: Executor,
  ids: readonly number[] | undefined,
  now: number,
): Promise<number> {
  if (ids?.length === 0) return 0;
  let q = db
    .updateTable('mail_queue')
    .set({ next_attempt_at: now, updated_at: now })
    .where('status', '=', QueueStatus.queued);
  if (ids) q = q.where('id', 'in', [...ids]);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function deleteQueueRow(db: Executor, id: number): Promise<QueueRow | undefined> {
  return db.deleteFrom('mail_queue').where('id', '=', id).returningAll().executeTakeFirst();
}

/** Removes rows finished before `before`; returns the blobs they referred to. */
export async function pruneFinishedRows(db: Executor, before: number): Promise<string[]> {
  const rows = await db
    .deleteFrom('mail_queue')
    .where('status', '!=', QueueStatus.queued)
    .where('updated_at', '<', before)
    .returning('blob_sha256')
    .execute();
  return [...new Set(rows.map((row) => row.blob_sha256))];
}

/** Rows waiting, for metrics and `coo queue list`. */
export function countQueuedRows(db: Executor): Promise<number> {
  return db
    .selectFrom('mail_queue')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', QueueStatus.queued)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.n));
}

export interface QueueStatistics {
  /** Entries (one per recipient) by status; delivered and failed ones stay a day before they are pruned. */
  byStatus: Record<QueueStatus, number>;
  /** When the oldest entry still queued was created (ms since the epoch); undefined when none is. */
  oldestQueuedAt: number | undefined;
}

/** The queue's size for metrics: one grouped scan, every status present (0 when none). */
export async function queueStatistics(db: Executor): Promise<QueueStatistics> {
  const rows = await db
    .selectFrom('mail_queue')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .groupBy('status')
    .execute();
  const byStatus: Record<QueueStatus, number> = { queued: 0, delivered: 0, failed: 0 };
  let oldestQueuedAt: number | undefined;
  for (const row of rows) {
    if (!Object.hasOwn(byStatus, row.status)) continue;
    byStatus[row.status as QueueStatus] = Number(row.n);
    if (row.status === QueueStatus.queued && row.oldest !== null) oldestQueuedAt = Number(row.oldest);
  }
  return { byStatus, oldestQueuedAt };
}
