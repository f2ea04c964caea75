import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Db, Executor, Store, Tx } from '../store/database.ts';
import {
  advanceAuditHead,
  chainPendingAuditRows,
  insertAuditRows,
  insertPendingAuditRows,
  selectAuditRows,
  type AuditHead,
  type AuditRow,
  type PendingAuditRow,
} from '../store/audit.ts';
import { canonicalJson, entryHash } from './audit-chain.ts';
import { verifyAuditChain, type AuditVerification } from './audit-verify.ts';

export type AuditOutcome = 'success' | 'failure';

export interface AuditEntryInput {
  /** Milliseconds since the epoch; the log's clock when left out. */
  at?: number;
  /** An address, "cli", "system" or "token:NAME". */
  actor: string;
  /** Dotted, area first: 'auth.login', 'user.create'. */
  action: string;
  target: string;
  /** The front end: 'cli', 'http', 'ws', 'smtp', 'submission', 'imap', 'pop3', 'internal'. */
  protocol: string;
  /** The client's IP address; '' when there is none (CLI, system). */
  remote: string;
  outcome: AuditOutcome;
  details?: Readonly<Record<string, unknown>>;
}

/** An entry as stored. Text fields are what the row holds, unchecked. */
export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  action: string;
  target: string;
  protocol: string;
  remote: string;
  outcome: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  actor?: string;
  /** A prefix: 'auth.' matches every authentication action. */
  action?: string;
  target?: string;
  /** ms, inclusive. */
  from?: number;
  /** ms, exclusive. */
  to?: number;
  /** Only entries newer than this seq (to follow the log). */
  afterSeq?: number;
  /** Only entries older than this seq: pass the last seq of one page to get the next. */
  beforeSeq?: number;
  /** Default 100; more than 1000 is cut to 1000. */
  limit?: number;
}

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;

/** Pending entries chained per transaction. */
const CHAIN_BATCH = 500;
/** How soon after an append its entry is chained (its transaction has usually committed by then). */
const CHAIN_DELAY_MS = 20;
/** Entries nobody pokes for (a node or CLI that stopped before chaining its own) are chained this often. */
const CHAIN_SWEEP_MS = 1000;

export interface AuditLogOptions {
  now?: () => number;
  /**
   * Write entries to audit_pending and chain them in batches, instead of
   * taking the head in every audited transaction. The default on
   * PostgreSQL, where the head row's lock, held to each commit, would let
   * the whole cluster commit one audited change at a time.
   */
  journal?: boolean;
}

/**
 * The append-only, hash-chained audit log: each entry carries the hash of the
 * one before, and a head row keeps the last seq and hash, so a changed,
 * deleted or cut-off entry shows up in verify().
 *
 * On SQLite an append chains its entry at once, in the caller's transaction:
 * there is one writer anyway. On PostgreSQL (`journal`) the entry is written
 * to audit_pending in the caller's transaction, with no lock taken, and a
 * chainer moves committed entries into the chain in batches soon after —
 * within CHAIN_DELAY_MS, or CHAIN_SWEEP_MS for entries another process left.
 * Either way an entry commits or rolls back with the change it records, and
 * query() and verify() chain what is pending first, so they see every entry
 * committed before they were called.
 */
