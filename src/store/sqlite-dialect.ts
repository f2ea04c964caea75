import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Dialect, SqliteDatabase, SqliteStatement } from 'kysely';
import { SqliteCheckpointer } from './sqlite-checkpointer.ts';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.ts';
import { WalSync } from './sqlite-wal-sync.ts';

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite dialect speaks to a better-sqlite3-shaped object; this adapts
 * Node's built-in `node:sqlite` to it, so the embedded default needs no native
 * addon. Prepared statements are cached: the same few hundred queries run all day.
 */
export class NodeSqliteDatabase implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, SqliteStatement>();

  readonly #capacity: number;

  constructor(db: DatabaseSync, capacity = STATEMENT_CACHE_SIZE) {
    this.#db = db;
    this.#capacity = capacity;
  }

  close(): void {
    this.#statements.clear();
    this.#db.close();
  }

  /**
   * The statement for this SQL, from the cache when it was prepared before.
   * The cache forgets the least recently used (a Map keeps insertion order:
   * a hit moves to the end), so the hot queries stay however many one-off
   * texts (IN lists of every length) pass through. A cached statement stays
   * valid when the schema changes: SQLite prepares it again by itself.
   */
  prepare(sql: string): SqliteStatement {
    const cached = this.#statements.get(sql);
    if (cached) {
      this.#statements.delete(sql);
      this.#statements.set(sql, cached);
      return cached;
    }
    const statement = adaptStatement(this.#db.prepare(sql));
    if (this.#statements.size >= this.#capacity) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  /** How many statements are cached (for tests). */
  get cachedStatements(): number {
    return this.#statements.size;
  }
}

type SqliteValue = null | number | bigint | string | NodeJS.ArrayBufferView;

function adaptStatement(statement: StatementSync): SqliteStatement {
  const bind = (parameters: ReadonlyArray<unknown>) => parameters.map(toSqliteValue);
  return {
    reader: statement.columns().length > 0,
    all: (parameters) => statement.all(...bind(parameters)),
    run: (parameters) => statement.run(...bind(parameters)),
    iterate: (parameters) => statement.iterate(...bind(parameters)),
  };
}

function toSqliteValue(value: unknown): SqliteValue {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return value as SqliteValue;
}

/**
 * Opens (creating if needed) a SQLite file in WAL mode with a busy timeout.
 * Durability: a COMMIT only writes the WAL (synchronous=normal); WalSync
 * fsyncs it on a thread of its own before the group commit acknowledges anyone,
 * and checkpoints run on their own thread. The event loop never waits for
 * the disk, and nothing acknowledged is lost to a crash or a power cut.
 */
export function openSqliteDialect(
  file: string,
  onBackgroundError: (error: Error) => void = (error) => process.emitWarning(error),
): Dialect {
  const db = new DatabaseSync(file, { timeout: 10_000 });
  db.exec('pragma journal_mode = wal');
  db.exec('pragma synchronous = normal');
  // Savepoints (every logical transaction of a group is one) journal the pages they change: in memory,
  // not in a temp file, or the first write of each costs a file write.
  db.exec('pragma temp_store = memory');
  db.exec('pragma wal_autocheckpoint = 0');
  // After a burst the WAL file is cut back to this size when it restarts.
  db.exec(`pragma journal_size_limit = ${64 * 1024 * 1024}`);
  db.exec('pragma foreign_keys = on');
  db.exec('pragma busy_timeout = 10000');
  const walSync = new WalSync(file);
  const checkpointer = new SqliteCheckpointer(file, (message) => onBackgroundError(new Error(message)));
  return new GroupCommitSqliteDialect(new NodeSqliteDatabase(db), {
    sync: () => walSync.sync(),
    committed: () => checkpointer.noteCommit(),
    settle: () => walSync.settle(),
    close: async () => {
      await checkpointer.close();
      await walSync.close();
    },
  });
}
