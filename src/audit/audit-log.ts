import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Db, Executor, Store, Tx } from '../store/database.ts';
import { advanceAuditHead, insertAuditRows, selectAuditRows, type AuditRow } from '../store/audit.ts';
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

/**
 * The append-only, hash-chained audit log: each entry carries the hash of the
 * one before, and a head row keeps the last seq and hash, so a changed,
 * deleted or cut-off entry shows up in verify().
 */
export class AuditLog {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(store: Store, options: { now?: () => number } = {}) {
    this.#db = store.db;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Appends one entry, inside the caller's transaction when given one (so the
   * entry commits or rolls back with the change it records), else in its own.
   * The head row stays locked until that transaction ends: append last, just
   * before commit, to keep other appenders' wait short.
   */
  async append(entry: AuditEntryInput, executor?: Executor): Promise<AuditEntry> {
    const [appended] = await this.appendMany([entry], executor);
    if (!appended) throw new Error('audit append returned no entry');
    return appended;
  }

  /**
   * Appends several entries at once, chained in order: one head update and a
   * few multi-row inserts, so a bulk change (an import of thousands of users)
   * costs a few round trips. Same transaction rules as append().
   */
  async appendMany(entries: readonly AuditEntryInput[], executor?: Executor): Promise<AuditEntry[]> {
    if (entries.length === 0) return [];
    if (executor?.isTransaction) return appendInTransaction(executor as Tx, entries, this.#now);
    return (executor ?? this.#db).transaction().execute((tx) => appendInTransaction(tx, entries, this.#now));
  }

  /** Matching entries, newest first. */
  async query(query: AuditQuery = {}, executor: Executor = this.#db): Promise<AuditEntry[]> {
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
    return verifyAuditChain(this.#db, options.pageSize);
  }
}

async function appendInTransaction(
  tx: Tx,
  entries: readonly AuditEntryInput[],
  now: () => number,
): Promise<AuditEntry[]> {
  const { firstSeq, prevHash } = await advanceAuditHead(tx, entries.length);
  let previous = prevHash;
  const rows = entries.map((entry, i): AuditRow => {
    const fields = {
      seq: firstSeq + i,
      at: entry.at ?? now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      protocol: entry.protocol,
      remote: entry.remote,
      outcome: entry.outcome,
      details: canonicalJson(entry.details ?? {}),
    };
    const hash = entryHash(previous, fields);
    const row = { ...fields, prev_hash: previous, hash };
    previous = hash;
    return row;
  });
  await insertAuditRows(tx, rows);
  return rows.map(toEntry);
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