export class AuditLog {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #journal: boolean;
  #chaining: Promise<void> | undefined;
  #chainSoon: NodeJS.Timeout | undefined;
  readonly #sweep: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(store: Store, options: AuditLogOptions = {}) {
    this.#db = store.db;
    this.#now = options.now ?? Date.now;
    this.#journal = options.journal ?? store.kind === 'postgres';
    if (this.#journal) {
      this.#sweep = setInterval(() => this.#chainInBackground(), CHAIN_SWEEP_MS);
      this.#sweep.unref();
    }
  }

  /**
   * Appends one entry, inside the caller's transaction when given one (so the
   * entry commits or rolls back with the change it records), else in its own.
   * On SQLite the head is taken: append last, just before commit.
   */
  async append(entry: AuditEntryInput, executor?: Executor): Promise<void> {
    await this.appendMany([entry], executor);
  }

  /**
   * Appends several entries at once, chained in order: one head update and a
   * few multi-row inserts, so a bulk change (an import of thousands of users)
   * costs a few round trips. Same transaction rules as append().
   */
  async appendMany(entries: readonly AuditEntryInput[], executor?: Executor): Promise<void> {
    if (entries.length === 0) return;
    if (this.#journal) {
      await insertPendingAuditRows(
        executor ?? this.#db,
        entries.map((entry) => pendingRow(entry, this.#now)),
      );
      this.#scheduleChaining();
      return;
    }
    if (executor?.isTransaction) {
      await appendInTransaction(executor as Tx, entries, this.#now);
      return;
    }
    await (executor ?? this.#db).transaction().execute((tx) => appendInTransaction(tx, entries, this.#now));
  }

  /** Chains every entry committed so far (on PostgreSQL; nothing waits on SQLite). */
  async flush(): Promise<void> {
    if (!this.#journal) return;
    // A run already under way may have read the pending table before the entries asked for were committed.
    await this.#chaining?.catch(() => undefined);
    const run = this.#chainAll().then(() => undefined);
    this.#chaining = run;
    try {
      await run;
    } finally {
      if (this.#chaining === run) this.#chaining = undefined;
    }
  }

  /** Stops the background chaining and chains what is pending. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    clearTimeout(this.#chainSoon);
    this.#chainSoon = undefined;
    await this.flush();
  }

  /** Matching entries, newest first. */
  async query(query: AuditQuery = {}, executor: Executor = this.#db): Promise<AuditEntry[]> {
    await this.flush();
    const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CooError(ErrorCode.INVALID_INPUT, `the limit must be a whole number from 1, not ${limit}`, [
        { field: 'limit', message: 'a whole number from 1' },
      ]);
    }
    const rows = await selectAuditRows(executor, {
      ...query,
      actionPrefix: query.action,
      limit: Math.min(limit, MAX_QUERY_LIMIT),
    });
    return rows.map(toEntry);
  }

  /** Walks the whole chain; see verifyAuditChain. */
  async verify(options: { pageSize?: number } = {}): Promise<AuditVerification> {
    await this.flush();
    return verifyAuditChain(this.#db, options.pageSize);
  }

  #scheduleChaining(): void {
    if (this.#chainSoon || this.#closed) return;
    this.#chainSoon = setTimeout(() => {
      this.#chainSoon = undefined;
      this.#chainInBackground();
    }, CHAIN_DELAY_MS);
    this.#chainSoon.unref();
  }

  /** A run unless one is under way; a failure is left for the next run (and shows in flush()). */
  #chainInBackground(): void {
    if (this.#chaining) return;
    const run = this.#chainAll()
      .then((chained) => {
        // Under load more keep coming: look again soon rather than at the next sweep.
        if (chained > 0) this.#scheduleChaining();
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.#chaining === run) this.#chaining = undefined;
      });
    this.#chaining = run;
  }

  /** Chains batches until none is left; how many entries it chained. */
  async #chainAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const chained = await this.#db
        .transaction()
        .execute((tx) => chainPendingAuditRows(tx, CHAIN_BATCH, chainRows));
      total += chained;
      if (chained < CHAIN_BATCH) return total;
    }
  }
}

function pendingRow(entry: AuditEntryInput, now: () => number): PendingAuditRow {
  return {
    at: entry.at ?? now(),
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    protocol: entry.protocol,
    remote: entry.remote,
    outcome: entry.outcome,
    details: canonicalJson(entry.details ?? {}),
  };
}

/** Numbers and hashes entries after the head, in order. */
function chainRows(head: AuditHead, entries: readonly PendingAuditRow[]): AuditRow[] {
  let previous = head.hash;
  return entries.map((entry, i) => {
    const fields = { ...entry, seq: head.seq + 1 + i };
    const hash = entryHash(previous, fields);
    const row = { ...fields, prev_hash: previous, hash };
    previous = hash;
    return row;
  });
}

async function appendInTransaction(
  tx: Tx,
  entries: readonly AuditEntryInput[],
  now: () => number,
): Promise<void> {
  const { firstSeq, prevHash } = await advanceAuditHead(tx, entries.length);
  const pending = entries.map((entry) => pendingRow(entry, now));
  await insertAuditRows(tx, chainRows({ seq: firstSeq - 1, hash: prevHash }, pending));
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    actor: row.actor,
    action: row.action,
    target: row.target,
    protocol: row.protocol,
    remote: row.remote,
    outcome: row.outcome,
    details: parseDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** A row damaged by hand must not make the whole listing fail; verify() names it. */
function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { unreadable: text };
}
