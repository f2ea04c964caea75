import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPeople, uniquePrefix } from '../../test/support/messaging-deps.ts';
import { servicesOver } from '../../test/support/services.ts';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import { messageIndex } from './mail-message-index.ts';
import { createFolder } from './mailbox-folders.ts';

describeOnEachDatabase('the message index of a mailbox', (context) => {
  test('an empty mailbox has an empty index', async () => {
    const db = context.store.db;
    const people = await createPeople(servicesOver(context.store), uniquePrefix('index'), ['empty']);
    const folder = await db
      .transaction()
      .execute((tx) => createFolder(tx, people.empty.userId, 'Empty', Date.now()));
    assert.deepEqual(await messageIndex(db, folder.id), {
      uids: [],
      modseqs: [],
      flags: [],
      highestModseq: 0,
    });
  });

  test('every message once, in UID order whatever order the rows were written in, with its mod-sequence and flags', async () => {
    const db = context.store.db;
    const people = await createPeople(servicesOver(context.store), uniquePrefix('index'), ['owner', 'other']);
    const [mine, theirs] = await db
      .transaction()
      .execute(async (tx) => [
        await createFolder(tx, people.owner.userId, 'Listed', Date.now()),
        await createFolder(tx, people.other.userId, 'Listed', Date.now()),
      ]);
    // Flags with the characters the joined text must not trip on: commas, quotes, backslashes, non-ASCII.
    const rows: [number, number, string][] = [
      [70000, 9, '["\\\\Seen","$Label,1"]'],
      [3, 12, '[]'],
      [12, 4, '["\\\\Flagged","\\"quoted\\"","日本語"]'],
      [5, 30, '["\\\\Answered"]'],
    ];
    const row = (mailboxId: number, uid: number, modseq: number, flags: string) => ({
      mailbox_id: mailboxId,
      uid,
      modseq,
      blob_sha256: String(uid).padStart(64, '0'),
      size: 10,
      internal_date: 0,
      flags,
      subject: '',
      from_address: '',
      message_id: '',
      created_at: 0,
    });
    await db
      .insertInto('mail_messages')
      .values([
        ...rows.map(([uid, modseq, flags]) => row(mine.id, uid, modseq, flags)),
        row(theirs.id, 4, 99, '[]'),
      ])
      .execute();
    assert.deepEqual(await messageIndex(db, mine.id), {
      uids: [3, 5, 12, 70000],
      modseqs: [12, 30, 4, 9],
      flags: ['[]', '["\\\\Answered"]', '["\\\\Flagged","\\"quoted\\"","日本語"]', '["\\\\Seen","$Label,1"]'],
      highestModseq: 30,
    });
  });
});
