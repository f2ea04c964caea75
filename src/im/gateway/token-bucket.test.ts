import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from './token-bucket.ts';

test('a full bucket allows a burst of its capacity, then refuses', () => {
  const bucket = new TokenBucket(3, 1, 0);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => bucket.take(0)),
    [true, true, true, false],
  );
});

test('tokens come back at the refill rate and never beyond capacity', () => {
  const bucket = new TokenBucket(2, 10, 0);
  bucket.take(0);
  bucket.take(0);
  assert.equal(bucket.take(50), false, 'half a token after 50 ms at 10/s');
  assert.equal(bucket.take(100), true, 'one token after 100 ms');
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), false, 'a long pause refills to capacity only');
});

test('a clock that goes back refills nothing', () => {
  const bucket = new TokenBucket(1, 1, 1000);
  assert.equal(bucket.take(1000), true);
  assert.equal(bucket.take(0), false);
});
