import { inspect } from 'node:util';
import { Kysely, Migrator, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { migrationProvider, type DatabaseKind } from './migrations/index.ts';
import type { Database } from './schema.ts';
import { openSqliteDialect } from './sqlite-dialect.ts';

export type { DatabaseKind };
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** A query runs on the database or inside a transaction alike. */
export type Executor = Db | Tx;

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Store {
  readonly kind: DatabaseKind;
  readonly db: Db;
  close(): Promise<void>;
}

// PostgreSQL bigint (int8) arrives as text by default; every bigint here is a
// time in ms or a byte count, well inside Number's exact range.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** Opens the database and brings its schema up to date. */
export async function openStore(
  target: DatabaseTarget,
  /** Errors of background work: a pooled connection dropped, a WAL checkpoint failed. */
  options: { onBackgroundError?: (error: Error) => void } = {},
): Promise<Store> {
  const dialect =
    target.kind === 'sqlite'
      ? openSqliteDialect(target.file, options.onBackgroundError)
      : postgresDialect(target.url, options);
  const db = new Kysely<Database>({ dialect });
  try {
    await migrate(db, target.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { kind: target.kind, db, close: () => db.destroy() };
}

function postgresDialect(
  url: string,
  options: { onBackgroundError?: (error: Error) => void },
): PostgresDialect {
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // An idle connection cut by a server restart is dropped by the pool; without
  // a listener the error would crash the process.
  pool.on('error', (error) => options.onBackgroundError?.(error));
  return new PostgresDialect({ pool });
}

async function migrate(db: Db, kind: DatabaseKind): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider(kind) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : inspect(error);
    throw new Error(`database migration ${failed ?? ''} failed: ${message}`);
  }
}

/** True when a write failed on a unique constraint, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || /UNIQUE constraint failed/.test(error.message);
}

/** Runs fn in a transaction, or inside the caller's when given one. */
export function inTransaction<T>(db: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Tx);
  return db.transaction().execute(fn);
}
