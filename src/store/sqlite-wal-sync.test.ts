import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { atOrAfter } from './sqlite-wal-sync-cells.ts';
import { WalSync } from './sqlite-wal-sync.ts';

describe('WAL flushes on their own thread', () => {
  let dir: string;
  let file: string;
  let db: DatabaseSync;
  let walSync: WalSync;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'coo-wal-sync-'));
    file = path.join(dir, 'test.db');
    db = new DatabaseSync(file);
    db.exec('pragma journal_mode = wal');
    db.exec('create table t (x integer)');
    db.exec('insert into t values (1)');
    walSync = new WalSync(file);
  });
  afterEach(async () => {
    await walSync.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Keeps every thread of libuv's pool busy for about half a second. */
  function occupyThreadPool(): Promise<unknown> {
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    return Promise.all(
      Array.from(
        { length: threads },
        () => new Promise((resolve) => pbkdf2('x', 'salt', 400_000, 32, 'sha256', resolve)),
      ),
    );
  }

  test('an acknowledgement does not wait for a thread pool busy with other work', async () => {
    await walSync.sync(); // the thread started
    const pool = occupyThreadPool();
    const poolStarted = performance.now();
    await walSync.sync();
    const synced = performance.now() - poolStarted;
    await pool;
    const poolTook = performance.now() - poolStarted;
    assert.ok(poolTook > 100, `the pool was busy only ${poolTook} ms: this tells nothing`);
    assert.ok(synced < poolTook / 2, `the sync took ${synced} ms while the pool was busy for ${poolTook} ms`);
  });

  test('code that answers in microtasks alone, never turning the event loop, still gets its acknowledgement', async () => {
    await walSync.sync(); // the thread started
    let flushed = false;
    const synced = walSync.sync().then(() => (flushed = true));
    let turned = false;
    setImmediate(() => (turned = true));
    const started = performance.now();
    while (!flushed && performance.now() - started < 5_000) {
      walSync.settle();
      await Promise.resolve();
    }
    assert.equal(flushed, true);
    assert.equal(turned, false, 'the loop turned: this tells nothing');
    await synced;
  });

  test('calls made while a flush runs share the next; each resolves once its commits are covered', async () => {
    const all = await Promise.all(Array.from({ length: 100 }, () => walSync.sync().then(() => 'ok')));
    assert.equal(all.length, 100);
    assert.ok(all.every((result) => result === 'ok'));
  });

  test('a flush that fails fails its waiters and every later sync, with the reason', async () => {
    // The WAL gone from under the thread: its first look at the file fails.
    renameSync(`${file}-wal`, `${file}-wal.moved`);
    await assert.rejects(walSync.sync(), /the WAL could not be flushed to disk: .*ENOENT/);
    await assert.rejects(walSync.sync(), /the WAL could not be flushed to disk/);
    renameSync(`${file}-wal.moved`, `${file}-wal`);
  });
});

test('sync generations compare across the wrap of the 32-bit counter', () => {
  assert.equal(atOrAfter(5, 3), true);
  assert.equal(atOrAfter(3, 5), false);
  assert.equal(atOrAfter(3, 3), true);
  assert.equal(atOrAfter(-2147483648, 2147483647), true);
  assert.equal(atOrAfter(2147483647, -2147483648), false);
});
