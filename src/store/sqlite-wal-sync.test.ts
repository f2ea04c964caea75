import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { WalSync } from './sqlite-wal-sync.ts';

describe('WAL flushes', () => {
  let dir: string;
  let db: DatabaseSync;
  let walSync: WalSync;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'coo-wal-sync-'));
    const file = path.join(dir, 'test.db');
    db = new DatabaseSync(file);
    db.exec('pragma journal_mode = wal');
    db.exec('create table t (x integer)');
    db.exec('insert into t values (1)');
    walSync = new WalSync(file);
  });
  after(async () => {
    await walSync.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Keeps every thread of libuv's pool busy for a while, so a flush queued behind them waits. */
  function occupyThreadPool(): Promise<unknown> {
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    return Promise.all(
      Array.from(
        { length: threads },
        () => new Promise((resolve) => pbkdf2('x', 'salt', 400_000, 32, 'sha256', resolve)),
      ),
    );
  }

  test('a busy loop that still turns waits for the thread pool and is never blocked by a flush of its own', async () => {
    const pool = occupyThreadPool();
    let flushed = false;
    const started = performance.now();
    const synced = walSync.sync().then(() => (flushed = true));
    // Each turn does some work and asks, as every query does.
    while (!flushed) {
      const turnStarted = performance.now();
      while (performance.now() - turnStarted < 20);
      walSync.flushIfStarved(100);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await synced;
    await pool;
    assert.ok(performance.now() - started > 100, 'the pool was not busy long enough to tell anything');
    assert.equal(walSync.starvedFlushes, 0);
  });

  test('a loop of microtasks that never turns gets a flush on the spot', async () => {
    const pool = occupyThreadPool();
    let flushed = false;
    const synced = walSync.sync().then(() => (flushed = true));
    const started = performance.now();
    while (!flushed && performance.now() - started < 5_000) {
      walSync.flushIfStarved(100);
      await Promise.resolve();
    }
    assert.equal(flushed, true);
    assert.equal(walSync.starvedFlushes, 1);
    await synced;
    await pool;
  });
});
