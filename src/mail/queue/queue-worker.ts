import { randomBytes } from 'node:crypto';
import { hostname as machineName } from 'node:os';
import { claimDueRows, pruneFinishedRows, releaseRows, type QueueRow } from '../../store/mail-queue.ts';
import { mailBlobInUse } from '../../store/mailboxes.ts';
import { pruneSubmissions } from '../../store/mail-submissions.ts';
import { runDeliveryJob } from './delivery-job.ts';
import type { QueueDeps } from './queue-deps.ts';

export interface QueueWorkerTuning {
  /** How often due rows are looked for when nothing wakes the worker (other nodes' rows, retries). */
  pollMs: number;
  /** A claimed row is this node's until then; a node that dies mid-delivery frees it this late. */
  lockMs: number;
  /** How long close() lets running deliveries settle after aborting them. */
  closeGraceMs: number;
}

export const DEFAULT_WORKER_TUNING: QueueWorkerTuning = {
  pollMs: 5_000,
  lockMs: 30 * 60_000,
  closeGraceMs: 10_000,
};

const HOUSEKEEPING_EVERY_MS = 10 * 60_000;
// Finished rows stay this long for `coo queue list --all`; their blobs go with them.
const FINISHED_RETENTION_MS = 24 * 3_600_000;
// Rows claimed per free connection: a message to many recipients of one domain is one job.
const ROWS_PER_SLOT = 20;

/**
 * The delivery loop: claims due rows (a lock per row, so several nodes
 * share one queue), groups them into jobs (one message, one destination),
 * runs at most `concurrency` jobs and `per_domain_concurrency` per
 * destination at once, and prunes finished rows and their blobs.
 */
export class QueueWorker {
  readonly #deps: QueueDeps;
  readonly #tuning: QueueWorkerTuning;
  readonly #owner = `${machineName()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #perDomain = new Map<string, number>();
  readonly #running = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #claiming: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #started = false;
  #lastHousekeeping = 0;

  constructor(deps: QueueDeps, tuning: Partial<QueueWorkerTuning> = {}) {
    this.#deps = deps;
    this.#tuning = { ...DEFAULT_WORKER_TUNING, ...tuning };
  }

  /** Starts the loop: a first look at once, then every pollMs and whenever woken. */
  start(): void {
    this.#started = true;
    this.wake();
  }

  /** Looks for due rows now (new mail was queued, a delivery ended); nothing before start(). */
  wake(): void {
    if (this.#started) this.#schedule(0);
  }

  /**
   * One round by hand (tests, without start()): claims what is due, runs
   * it, and resolves when those deliveries are settled.
   */
  async runOnce(): Promise<number> {
    const jobs = await this.#claimAndStart();
    await Promise.all(jobs);
    return jobs.length;
  }

  /** Stops claiming, aborts SMTP sessions in flight and waits (briefly) for their rows to be settled. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#claiming;
    this.#abort.abort();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, this.#tuning.closeGraceMs).unref());
    await Promise.race([Promise.all(this.#running), grace]);
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    if (this.#claiming) {
      if (delayMs === 0) this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  #tick(): void {
    this.#claiming = (async () => {
      try {
        await this.#housekeeping();
        // The jobs settle on their own (they never reject); the loop does not wait for them.
        const jobs = await this.#claimAndStart();
        if (jobs.length > 0) this.#deps.logger.debug({ jobs: jobs.length }, 'queue: deliveries started');
      } catch (error) {
        this.#deps.logger.error({ err: error }, 'queue: cannot claim due mail');
      }
    })().finally(() => {
      this.#claiming = undefined;
      const again = this.#again;
      this.#again = false;
      this.#schedule(again ? 0 : this.#tuning.pollMs);
    });
  }

  async #claimAndStart(): Promise<Promise<void>[]> {
    const { config, store } = this.#deps;
    const free = config.concurrency - this.#running.size;
    if (free <= 0 || this.#closed) return [];
    const saturated = [...this.#perDomain]
      .filter(([, n]) => n >= config.per_domain_concurrency)
      .map(([d]) => d);
    const now = this.#deps.now();
    const rows = await claimDueRows(store.db, store.kind, {
      owner: this.#owner,
      now,
      lockUntil: now + this.#tuning.lockMs,
      limit: free * ROWS_PER_SLOT,
      excludeDomains: saturated,
    });
    const started: Promise<void>[] = [];
    const released: number[] = [];
    for (const job of groupIntoJobs(rows)) {
      const domain = (job[0] as QueueRow).domain;
      const busy =
        (this.#perDomain.get(domain) ?? 0) >= config.per_domain_concurrency ||
        this.#running.size >= config.concurrency;
      if (busy) released.push(...job.map((row) => row.id));
      else started.push(this.#start(domain, job));
    }
    await releaseRows(store.db, released, this.#owner);
    return started;
  }

  #start(domain: string, rows: QueueRow[]): Promise<void> {
    this.#perDomain.set(domain, (this.#perDomain.get(domain) ?? 0) + 1);
    const job = runDeliveryJob(this.#deps, rows, this.#abort.signal)
      .catch((error: unknown) => {
        // The rows stay locked until lockMs runs out, then they are tried again.
        this.#deps.logger.error(
          { err: error, queueIds: rows.map((r) => r.id) },
          'queue: cannot settle a delivery',
        );
      })
      .finally(() => {
        const left = (this.#perDomain.get(domain) ?? 1) - 1;
        if (left > 0) this.#perDomain.set(domain, left);
        else this.#perDomain.delete(domain);
        this.#running.delete(job);
        this.wake();
      });
    this.#running.add(job);
    return job;
  }

  async #housekeeping(): Promise<void> {
    const now = this.#deps.now();
    if (now - this.#lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    this.#lastHousekeeping = now;
    const { store, blobs } = this.#deps;
    const shas = await pruneFinishedRows(store.db, now - FINISHED_RETENTION_MS);
    for (const sha of shas) {
      if (!(await mailBlobInUse(store.db, sha))) await blobs.delete(sha);
    }
    await pruneSubmissions(store.db, now - FINISHED_RETENTION_MS);
  }
}

/** Rows of one message (sender and body) for one destination travel together. */
export function groupIntoJobs(rows: readonly QueueRow[]): QueueRow[][] {
  const jobs = new Map<string, QueueRow[]>();
  for (const row of rows) {
    const key = `${row.domain}\u0000${row.sender}\u0000${row.blob_sha256}\u0000${row.options}`;
    const job = jobs.get(key);
    if (job) job.push(row);
    else jobs.set(key, [row]);
  }
  return [...jobs.values()];
}
