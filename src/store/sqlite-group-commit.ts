import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type SqliteDatabase,
} from 'kysely';

const SAVEPOINT = 'coo_tx';
/**
 * A group older than this commits as soon as the connection is released,
 * without waiting for a free turn of the event loop: work that never yields
 * to it (a loop of queries) must not hold acknowledgements back forever.
 */
const MAX_GROUP_AGE_MS = 5;
/** Statements that cannot write. Kysely's SELECTs begin with the keyword; pragmas read here too. */
const READ_ONLY = /^\s*(select|pragma)\b/i;

/**
 * Group commit for the embedded database. node:sqlite is synchronous, so
 * every statement and every COMMIT runs on the event loop. Writes are
 * gathered into one SQLite transaction: each logical transaction runs whole,
 * one after another, inside a savepoint of it (its own atomicity); a write
 * outside a transaction joins it the same way; and one COMMIT ends the group.
 * The COMMIT only writes the WAL; the hooks fsync it off the event loop, and
 * nobody is told "done" before that: the caller's promise resolves only once
 * the group is on disk (a failed COMMIT or fsync fails every member). The
 * group commits as soon as the connection is free, so under light load it is
 * one transaction per commit and under heavy load it grows by itself.
 */
/** What the group commit asks of the file beneath it. */
export interface DurabilityHooks {
  /** Resolves once every COMMIT so far is on disk. */
  sync(): Promise<void>;
  /** Called after each COMMIT. */
  committed(): void;
  /** Called on every release of the connection: settle the acknowledgements a finished flush covers. */
  settle(): void;
  close(): Promise<void>;
}

interface Group {
  openedAt: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the unlock function once every earlier holder has unlocked. */
  lock(): Promise<() => void> {
    let unlock!: () => void;
    const next = new Promise<void>((resolve) => (unlock = resolve));
    const ready = this.#tail.then(() => unlock);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

class GroupCommitConnection implements DatabaseConnection {
  readonly #driver: GroupCommitDriver;
  /** The group this connection's last write joined: its holder waits for that commit. */
  joined: Group | undefined;

  constructor(driver: GroupCommitDriver) {
    this.#driver = driver;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#driver.database.prepare(compiledQuery.sql);
    // A statement that returns rows may still write (INSERT … RETURNING): only a
    // plain SELECT stays out of the group and its wait for the commit.
    if (!READ_ONLY.test(compiledQuery.sql)) this.joined = this.#driver.openGroup();
    if (statement.reader) return { rows: statement.all(compiledQuery.parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(compiledQuery.parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not used with SQLite');
  }
}

class GroupCommitDriver implements Driver {
  readonly database: SqliteDatabase;
  readonly #hooks: DurabilityHooks;
  readonly #mutex = new Mutex();
  readonly #connection: GroupCommitConnection;
  #unlock: (() => void) | undefined;
  #group: Group | undefined;
  #flushScheduled = false;

  constructor(database: SqliteDatabase, hooks: DurabilityHooks) {
    this.database = database;
    this.#hooks = hooks;
    this.#connection = new GroupCommitConnection(this);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#unlock = await this.#mutex.lock();
    this.#connection.joined = undefined;
    return this.#connection;
  }

  /** Opens the group's SQLite transaction if none is open; BEGIN IMMEDIATE waits for other processes' writers. */
  openGroup(): Group {
    if (this.#group) return this.#group;
    this.#exec('begin immediate');
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group nobody waits for (all its writes failed) must not be an unhandled rejection.
    done.catch(() => undefined);
    this.#group = { openedAt: performance.now(), done, resolve, reject };
    return this.#group;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as GroupCommitConnection).joined = this.openGroup();
    this.#exec(`savepoint ${SAVEPOINT}`);
  }

  async commitTransaction(): Promise<void> {
    this.#exec(`release ${SAVEPOINT}`);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    this.#exec(`rollback to ${SAVEPOINT}`);
    this.#exec(`release ${SAVEPOINT}`);
    // Nothing of it stays, so there is nothing to wait for.
    (connection as GroupCommitConnection).joined = undefined;
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quote(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quote(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quote(name)}`));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const joined = (connection as GroupCommitConnection).joined;
    (connection as GroupCommitConnection).joined = undefined;
    if (this.#group && performance.now() - this.#group.openedAt > MAX_GROUP_AGE_MS) this.#commit();
    const unlock = this.#unlock;
    this.#unlock = undefined;
    unlock?.();
    if (this.#group) this.#scheduleFlush();
    this.#hooks.settle();
    // Acknowledged only once durable.
    if (joined) await joined.done;
  }

  async destroy(): Promise<void> {
    await this.#flush();
    await this.#hooks.sync();
    await this.#hooks.close();
    this.database.close();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // After the work already queued for the connection, so it joins this group.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const unlock = await this.#mutex.lock();
    try {
      this.#commit();
    } finally {
      unlock();
    }
  }

  /** Commits the open group; the caller holds the connection. */
  #commit(): void {
    const group = this.#group;
    if (!group) return;
    this.#group = undefined;
    try {
      this.#exec('commit');
    } catch (error) {
      try {
        this.#exec('rollback');
      } catch {
        // The failed COMMIT may have ended the transaction already.
      }
      group.reject(error);
      return;
    }
    this.#hooks.committed();
    // Acknowledged once the WAL is on disk; the connection is free meanwhile.
    this.#hooks.sync().then(group.resolve, group.reject);
  }

  #exec(sql: string): void {
    this.database.prepare(sql).run([]);
  }
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Kysely's SQLite dialect with the group-commit driver. */
export class GroupCommitSqliteDialect implements Dialect {
  readonly #database: SqliteDatabase;
  readonly #hooks: DurabilityHooks;

  constructor(database: SqliteDatabase, hooks: DurabilityHooks) {
    this.#database = database;
    this.#hooks = hooks;
  }

  createDriver(): Driver {
    return new GroupCommitDriver(this.#database, this.#hooks);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): SqliteAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): SqliteIntrospector {
    return new SqliteIntrospector(db);
  }
}
