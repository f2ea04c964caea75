import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log.ts';
import type { Store } from '../../store/database.ts';
import { acquirePop3Lock, refreshPop3Locks, releasePop3Lock } from '../../store/pop3-locks.ts';

/**
 * RFC 1939 §8: the maildrop is locked from login until the session ends, so
 * a second session cannot see (or delete) the same messages. The lock is a
 * row in the database, shared by every node; this node renews all its rows
 * on a timer, so a crashed node's locks lapse after `ttlMs`. A session's
 * end — QUIT, a dropped connection, a timeout — releases its lock at once.
 */
export interface MailboxLock {
  readonly userId: number;
  /** Idempotent; never throws (a failure is logged, and the row lapses by itself). */
  release(): Promise<void>;
}

export interface MailboxLockTuning {
  /** How long a lock outlives its node's last refresh. */
  ttlMs: number;
  /** How often the node refreshes its locks; well under ttlMs. */
  refreshMs: number;
}

export const DEFAULT_LOCK_TUNING: MailboxLockTuning = { ttlMs: 120_000, refreshMs: 30_000 };

export class MailboxLocks {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #tuning: MailboxLockTuning;
  readonly #holder = `${process.pid}-${randomBytes(6).toString('hex')}`;
  readonly #held = new Set<MailboxLock>();
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, logger: Logger, tuning: MailboxLockTuning = DEFAULT_LOCK_TUNING) {
    this.#store = store;
    this.#logger = logger;
    this.#tuning = tuning;
  }

  /** The user's lock, or undefined when another session holds it. */
  async acquire(userId: number): Promise<MailboxLock | undefined> {
    const session = randomBytes(9).toString('base64url');
    const won = await acquirePop3Lock(this.#store.db, {
      userId,
      holder: this.#holder,
      session,
      now: Date.now(),
      ttlMs: this.#tuning.ttlMs,
    });
    if (!won) return undefined;
    let released: Promise<void> | undefined;
    const lock: MailboxLock = {
      userId,
      release: () => {
        released ??= this.#release(lock, session);
        return released;
      },
    };
    this.#held.add(lock);
    this.#timer ??= setInterval(() => void this.#refresh(), this.#tuning.refreshMs).unref();
    return lock;
  }

  /** Locks held by this node now. */
  get size(): number {
    return this.#held.size;
  }

  async #release(lock: MailboxLock, session: string): Promise<void> {
    this.#held.delete(lock);
    if (this.#held.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
    try {
      await releasePop3Lock(this.#store.db, lock.userId, session);
    } catch (error) {
      this.#logger.warn(
        { err: error, userId: lock.userId },
        'pop3: releasing a maildrop lock failed; it lapses by itself',
      );
    }
  }

  async #refresh(): Promise<void> {
    try {
      await refreshPop3Locks(this.#store.db, this.#holder, Date.now(), this.#tuning.ttlMs);
    } catch (error) {
      this.#logger.warn({ err: error }, 'pop3: refreshing maildrop locks failed');
    }
  }
}
