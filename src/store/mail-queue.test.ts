import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import {
  claimDueRows,
  finishRow,
  insertQueueRows,
  listQueueRows,
  makeRowsDue,
  pruneFinishedRows,
  releaseRows,
  rescheduleRow,
} from './mail-queue.ts';

describeOnEachDatabase('mail queue store', (context) => {
  /** Rows of a fresh domain (tests share the database), due at `at`. */
  async function queued(count: number, at: number, domain = `${randomBytes(4).toString('hex')}.test`) {
    const blob = randomBytes(32).toString('hex');
    await insertQueueRows(
      context.store.db,
      Array.from({ length: count }, (_, i) => ({
        sender: 'taro@example.com',
        recipient: `r${i}@${domain}`,
        domain,
        blobSha256: blob,
        size: 100,
        originUserId: null,
        kind: 'submission',
        options: '{}',
        nextAttemptAt: at,
      })),
      at,
    );
    return { domain, blob };
  }
  const claim = (owner: string, now: number, limit = 100, excludeDomains: string[] = []) =>
    claimDueRows(context.store.db, context.store.kind, {
      owner,
      now,
      lockUntil: now + 60_000,
      limit,
      excludeDomains,
    });
  const ofDomain = <R extends { domain: string }>(rows: R[], domain: string) =>
    rows.filter((row) => row.domain === domain);

  test('a due row is claimed once; another worker gets it only after the lock runs out', async () => {
    const now = 1_000_000_000_000;
    const { domain } = await queued(2, now);
    const first = ofDomain(await claim('a', now), domain);
    assert.equal(first.length, 2);
    assert.ok(first.every((row) => row.locked_by === 'a' && row.locked_until === now + 60_000));
    assert.equal(ofDomain(await claim('b', now + 1000), domain).length, 0);
    const later = ofDomain(await claim('b', now + 60_001), domain);
    assert.deepEqual(
      later.map((row) => row.locked_by),
      ['b', 'b'],
    );
  });

  test('rows not yet due, of a busy destination, or finished are not claimed', async () => {
    const now = 1_100_000_000_000;
    const { domain: future } = await queued(1, now + 5000);
    const { domain: busy } = await queued(1, now);
    const { domain: done } = await queued(1, now);
    const [doneRow] = ofDomain(await listQueueRows(context.store.db), done);
    assert.ok(doneRow);
    await finishRow(context.store.db, doneRow.id, { status: 'delivered', attempts: 1, lastError: null, now });
    const claimed = await claim('a', now, 100, [busy]);
    assert.equal(ofDomain(claimed, future).length, 0);
    assert.equal(ofDomain(claimed, busy).length, 0);
    assert.equal(ofDomain(claimed, done).length, 0);
  });

  test('concurrent claimers never get the same row', async () => {
    const now = 1_200_000_000_000;
    const { domain } = await queued(40, now);
    const rounds = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => claim(owner, now, 10)));
    const ids = rounds.flatMap((rows) => ofDomain(rows, domain).map((row) => row.id));
    assert.equal(new Set(ids).size, ids.length, 'a row was claimed twice');
  });

  test('released and rescheduled rows lose their lock; makeRowsDue brings a retry forward', async () => {
    const now = 1_300_000_000_000;
    const { domain } = await queued(2, now);
    const [one, two] = ofDomain(await claim('a', now), domain);
    assert.ok(one && two);
    await releaseRows(context.store.db, [one.id], 'someone else');
    assert.equal(ofDomain(await claim('b', now), domain).length, 0, 'only the owner releases');
    await releaseRows(context.store.db, [one.id], 'a');
    await rescheduleRow(context.store.db, two.id, {
      attempts: 1,
      nextAttemptAt: now + 3_600_000,
      lastError: 'smtp; 451 4.3.0 later',
      delayWarned: false,
      now,
    });
    assert.deepEqual(
      ofDomain(await claim('b', now), domain).map((row) => row.id),
      [one.id],
    );
    assert.equal(await makeRowsDue(context.store.db, [two.id], now), 1);
    const retried = ofDomain(await claim('c', now), domain);
    assert.deepEqual(
      retried.map((row) => [row.id, row.attempts, row.last_error]),
      [[two.id, 1, 'smtp; 451 4.3.0 later']],
    );
  });

  test('finished rows are pruned after their time, with the blobs they used', async () => {
    const now = 1_400_000_000_000;
    const { domain, blob } = await queued(1, now);
    const [row] = ofDomain(await claim('a', now), domain);
    assert.ok(row);
    await finishRow(context.store.db, row.id, { status: 'failed', attempts: 1, lastError: 'x', now });
    const pruned = await pruneFinishedRows(context.store.db, now + 1);
    assert.ok(pruned.includes(blob));
    assert.equal(ofDomain(await listQueueRows(context.store.db), domain).length, 0);
  });
});
