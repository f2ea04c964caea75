import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { openStore, type Store } from './database.ts';
import { NodeSqliteDatabase } from './sqlite-dialect.ts';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.ts';

/** What another process sees: a second, independent connection to the same file. */
function otherProcessCount(file: string, name: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const row = db.prepare('select count(*) as n from settings where key like ?').get(`${name}%`) as {
      n: number;
    };
    return row.n;
  } finally {
    db.close();
  }
}

describe('SQLite group commit', () => {
  let dir: string;
  let file: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coo-group-commit-'));
    file = path.join(dir, 'coo.db');
    store = await openStore({ kind: 'sqlite', file });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (key: string) =>
    store.db.insertInto('settings').values({ key, value: '1', updated_at: Date.now() }).execute();

  test('a transaction is committed (visible to another connection) when its await returns', async () => {
    await store.db.transaction().execute(async (tx) => {
      await tx.insertInto('settings').values({ key: 'single-1', value: '1', updated_at: 1 }).execute();
    });
    assert.equal(otherProcessCount(file, 'single-'), 1);
  });

  test('a write outside a transaction, RETURNING included, is committed when its await returns', async () => {
    await put('plain-1');
    assert.equal(otherProcessCount(file, 'plain-'), 1);
    const returned = await store.db
      .insertInto('settings')
      .values({ key: 'plain-2', value: '2', updated_at: 2 })
      .returning('key')
      .executeTakeFirstOrThrow();
    assert.equal(returned.key, 'plain-2');
    assert.equal(otherProcessCount(file, 'plain-'), 2);
  });

  test('many concurrent transactions all commit, each whole', async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.db.transaction().execute(async (tx) => {
          await tx
            .insertInto('settings')
            .values({ key: `many-${i}-a`, value: '1', updated_at: 1 })
            .execute();
          await tx
            .insertInto('settings')
            .values({ key: `many-${i}-b`, value: '1', updated_at: 1 })
            .execute();
        }),
      ),
    );
    assert.equal(otherProcessCount(file, 'many-'), 400);
  });

  test('a failing transaction rolls back alone; the others of its group commit', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.db.transaction().execute(async (tx) => {
          await tx
            .insertInto('settings')
            .values({ key: `mixed-${i}`, value: '1', updated_at: 1 })
            .execute();
          if (i % 2 === 1) throw new Error(`transaction ${i} fails`);
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'rejected').length, 10);
    assert.equal(otherProcessCount(file, 'mixed-'), 10);
    const keys = await store.db
      .selectFrom('settings')
      .select('key')
      .where('key', 'like', 'mixed-%')
      .execute();
    assert.ok(keys.every((row) => Number(row.key.slice('mixed-'.length)) % 2 === 0));
  });

  test('a loop of queries that never yields to the event loop does not hold a write back', async () => {
    let done = false;
    const write = put('loop-1').then(() => (done = true));
    let rounds = 0;
    const started = performance.now();
    while (!done && rounds < 1_000_000) {
      await store.db.selectFrom('settings').select('key').limit(1).execute();
      rounds++;
    }
    assert.equal(done, true, `the write was still waiting after ${rounds} queries`);
    assert.equal(otherProcessCount(file, 'loop-'), 1);
    // Acknowledged by the starved-loop flush, soon after its 100 ms.
    assert.ok(performance.now() - started < 5_000);
    await write;
  });

  test('a checkpoint thread folds the WAL into the database file while the server runs', async () => {
    for (let i = 0; i < 250; i++) await put(`checkpointed-${i}`);
    // The database file alone (no WAL beside it) holds only what was checkpointed.
    const copy = path.join(dir, 'main-file-only.db');
    let folded = 0;
    const deadline = Date.now() + 10_000;
    while (folded < 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      rmSync(`${copy}-wal`, { force: true });
      copyFileSync(file, copy);
      try {
        folded = otherProcessCount(copy, 'checkpointed-');
      } catch {
        // A copy taken mid-checkpoint may be torn; take another.
      }
    }
    assert.ok(folded >= 200, `only ${folded} rows reached the database file`);
  });

  test('a constraint error fails that write only, and the connection goes on', async () => {
    await put('dup-1');
    await assert.rejects(put('dup-1'), /UNIQUE/);
    await put('dup-2');
    assert.equal(otherProcessCount(file, 'dup-'), 2);
    const n = await sql<{ n: number }>`select count(*) as n from settings where key like 'dup-%'`.execute(
      store.db,
    );
    assert.equal(Number(n.rows[0]?.n), 2);
  });
});

describe('SQLite group commit durability', () => {
  test('nobody is acknowledged before the WAL sync resolves, and a failed sync fails the writers', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coo-group-commit-sync-'));
    const file = path.join(dir, 'coo.db');
    const syncs: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
    const raw = new DatabaseSync(file);
    raw.exec('pragma journal_mode = wal');
    raw.exec('create table t (k text primary key)');
    const db = new Kysely<{ t: { k: string } }>({
      dialect: new GroupCommitSqliteDialect(new NodeSqliteDatabase(raw), {
        sync: () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })),
        committed: () => undefined,
        settle: () => undefined,
        close: async () => undefined,
      }),
    });
    try {
      let acknowledged = false;
      const write = db
        .insertInto('t')
        .values({ k: 'a' })
        .execute()
        .then(() => (acknowledged = true));
      while (syncs.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(acknowledged, false, 'acknowledged before the WAL was synced');
      syncs.shift()?.resolve();
      await write;
      assert.equal(acknowledged, true);

      const failing = db.insertInto('t').values({ k: 'b' }).execute();
      while (syncs.length === 0) await new Promise((resolve) => setImmediate(resolve));
      syncs.shift()?.reject(new Error('EIO: disk gone'));
      await assert.rejects(failing, /disk gone/);
    } finally {
      let closed = false;
      const closing = db.destroy().then(() => (closed = true));
      while (!closed) {
        syncs.shift()?.resolve();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await closing;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
