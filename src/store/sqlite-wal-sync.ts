import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { atOrAfter, CELL, CELL_COUNT, type WalSyncWorkerData } from './sqlite-wal-sync-cells.ts';

interface Waiter {
  generation: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Makes committed WAL frames durable off the event loop.
 *
 * The connection runs with synchronous=normal: a COMMIT writes its frames to
 * the WAL file but does not flush it, so it costs the event loop a write(),
 * not a disk flush. Before anyone is told a transaction succeeded, `sync()`
 * has the WAL file fdatasynced by a thread of its own (on Linux that flushes
 * the file, whichever descriptor asks). Each call takes the next generation;
 * the thread flushes for the newest it finds, so callers arriving while a
 * flush runs share the next one and a busy server does one flush per batch.
 *
 * The thread publishes what it made durable in shared memory. `settle()` —
 * called on every query, and on the thread's message — reads it and
 * resolves who is covered: an acknowledgement never waits for the event
 * loop to turn (a busy loop, or code answering queries in microtasks alone),
 * nor for libuv's thread pool (busy with password hashes during a login
 * storm), and the loop itself never blocks on the disk.
 */
export class WalSync {
  readonly #walFile: string;
  readonly #cells = new Int32Array(new SharedArrayBuffer(CELL_COUNT * Int32Array.BYTES_PER_ELEMENT));
  #worker: Worker | undefined;
  #generation = 0;
  #waiters: Waiter[] = [];
  #failure: string | undefined;
  #closed = false;

  constructor(databaseFile: string) {
    this.#walFile = `${databaseFile}-wal`;
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the database is closed'));
    return this.#syncWith(this.#start());
  }

  #syncWith(worker: Worker): Promise<void> {
    if (Atomics.load(this.#cells, CELL.failed) === 1) return Promise.reject(this.#failedError());
    const generation = (this.#generation + 1) | 0;
    this.#generation = generation;
    const promise = new Promise<void>((resolve, reject) =>
      this.#waiters.push({ generation, resolve, reject }),
    );
    // A thread at work keeps the process alive until it reports; an idle one must not.
    worker.ref();
    Atomics.store(this.#cells, CELL.requested, generation);
    Atomics.notify(this.#cells, CELL.requested);
    return promise;
  }

  /** Resolves (or fails) every waiter the thread's last flush covered. */
  settle(): void {
    if (this.#waiters.length === 0) return;
    const done = Atomics.load(this.#cells, CELL.done);
    const failed = Atomics.load(this.#cells, CELL.failed) === 1;
    let covered = 0;
    while (covered < this.#waiters.length && atOrAfter(done, this.#waiters[covered]?.generation ?? 0))
      covered++;
    if (covered === 0) return;
    const settled = this.#waiters.slice(0, covered);
    this.#waiters = this.#waiters.slice(covered);
    const error = failed
      ? new Error(`the WAL could not be flushed to disk: ${this.#failure ?? 'fdatasync failed'}`)
      : undefined;
    for (const waiter of settled) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
    if (this.#waiters.length === 0) this.#worker?.unref();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    // What was asked for is flushed first: one last sync covers every earlier one.
    if (this.#waiters.length > 0) await this.#syncWith(worker).catch(() => undefined);
    const exited = once(worker, 'exit');
    worker.ref();
    Atomics.store(this.#cells, CELL.stop, 1);
    Atomics.add(this.#cells, CELL.requested, 1);
    Atomics.notify(this.#cells, CELL.requested);
    await exited;
  }

  #failedError(): Error {
    return new Error(`the WAL could not be flushed to disk: ${this.#failure ?? 'fdatasync failed'}`);
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const workerData: WalSyncWorkerData = {
      walFile: this.#walFile,
      state: this.#cells.buffer,
    };
    // No flags of the parent (--input-type, --eval …): they would be taken as the thread's own.
    const worker = new Worker(new URL('./sqlite-wal-sync-worker.ts', import.meta.url), {
      workerData,
      execArgv: [],
    });
    worker.on('message', (message: { done?: number; failed?: string }) => {
      if (message.failed !== undefined) this.#failure ??= message.failed;
      this.settle();
    });
    worker.on('error', (error) => {
      this.#failure ??= `the WAL flush thread failed: ${error.message}`;
      Atomics.store(this.#cells, CELL.failed, 1);
      Atomics.store(this.#cells, CELL.done, this.#generation);
      this.settle();
    });
    worker.unref();
    this.#worker = worker;
    return worker;
  }
}
