import { isIPv6 } from 'node:net';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { AuthConfig } from '../config/schema.ts';

export interface LoginThrottleConfig {
  /** Failures older than this no longer count. */
  windowSeconds: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  /** Accounts (and, apart, addresses) tracked at most; the stalest are forgotten first. */
  maxTrackedKeys?: number;
}

/**
 * Counts failed logins per account and per remote address over a sliding
 * window, for every protocol alike. Async so that a shared (Redis) one can
 * stand in when several nodes run.
 */
export interface LoginThrottle {
  /** Throws LoginThrottledError when the account or the address is at its limit. */
  check(account: string, remote: string, now?: number): Promise<void>;
  recordFailure(account: string, remote: string, now?: number): Promise<void>;
  /** Forgets the account's failures; the address's stay, so one good login cannot launder a scan. */
  recordSuccess(account: string, remote: string): Promise<void>;
}

export class LoginThrottledError extends CooError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(ErrorCode.AUTH_THROTTLED, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export const DEFAULT_MAX_TRACKED_KEYS = 100_000;

export function loginThrottleConfigFromAuth(auth: AuthConfig): LoginThrottleConfig {
  return {
    windowSeconds: auth.failure_window_seconds,
    maxFailuresPerAccount: auth.max_failures_per_account,
    maxFailuresPerAddress: auth.max_failures_per_address,
  };
}

/** The throttle of a single process. */
export class MemoryLoginThrottle implements LoginThrottle {
  readonly #accounts: FailureWindows;
  readonly #addresses: FailureWindows;

  constructor(config: LoginThrottleConfig) {
    const windowMs = config.windowSeconds * 1000;
    const maxKeys = config.maxTrackedKeys ?? DEFAULT_MAX_TRACKED_KEYS;
    this.#accounts = new FailureWindows(windowMs, config.maxFailuresPerAccount, maxKeys);
    this.#addresses = new FailureWindows(windowMs, config.maxFailuresPerAddress, maxKeys);
  }

  async check(account: string, remote: string, now = Date.now()): Promise<void> {
    const name = accountKey(account);
    const accountWait = this.#accounts.blockedForMs(name, now);
    if (accountWait > 0) throw throttled(`too many failed logins for ${name}`, accountWait);
    const address = addressKey(remote);
    const addressWait = this.#addresses.blockedForMs(address, now);
    if (addressWait > 0) throw throttled(`too many failed logins from ${address}`, addressWait);
  }

  async recordFailure(account: string, remote: string, now = Date.now()): Promise<void> {
    this.#accounts.add(accountKey(account), now);
    this.#addresses.add(addressKey(remote), now);
  }

  async recordSuccess(account: string, _remote: string): Promise<void> {
    this.#accounts.clear(accountKey(account));
  }

  /** How many accounts and addresses are tracked; for metrics and tests. */
  get size(): { accounts: number; addresses: number } {
    return { accounts: this.#accounts.size, addresses: this.#addresses.size };
  }
}

/**
 * Failure times per key. A key keeps only its last `limit` failures: older ones
 * cannot change the answer. The map is kept in order of last failure (a key
 * moves to the end on each failure), so expired keys are pruned from the front
 * and, when full, the stalest key is the first one.
 */
class FailureWindows {
  readonly #failures = new Map<string, number[]>();
  readonly #windowMs: number;
  readonly #limit: number;
  readonly #maxKeys: number;

  constructor(windowMs: number, limit: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  get size(): number {
    return this.#failures.size;
  }

  /** Milliseconds until the key may try again; 0 when it may now. */
  blockedForMs(key: string, now: number): number {
    const times = this.#failures.get(key);
    if (!times || times.length < this.#limit) return 0;
    // The oldest kept failure is the one whose expiry lifts the block.
    const oldest = times[0] ?? now;
    return Math.max(0, oldest + this.#windowMs - now);
  }

  add(key: string, now: number): void {
    this.#prune(now);
    const times = (this.#failures.get(key) ?? []).filter((time) => time > now - this.#windowMs);
    times.push(now);
    if (times.length > this.#limit) times.splice(0, times.length - this.#limit);
    this.#failures.delete(key);
    if (this.#failures.size >= this.#maxKeys) this.#dropOldest();
    this.#failures.set(key, times);
  }

  clear(key: string): void {
    this.#failures.delete(key);
  }

  #prune(now: number): void {
    for (const [key, times] of this.#failures) {
      const last = times.at(-1) ?? 0;
      if (last > now - this.#windowMs) return;
      this.#failures.delete(key);
    }
  }

  #dropOldest(): void {
    const oldest = this.#failures.keys().next();
    if (!oldest.done) this.#failures.delete(oldest.value);
  }
}

function throttled(what: string, waitMs: number): LoginThrottledError {
  const seconds = Math.ceil(waitMs / 1000);
  const minutes = Math.ceil(seconds / 60);
  const wait =
    seconds < 60
      ? `${seconds} second${seconds === 1 ? '' : 's'}`
      : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return new LoginThrottledError(`${what}; try again in ${wait}`, seconds);
}

function accountKey(account: string): string {
  return account.trim().toLowerCase();
}

/**
 * An IPv6 client usually holds a whole /64, so counting single addresses would
 * give it 2^64 fresh starts; IPv4-mapped addresses count as the IPv4 address.
 */
function addressKey(remote: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(remote)) return remote;
  const [head = '', tail] = remote.toLowerCase().replace(/%.*$/, '').split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  // A trailing dotted IPv4 part (::ffff:0:1.2.3.4) stands for two groups.
  const dotted = remote.includes('.') ? 1 : 0;
  const missing = 8 - headGroups.length - tailGroups.length - dotted;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  const prefix = groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}
