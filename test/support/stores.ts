import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, after, before } from 'node:test';
import { openStore, type DatabaseTarget, type Store } from '../../src/store/database.ts';
import { createScratchDatabase } from '../../src/store/scratch-database.ts';

/** The PostgreSQL server the suite creates its throw-away databases on. */
export const POSTGRES_ADMIN_URL =
  process.env.COO_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  target: DatabaseTarget;
  /** Drops the database (PostgreSQL) or deletes its folder (SQLite). */
  drop(): Promise<void>;
}

/** A new, empty SQLite file in a temp folder. */
export function createSqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'coo-test-'));
  return {
    target: { kind: 'sqlite', file: path.join(dir, 'coo.db') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A new, empty PostgreSQL database on the test server; fails loudly when it is not running. */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const { url, drop } = await createScratchDatabase(POSTGRES_ADMIN_URL, 'coo_test');
  return { target: { kind: 'postgres', url }, drop };
}

export async function createTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  return kind === 'sqlite' ? createSqliteDatabase() : createPostgresDatabase();
}

/**
 * Runs a suite once on SQLite and once on PostgreSQL. `context.store` is a
 * fresh, migrated database for the suite; tests that need isolation make
 * their own names unique.
 */
export function describeOnEachDatabase(
  title: string,
  body: (context: { readonly store: Store; readonly kind: 'sqlite' | 'postgres' }) => void,
): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${kind}]`, () => {
      let database: TestDatabase | undefined;
      let store: Store | undefined;
      before(async () => {
        database = await createTestDatabase(kind);
        store = await openStore(database.target);
      });
      after(async () => {
        await store?.close();
        await database?.drop();
      });
      body({
        kind,
        get store() {
          if (!store) throw new Error('store used outside a test');
          return store;
        },
      });
    });
  }
}
