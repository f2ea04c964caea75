import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from './database.ts';

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
    while (!done && rounds < 100_000) {
      await store.db.selectFrom('settings').select('key').limit(1).execute();
      rounds++;
    }
    assert.equal(done, true, `the write was still waiting after ${rounds} queries`);
    await write;
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
