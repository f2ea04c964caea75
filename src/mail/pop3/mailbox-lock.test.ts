import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../log.ts';
import { acquirePop3Lock, findPop3Lock, releasePop3Lock } from '../../store/pop3-locks.ts';
import { createPeople, uniquePrefix } from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { MailboxLocks } from './mailbox-lock.ts';

const silent = createLogger('silent');

describeOnEachDatabase('POP3 maildrop locks', (context) => {
  async function userId(name: string): Promise<number> {
    const people = await createPeople(servicesOver(context.store), uniquePrefix(name), ['owner']);
    return people.owner.userId;
  }

  test('a second session is refused while the first holds the lock, and gets it once released', async () => {
    const id = await userId('lock-basic');
    const locks = new MailboxLocks(context.store, silent);
    const first = await locks.acquire(id);
    assert.ok(first);
    assert.equal(await locks.acquire(id), undefined);
    // Another node (another MailboxLocks) is refused as well: the lock is in the database.
    assert.equal(await new MailboxLocks(context.store, silent).acquire(id), undefined);
    await first.release();
    await first.release();
    assert.equal(await findPop3Lock(context.store.db, id), undefined);
    const second = await locks.acquire(id);
    assert.ok(second);
    await second.release();
    assert.equal(locks.size, 0);
  });

  test('two sessions racing for one maildrop: exactly one wins', async () => {
    const id = await userId('lock-race');
    const locks = new MailboxLocks(context.store, silent);
    const results = await Promise.all(Array.from({ length: 8 }, () => locks.acquire(id)));
    const winners = results.filter((lock) => lock !== undefined);
    assert.equal(winners.length, 1);
    await winners[0]?.release();
  });

  test("a crashed node's lock lapses after its time to live and can be taken over", async () => {
    const id = await userId('lock-lapse');
    const now = Date.now();
    const claim = { userId: id, holder: 'dead-node', session: 'old', now: now - 10_000, ttlMs: 1_000 };
    assert.equal(await acquirePop3Lock(context.store.db, claim), true);
    const lock = await new MailboxLocks(context.store, silent).acquire(id);
    assert.ok(lock, 'the lapsed lock was taken over');
    // The old session's release does not free the new holder's lock.
    await releasePop3Lock(context.store.db, id, 'old');
    assert.ok(await findPop3Lock(context.store.db, id));
    await lock.release();
  });

  test('the holder refreshes its locks, so a long session keeps its maildrop', async () => {
    const id = await userId('lock-refresh');
    const locks = new MailboxLocks(context.store, silent, { ttlMs: 300, refreshMs: 50 });
    const lock = await locks.acquire(id);
    assert.ok(lock);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(await new MailboxLocks(context.store, silent).acquire(id), undefined);
    await lock.release();
  });
});
