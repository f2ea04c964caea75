import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/** Commits between checkpoints: a few megabytes of WAL at typical transaction sizes. */
const COMMITS_PER_CHECKPOINT = 200;
/** A quiet server still folds its WAL into the main file this often. */
const IDLE_CHECKPOINT_MS = 2_000;

export interface CheckpointResult {
  ok: boolean;
  /** Frames in the WAL and frames copied into the database file. */
  log?: number;
  checkpointed?: number;
  error?: string;
}

/**
 * Runs WAL checkpoints on a worker thread. The main connection turns SQLite's
 * automatic checkpoint off (it would copy pages and fsync on the event loop
 * inside some unlucky COMMIT); instead, after enough commits, this asks a
 * second connection on its own thread to checkpoint. The thread starts on the
 * first checkpoint, so a short-lived CLI process never pays for it; closing
 * the last connection checkpoints whatever is left.
 */
export class SqliteCheckpointer {
  readonly #file: string;
  readonly #onError: (message: string) => void;
  #worker: Worker | undefined;
  #commitsSince = 0;
  #inFlight: Promise<CheckpointResult> | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(file: string, onError: (message: string) => void) {
    this.#file = file;
    this.#onError = onError;
  }

  /** Called after every COMMIT. */
  noteCommit(): void {
    if (this.#closed) return;
    this.#commitsSince++;
    if (this.#commitsSince >= COMMITS_PER_CHECKPOINT) {
      void this.checkpoint();
      return;
    }
    if (!this.#idleTimer) {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = undefined;
        if (this.#commitsSince > 0) void this.checkpoint();
      }, IDLE_CHECKPOINT_MS);
      this.#idleTimer.unref();
    }
  }

  /** Asks the thread for a checkpoint; while one runs, callers share it. */
  checkpoint(): Promise<CheckpointResult> {
    if (this.#inFlight) return this.#inFlight;
    this.#commitsSince = 0;
    const worker = this.#start();
    const inFlight = (async () => {
      const reply = once(worker, 'message') as Promise<[CheckpointResult]>;
      // An idle thread must not keep the process alive; one at work must.
      worker.ref();
      worker.postMessage('checkpoint');
      const [result] = await reply.finally(() => worker.unref());
      if (!result.ok) this.#onError(`WAL checkpoint failed: ${result.error ?? 'unknown error'}`);
      return result;
    })();
    this.#inFlight = inFlight;
    void inFlight.finally(() => {
      if (this.#inFlight === inFlight) this.#inFlight = undefined;
    });
    return inFlight;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#inFlight?.catch(() => undefined);
    const worker = this.#worker;
    this.#worker = undefined;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(new URL('./sqlite-checkpoint-worker.ts', import.meta.url), {
      workerData: { file: this.#file },
      // No flags of the parent (--input-type, --eval …): they would be taken as the thread's own.
      execArgv: [],
    });
    worker.unref();
    worker.on('error', (error) => {
      this.#onError(`WAL checkpoint thread failed: ${error.message}`);
      if (this.#worker === worker) this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }
}
