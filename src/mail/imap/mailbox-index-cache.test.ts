import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPeople, uniquePrefix } from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { messageIndex } from '../../store/mail-message-index.ts';
import { deleteFolder, createFolder } from '../../store/mailbox-folders.ts';
import {
  appendMessage,
  expungeMessages,
  findMailboxById,
  storeFlags,
  type MailboxRow,
} from '../../store/mailboxes.ts';
import type { Tx } from '../../store/database.ts';
import { applyChanges, MailboxIndexCache } from './mailbox-index-cache.ts';

function append(tx: Tx, mailbox: MailboxRow, userId: number, count: number) {
  return (async () => {
    for (let i = 0; i < count; i++) {
      await appendMessage(tx, {
        mailboxId: mailbox.id,
        userId,
        blobSha256: String(i).padStart(64, '0'),
        size: 10,
        internalDate: Date.now(),
        flags: [],
        subject: '',
        fromAddress: '',
        messageId: '',
        now: Date.now(),
      });
    }
  })();
}

test('applying the same changes twice changes nothing; an older state never replaces a newer one', () => {
  const index = { uids: [1, 2, 3], modseqs: [2, 3, 4], flags: ['[]', '[]', '[]'], highestModseq: 4 };
  const changed = [
    { uid: 2, modseq: 6, flags: '["\\\\Seen"]' },
    { uid: 5, modseq: 5, flags: '[]' },
  ];
  applyChanges(index, changed, [1]);
  applyChanges(index, changed, [1]);
  applyChanges(index, [{ uid: 2, modseq: 5, flags: '[]' }], []);
  assert.deepEqual(index, {
    uids: [2, 3, 5],
    modseqs: [6, 4, 5],
    flags: ['["\\\\Seen"]', '[]', '[]'],
    highestModseq: 6,
  });
});

describeOnEachDatabase('the mailbox index cache', (context) => {
  test('a cached index brought up to date equals the index read afresh, and callers get their own copy', async () => {
    const db = context.store.db;
    const people = await createPeople(servicesOver(context.store), uniquePrefix('cache'), ['owner']);
    const userId = people.owner.userId;
    const folder = await db.transaction().execute((tx) => createFolder(tx, userId, 'Cached', Date.now()));
    await db.transaction().execute((tx) => append(tx, folder, userId, 8));
    const cache = new MailboxIndexCache();
    const current = async () => {
      const row = await findMailboxById(db, folder.id);
      assert.ok(row);
      return { id: row.id, uidValidity: Number(row.uid_validity), highestModseq: Number(row.highest_modseq) };
    };
    const first = await cache.load(db, await current());
    first.uids.length = 0; // the caller's copy: the cache must not see this
    await db.transaction().execute(async (tx) => {
      await storeFlags(tx, folder.id, [2, 5], 'add', ['\\Flagged']);
      await expungeMessages(tx, folder.id, [3, 8]);
      await append(tx, folder, userId, 2);
    });
    const updated = await cache.load(db, await current());
    const fresh = await messageIndex(db, folder.id);
    assert.deepEqual(updated, fresh);
    assert.deepEqual(updated.uids, [1, 2, 4, 5, 6, 7, 9, 10]);
  });

  test('a mailbox recreated (a new UIDVALIDITY) is read again whole', async () => {
    const db = context.store.db;
    const people = await createPeople(servicesOver(context.store), uniquePrefix('recreated'), ['owner']);
    const userId = people.owner.userId;
    const cache = new MailboxIndexCache();
    const folder = await db.transaction().execute((tx) => createFolder(tx, userId, 'Again', Date.now()));
    await db.transaction().execute((tx) => append(tx, folder, userId, 3));
    const before = await cache.load(db, {
      id: folder.id,
      uidValidity: Number(folder.uid_validity),
      highestModseq: 4,
    });
    assert.equal(before.uids.length, 3);
    await db.transaction().execute((tx) => deleteFolder(tx, folder));
    // The same id with another UIDVALIDITY stands for another mailbox: nothing of the old one may show.
    const other = await db.transaction().execute((tx) => createFolder(tx, userId, 'Again', Date.now()));
    const after = await cache.load(db, {
      id: folder.id,
      uidValidity: Number(other.uid_validity),
      highestModseq: 1,
    });
    assert.deepEqual(after.uids, []);
  });
});
