import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes committed WAL frames durable off the event loop.
 *
 * The connection runs with synchronous=normal: a COMMIT writes its frames to
 * the WAL file but does not fsync it, so it costs the event loop a write(),
 * not a disk flush. Before anyone is told a transaction succeeded, `sync()`
 * fsyncs the WAL file on libuv's thread pool; on Linux fsync flushes the
 * file, whichever descriptor asks. Callers arriving while a flush runs share
 * the next one, so a busy server does one fsync per batch of commits.
 */
const REPLACEMENT_CHECK_MS = 1000;

export class WalSync {
  readonly #walFile: string;
  #handle: FileHandle | undefined;
  #handleInode = 0;
  #checkedAt = 0;
  #waiting: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  #running = false;
  #closed = false;

  constructor(databaseFile: string) {
    this.#walFile = `${databaseFile}-wal`;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (!this.#running) void this.#run();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await new Promise((resolve) => setImmediate(resolve));
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        await this.#flush();
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.#running = false;
  }

  async #flush(): Promise<void> {
    if (this.#closed) throw new Error('the database is closed');
    const handle = await this.#walHandle();
    // fdatasync: the WAL is mostly rewritten in place, so no metadata needs a journal commit.
    await handle.datasync();
  }

  /**
   * The WAL file, reopened if SQLite replaced it (it deletes it when the last
   * connection closes, which another process may be). Checked at most once a
   * second: each check is another trip through the thread pool.
   */
  async #walHandle(): Promise<FileHandle> {
    const now = performance.now();
    if (this.#handle && now - this.#checkedAt < REPLACEMENT_CHECK_MS) return this.#handle;
    this.#checkedAt = now;
    const { ino } = await stat(this.#walFile);
    if (this.#handle && this.#handleInode === ino) return this.#handle;
    await this.#handle?.close();
    this.#handle = await open(this.#walFile, 'r+');
    this.#handleInode = (await this.#handle.stat()).ino;
    // A new WAL file's name must survive a power cut too.
    const directory = await open(path.dirname(this.#walFile), 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return this.#handle;
  }
}
