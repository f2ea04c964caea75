import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** How often the WAL file's identity is checked; each check is another trip through the thread pool. */
const REPLACEMENT_CHECK_MS = 1000;

interface Waiter {
  since: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Makes committed WAL frames durable off the event loop.
 *
 * The connection runs with synchronous=normal: a COMMIT writes its frames to
 * the WAL file but does not flush it, so it costs the event loop a write(),
 * not a disk flush. Before anyone is told a transaction succeeded, `sync()`
 * fdatasyncs the WAL file on libuv's thread pool; on Linux that flushes the
 * file, whichever descriptor asks. Callers arriving while a flush runs share
 * the next one, so a busy server does one flush per batch of commits.
 *
 * A flush on the thread pool needs a turn of the event loop to report back.
 * Code that keeps the loop busy with queries alone (each answered in a
 * microtask) would wait for it forever, so `flushIfStarved` — called on every
 * query — flushes on the spot once a waiter has waited too long and the loop
 * has not turned for as long. A loop that is merely busy (thousands of
 * sockets at once) still turns: its waiters get the thread pool's flush, and
 * the loop is never blocked by a flush of its own.
 */
export class WalSync {
  readonly #walFile: string;
  #handle: FileHandle | undefined;
  #handleInode = 0;
  #checkedAt = 0;
  #waiting: Waiter[] = [];
  #inFlight: Waiter[] = [];
  #running = false;
  #closed = false;
  /** When the event loop last reached its check phase (stamped by a setImmediate while anyone asks). */
  #lastTurnAt = performance.now();
  #stampPending = false;
  #starvedFlushes = 0;

  constructor(databaseFile: string) {
    this.#walFile = `${databaseFile}-wal`;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ since: performance.now(), resolve, reject });
      this.#stampNextTurn();
      if (!this.#running) void this.#run();
    });
  }

  /**
   * When the oldest waiter has waited longer than `maxWaitMs` and the event
   * loop has not turned for as long (so it cannot hear the thread pool),
   * flushes synchronously and resolves every waiter.
   */
  flushIfStarved(maxWaitMs: number): void {
    const oldest = this.#inFlight[0] ?? this.#waiting[0];
    if (!oldest || this.#closed) return;
    this.#stampNextTurn();
    const now = performance.now();
    if (now - oldest.since <= maxWaitMs || now - this.#lastTurnAt <= maxWaitMs) return;
    const waiters = [...this.#inFlight, ...this.#waiting];
    this.#waiting = [];
    try {
      const fd = openSync(this.#walFile, 'r+');
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    this.#starvedFlushes++;
    // The in-flight flush resolves them again later: a settled promise ignores that.
    for (const waiter of waiters) waiter.resolve();
  }

  /** How many flushes ran on the event loop because it was starved. */
  get starvedFlushes(): number {
    return this.#starvedFlushes;
  }

  /** One setImmediate at a time, and only while someone asks: an idle loop is not kept spinning. */
  #stampNextTurn(): void {
    if (this.#stampPending) return;
    this.#stampPending = true;
    setImmediate(() => {
      this.#stampPending = false;
      this.#lastTurnAt = performance.now();
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
      this.#inFlight = batch;
      try {
        await this.#flush();
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
      this.#inFlight = [];
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
   * second.
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
