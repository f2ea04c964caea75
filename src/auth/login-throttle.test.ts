import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottledError, MemoryLoginThrottle, type LoginThrottleConfig } from './login-throttle.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const CONFIG: LoginThrottleConfig = {
  windowSeconds: 900,
  maxFailuresPerAccount: 3,
  maxFailuresPerAddress: 5,
};

async function fail(
  throttle: MemoryLoginThrottle,
  times: number,
  account: string,
  remote: string,
  at: number,
) {
  for (let i = 0; i < times; i++) await throttle.recordFailure(account, remote, at);
}

async function refusal(check: Promise<void>): Promise<LoginThrottledError> {
  try {
    await check;
  } catch (error) {
    assert.ok(error instanceof LoginThrottledError);
    assert.equal(error.code, 'AUTH_THROTTLED');
    return error;
  }
  assert.fail('the login was not throttled');
}

describe('login throttle', () => {
  it('lets an account through below its limit', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    await fail(throttle, 2, 'alice@example.com', '192.0.2.1', T0);
    await throttle.check('alice@example.com', '192.0.2.1', T0);
  });

  it('blocks an account at its limit, from any address, naming it and the wait', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    await throttle.recordFailure('alice@example.com', '192.0.2.1', T0);
    await throttle.recordFailure('alice@example.com', '192.0.2.2', T0 + MINUTE);
    await throttle.recordFailure('alice@example.com', '192.0.2.3', T0 + MINUTE);
    const error = await refusal(throttle.check('alice@example.com', '198.51.100.7', T0 + MINUTE));
    assert.equal(error.message, 'too many failed logins for alice@example.com; try again in 14 minutes');
    assert.equal(error.retryAfterSeconds, 14 * 60);
  });

  it('counts an account in any letter case as one', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    await fail(throttle, 1, 'Alice@Example.com', '192.0.2.1', T0);
    await fail(throttle, 2, 'alice@example.com', '192.0.2.1', T0);
    await refusal(throttle.check(' ALICE@example.com', '192.0.2.9', T0));
  });

  it('slides the window: the block lifts as the oldest failure expires', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    await throttle.recordFailure('alice@example.com', '192.0.2.1', T0);
    await fail(throttle, 2, 'alice@example.com', '192.0.2.1', T0 + 10 * MINUTE);
    await refusal(throttle.check('alice@example.com', '192.0.2.1', T0 + 15 * MINUTE - 1));
    await throttle.check('alice@example.com', '192.0.2.1', T0 + 15 * MINUTE);
    // One more failure fills the window again, until the next oldest expires.
    await throttle.recordFailure('alice@example.com', '192.0.2.1', T0 + 15 * MINUTE);
    const error = await refusal(throttle.check('alice@example.com', '192.0.2.1', T0 + 15 * MINUTE));
    assert.equal(error.message, 'too many failed logins for alice@example.com; try again in 10 minutes');
  });

  it('says seconds when less than a minute is left', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    await fail(throttle, 3, 'alice@example.com', '192.0.2.1', T0);
    const error = await refusal(throttle.check('alice@example.com', '192.0.2.1', T0 + 15 * MINUTE - 1_000));
    assert.equal(error.message, 'too many failed logins for alice@example.com; try again in 1 second');
  });

  it('blocks an address that fails on many accounts, for every account', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      await throttle.recordFailure(`${name}@example.com`, '203.0.113.5', T0);
    const error = await refusal(throttle.check('zed@example.com', '203.0.113.5', T0 + MINUTE));
    assert.equal(error.message, 'too many failed logins from 203.0.113.5; try again in 14 minutes');
    // The accounts themselves may still log in from elsewhere.
    await throttle.check('a@example.com', '198.51.100.1', T0 + MINUTE);
  });

  it('does not exempt loopback', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      await throttle.recordFailure(`${name}@example.com`, '127.0.0.1', T0);
    await refusal(throttle.check('f@example.com', '127.0.0.1', T0));
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      await throttle.recordFailure(`${name}@example.com`, '::1', T0);
    await refusal(throttle.check('f@example.com', '::1', T0));
  });

  it('counts an IPv6 /64 as one address and an IPv4-mapped address as IPv4', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    for (let i = 1; i <= 5; i++) await throttle.recordFailure(`u${i}@example.com`, `2001:db8:0:7::${i}`, T0);
    const error = await refusal(throttle.check('x@example.com', '2001:0db8:0000:0007:ffff::9', T0));
    assert.match(error.message, /from 2001:db8:0:7::\/64;/);
    await throttle.check('x@example.com', '2001:db8:0:8::1', T0);

    for (let i = 1; i <= 5; i++) await throttle.recordFailure(`v${i}@example.com`, '::ffff:192.0.2.44', T0);
    await refusal(throttle.check('x@example.com', '192.0.2.44', T0));
  });

  it("clears the account's failures on success, but not the address's", async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    await fail(throttle, 2, 'alice@example.com', '192.0.2.1', T0);
    for (const name of ['b', 'c']) await throttle.recordFailure(`${name}@example.com`, '192.0.2.1', T0);
    await throttle.recordSuccess('alice@example.com', '192.0.2.1');
    // Two more failures would have blocked alice without the success.
    await fail(throttle, 2, 'alice@example.com', '192.0.2.2', T0);
    await throttle.check('alice@example.com', '192.0.2.2', T0);
    // The first address has 4 failures; one more and it is blocked.
    await throttle.recordFailure('d@example.com', '192.0.2.1', T0);
    await refusal(throttle.check('alice@example.com', '192.0.2.1', T0));
  });

  it('forgets expired entries as it goes', async () => {
    const throttle = new MemoryLoginThrottle(CONFIG);
    for (let i = 0; i < 100; i++) await throttle.recordFailure(`u${i}@example.com`, `192.0.2.${i}`, T0);
    assert.deepEqual(throttle.size, { accounts: 100, addresses: 100 });
    await throttle.recordFailure('late@example.com', '198.51.100.1', T0 + 15 * MINUTE);
    assert.deepEqual(throttle.size, { accounts: 1, addresses: 1 });
  });

  it('tracks at most maxTrackedKeys, forgetting the stalest first', async () => {
    const throttle = new MemoryLoginThrottle({ ...CONFIG, maxTrackedKeys: 10 });
    await fail(throttle, 3, 'victim@example.com', '192.0.2.1', T0);
    for (let i = 0; i < 9; i++) await throttle.recordFailure(`u${i}@example.com`, '192.0.2.2', T0 + 1);
    await refusal(throttle.check('victim@example.com', '198.51.100.1', T0 + 2));
    await throttle.recordFailure('one-too-many@example.com', '192.0.2.2', T0 + 2);
    assert.equal(throttle.size.accounts, 10);
    await throttle.check('victim@example.com', '198.51.100.1', T0 + 3);
  });
});
