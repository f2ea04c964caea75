import type { BlobStore } from '../../blob/blob-store.ts';
import { auditRecord, type Actor, type AuditSink } from '../../directory/types.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { inTransaction, type Store } from '../../store/database.ts';
import {
  deleteQueueRow,
  findQueueRow,
  listQueueRows,
  makeRowsDue,
  QueueStatus,
  type QueueRow,
} from '../../store/mail-queue.ts';
import { mailBlobInUse } from '../../store/mailboxes.ts';

export interface QueueEntry {
  id: number;
  sender: string;
  recipient: string;
  kind: string;
  status: string;
  size: number;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError: string | null;
  delayWarned: boolean;
}

function toEntry(row: QueueRow): QueueEntry {
  return {
    id: row.id,
    sender: row.sender,
    recipient: row.recipient,
    kind: row.kind,
    status: row.status,
    size: row.size,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    delayWarned: row.delay_warned === 1,
  };
}

/** What an admin does with the queue (`coo queue`): look, retry now, delete. Every change is audited. */
export class QueueAdmin {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #blobs: BlobStore;

  constructor(deps: { store: Store; audit: AuditSink; blobs: BlobStore }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#blobs = deps.blobs;
  }

  /**
   * Waiting mail; with `all`, also what was delivered or returned in the last
   * day; with `statuses`, just those (the admin console's filter).
   */
  async list(options: { all?: boolean; statuses?: readonly QueueStatus[] } = {}): Promise<QueueEntry[]> {
    const statuses = options.statuses ?? (options.all ? undefined : [QueueStatus.queued]);
    const rows = await listQueueRows(this.#store.db, statuses ? { statuses } : {});
    return rows.map(toEntry);
  }

  /** Makes waiting rows due now (all of them without ids); returns how many. */
  async retry(ids: readonly number[] | undefined, actor: Actor, now = Date.now()): Promise<number> {
    return inTransaction(this.#store.db, async (tx) => {
      if (ids) {
        for (const id of ids) {
          const row = await findQueueRow(tx, id);
          if (!row) throw new CooError(ErrorCode.NOT_FOUND, `no queued mail with id ${id}`);
          if (row.status !== QueueStatus.queued) {
            throw new CooError(ErrorCode.INVALID_INPUT, `mail ${id} is ${row.status}, not waiting`);
          }
        }
      }
      const count = await makeRowsDue(tx, ids, now);
      await this.#audit.append(
        auditRecord(actor, 'mail.queue.retry', ids ? ids.join(',') : 'all', { count }),
        tx,
      );
      return count;
    });
  }

  /** Removes a row without telling its sender (a spam run, a message that should never go out). */
  async delete(id: number, actor: Actor): Promise<QueueEntry> {
    const row = await inTransaction(this.#store.db, async (tx) => {
      const removed = await deleteQueueRow(tx, id);
      if (!removed) throw new CooError(ErrorCode.NOT_FOUND, `no queued mail with id ${id}`);
      const details = { sender: removed.sender, status: removed.status, size: removed.size };
      await this.#audit.append(auditRecord(actor, 'mail.queue.delete', removed.recipient, details), tx);
      return removed;
    });
    if (!(await mailBlobInUse(this.#store.db, row.blob_sha256))) await this.#blobs.delete(row.blob_sha256);
    return toEntry(row);
  }
}
