import { sql, type Selectable } from 'kysely';
import type { Executor, Tx } from './database.ts';
import { prepareQuery } from './prepared-query.ts';
import type { AuditHeadTable, AuditLogTable } from './schema.ts';

/** The SQL of the audit log. The chain itself (hashes, checks) lives in src/audit. */

export type AuditRow = Selectable<AuditLogTable>;
export type AuditHead = Selectable<Pick<AuditHeadTable, 'seq' | 'hash'>>;

export interface AuditRowFilter {
  actor?: string;
  /** Prefix of the action: 'auth.' matches 'auth.login' and 'auth.logout'. */
  actionPrefix?: string;
  target?: string;
  /** Times in ms: from inclusive, to exclusive. */
  from?: number;
  to?: number;
  afterSeq?: number;
  beforeSeq?: number;
  limit: number;
}

// Every audited change runs these: they are prepared (prepared-query.ts).
const advanceHead = prepareQuery((db, p: { count: number }) =>
  db
    .updateTable('audit_head')
    .set({ seq: sql<number>`seq + ${p.count}` })
    .where('id', '=', 1)
    .returning(['seq', 'hash']),
);
const insertOneRow = prepareQuery((db, p: AuditRow) =>
  db.insertInto('audit_log').values({
    seq: p.seq,
    at: p.at,
    actor: p.actor,
    action: p.action,
    target: p.target,
    protocol: p.protocol,
    remote: p.remote,
    outcome: p.outcome,
    details: p.details,
    prev_hash: p.prev_hash,
    hash: p.hash,
  }),
);
const moveHeadHash = prepareQuery((db, p: { hash: string }) =>
  db.updateTable('audit_head').set({ hash: p.hash }).where('id', '=', 1),
);

/**
 * Takes the next sequence number. Being an UPDATE, it is the first write of
 * the transaction: on SQLite the transaction already holds the write lock
 * (BEGIN IMMEDIATE), on PostgreSQL it locks the head row, so appenders in any
 * number of processes queue here. Returns the new seq and the hash of the
 * entry before it.
 */
export async function advanceAuditHead(tx: Tx, count = 1): Promise<{ firstSeq: number; prevHash: string }> {
  const head = await advanceHead.takeFirstOrThrow(tx, { count });
  return { firstSeq: Number(head.seq) - count + 1, prevHash: head.hash };
}

// Audit rows have 11 columns: 500 rows per statement stay well inside the bound
// parameter limits of SQLite (32766) and PostgreSQL (65535).
const INSERT_CHUNK_ROWS = 500;

/** Inserts already chained rows and moves the head's hash to the last one. */
export async function insertAuditRows(tx: Tx, rows: readonly AuditRow[]): Promise<void> {
  const [only] = rows;
  if (rows.length === 1 && only) {
    await insertOneRow.run(tx, only);
    await moveHeadHash.run(tx, { hash: only.hash });
    return;
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
    await tx
      .insertInto('audit_log')
      .values(rows.slice(i, i + INSERT_CHUNK_ROWS))
      .execute();
  }
  const last = rows.at(-1);
  if (last) await tx.updateTable('audit_head').set({ hash: last.hash }).where('id', '=', 1).execute();
}

/** An entry as written before it is chained: no seq, no hashes yet. */
export type PendingAuditRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

/** Writes entries to be chained later (chainPendingAuditRows); takes no lock. */
export async function insertPendingAuditRows(
  executor: Executor,
  rows: readonly PendingAuditRow[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK_ROWS) {
    await executor
      .insertInto('audit_pending')
      .values(rows.slice(i, i + INSERT_CHUNK_ROWS))
      .execute();
  }
}

/**
 * Moves up to `limit` committed pending entries, oldest first, into the
 * chain: locks the head (FOR UPDATE, PostgreSQL), so two chainers never take
 * the same entries, hands them to `chain` to be numbered and hashed from the
 * head, inserts what it returns, moves the head, and deletes them from the
 * pending table. Returns how many it chained (0: nothing was pending).
 */
export async function chainPendingAuditRows(
  tx: Tx,
  limit: number,
  chain: (head: AuditHead, pending: readonly PendingAuditRow[]) => AuditRow[],
): Promise<number> {
  const head = await tx
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const pending = await tx.selectFrom('audit_pending').selectAll().orderBy('id').limit(limit).execute();
  if (pending.length === 0) return 0;
  const rows = chain(
    { seq: Number(head.seq), hash: head.hash },
    pending.map(({ id: _id, ...row }) => ({ ...row, at: Number(row.at) })),
  );
  await advanceAuditHead(tx, rows.length);
  await insertAuditRows(tx, rows);
  await tx
    .deleteFrom('audit_pending')
    .where(
      'id',
      'in',
      pending.map((row) => row.id),
    )
    .execute();
  return rows.length;
}

export async function readAuditHead(executor: Executor): Promise<AuditHead> {
  const head = await executor
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}

/** Matching rows, newest first. */
export async function selectAuditRows(executor: Executor, filter: AuditRowFilter): Promise<AuditRow[]> {
  let query = executor.selectFrom('audit_log').selectAll();
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.actionPrefix !== undefined && filter.actionPrefix !== '') {
    // substr rather than LIKE: exact on both databases (SQLite's LIKE ignores
    // case) and no wildcards in the prefix to escape. Lengths in code points.
    const length = [...filter.actionPrefix].length;
    query = query.where(sql<string>`substr(action, 1, ${length})`, '=', filter.actionPrefix);
  }
  if (filter.target !== undefined) query = query.where('target', '=', filter.target);
  if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('at', '<', filter.to);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  const rows = await query.orderBy('seq', 'desc').limit(filter.limit).execute();
  return rows.map(numericRow);
}

/** Up to `limit` rows with afterSeq < seq <= throughSeq, in seq order: one page of a walk. */
export async function selectAuditPage(
  executor: Executor,
  afterSeq: number,
  throughSeq: number,
  limit: number,
): Promise<AuditRow[]> {
  const rows = await executor
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', afterSeq)
    .where('seq', '<=', throughSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
  return rows.map(numericRow);
}

// PostgreSQL bigints are parsed to numbers by the pool's type parser; SQLite
// already returns numbers. Number() keeps both honest if that ever changes.
function numericRow(row: AuditRow): AuditRow {
  return { ...row, seq: Number(row.seq), at: Number(row.at) };
}
