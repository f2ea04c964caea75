import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Store } from '../../store/database.ts';
import { insertQueueRows } from '../../store/mail-queue.ts';
import type { OutboundQueuePort } from '../ports.ts';
import { domainOf, type QueueRowOptions } from './queue-deps.ts';

type EnqueueInput = Parameters<OutboundQueuePort['enqueue']>[0];

/**
 * The queue's front door: one row per recipient, committed before enqueue
 * resolves (the body is already a blob). The worker of this process is
 * woken at once; other nodes find the rows at their next poll.
 */
export class OutboundQueue implements OutboundQueuePort {
  readonly #store: Store;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async enqueue(input: EnqueueInput): Promise<void> {
    if (input.recipients.length === 0) return;
    const options: QueueRowOptions = {};
    if (input.dsn?.ret) options.ret = input.dsn.ret;
    if (input.dsn?.envid) options.envid = input.dsn.envid;
    const now = this.#now();
    const rows = input.recipients.map((recipient) => {
      const domain = domainOf(recipient);
      if (domain === '') throw new CooError(ErrorCode.INVALID_ADDRESS, `"${recipient}" has no domain`);
      return {
        sender: input.mailFrom,
        recipient,
        domain,
        blobSha256: input.message.sha256,
        size: input.message.size,
        originUserId: input.originUserId ?? null,
        kind: input.kind,
        options: JSON.stringify(options),
        nextAttemptAt: now,
      };
    });
    await insertQueueRows(this.#store.db, rows, now);
    for (const listener of this.#listeners) listener();
  }

  /** Called after every enqueue; returns the function that stops it. */
  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
