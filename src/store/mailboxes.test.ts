import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPeople, uniquePrefix } from '../../test/support/messaging-deps.ts';
import { servicesOver } from '../../test/support/services.ts';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import {
  appendMessage,
  appendToNamedMailbox,
  DEFAULT_MAILBOXES,
  ensureDefaultMailboxes,
  expungeMessages,
  findMailbox,
  listMailboxes,
  listMessages,
  mailUsage,
  normaliseFlags,
  storeFlags,
} from './mailboxes.ts';

describeOnEachDatabase('mailbox store', (context) => {
  async function mailboxOf(name: string) {
    const services = servicesOver(context.store);
    const people = await createPeople(services, uniquePrefix(name), ['owner']);
    const userId = people.owner.userId;
    await ensureDefaultMailboxes(context.store.db, userId, Date.now());
    const inbox = await findMailbox(context.store.db, userId, 'inbox');
    assert.ok(inbox);
    return { userId, inbox };
  }

  function append(userId: number, mailboxId: number, size: number, flags: string[] = []) {
    return context.store.db.transaction().execute((tx) =>
      appendMessage(tx, {
        mailboxId,
        userId,
        blobSha256: 'a'.repeat(64),
        size,
        internalDate: Date.now(),
        flags,
        subject: 'テスト',
        fromAddress: 'sender@example.net',
        messageId: 'm1@example.net',
        now: Date.now(),
      }),
    );
  }

  test('every user gets the default mailboxes once, with special-use attributes; INBOX in any case', async () => {
    const { userId } = await mailboxOf('mbx-default');
    await ensureDefaultMailboxes(context.store.db, userId, Date.now());
    const boxes = await listMailboxes(context.store.db, userId);
    assert.deepEqual(boxes.map((b) => b.name).sort(), DEFAULT_MAILBOXES.map((b) => b.name).sort());
    assert.equal(boxes.find((b) => b.name === 'Sent')?.special_use, '\\Sent');
    assert.equal((await findMailbox(context.store.db, userId, 'InBoX'))?.name, 'INBOX');
  });

  test('UIDs and mod-sequences only grow, also when appends race; usage follows appends and expunges', async () => {
    const { userId, inbox } = await mailboxOf('mbx-uids');
    const rows = await Promise.all(Array.from({ length: 20 }, (_, i) => append(userId, inbox.id, 100 + i)));
    assert.deepEqual(
      rows.map((r) => r.uid).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(new Set(rows.map((r) => r.modseq)).size, 20);
    const usage = await mailUsage(context.store.db, userId);
    assert.equal(usage.messageCount, 20);
    assert.equal(
      usage.usedBytes,
      rows.reduce((sum, r) => sum + r.size, 0),
    );

    const before = (await findMailbox(context.store.db, userId, 'INBOX'))!;
    const removed = await context.store.db
      .transaction()
      .execute((tx) => expungeMessages(tx, inbox.id, [3, 5, 99]));
    assert.deepEqual(removed.map((r) => r.uid).sort(), [3, 5]);
    const after = (await findMailbox(context.store.db, userId, 'INBOX'))!;
    assert.equal(after.message_count, 18);
    assert.ok(after.highest_modseq > before.highest_modseq);
    const vanished = await context.store.db
      .selectFrom('mail_expunged')
      .selectAll()
      .where('mailbox_id', '=', inbox.id)
      .execute();
    assert.deepEqual(vanished.map((v) => v.uid).sort(), [3, 5]);
    assert.equal((await mailUsage(context.store.db, userId)).messageCount, 18);

    const next = await append(userId, inbox.id, 10);
    assert.equal(next.uid, 21, 'an expunged UID is never given again');
  });

  test('appending by folder name takes the next UID of that folder (INBOX in any case); a missing folder is left alone', async () => {
    const { userId, inbox } = await mailboxOf('mbx-by-name');
    await append(userId, inbox.id, 10);
    const message = {
      userId,
      blobSha256: 'b'.repeat(64),
      size: 25,
      internalDate: 1,
      flags: ['\\seen'],
      subject: '件名',
      fromAddress: 'sender@example.net',
      messageId: 'm2@example.net',
      now: 1,
    };
    const appended = await context.store.db
      .transaction()
      .execute((tx) => appendToNamedMailbox(tx, { ...message, mailboxName: 'Inbox' }));
    assert.deepEqual(appended?.mailbox, { id: inbox.id, name: 'INBOX' });
    assert.equal(appended?.row.uid, 2);
    assert.equal(appended?.row.mailbox_id, inbox.id);
    assert.equal(appended?.row.flags, '["\\\\Seen"]');
    assert.equal((await findMailbox(context.store.db, userId, 'INBOX'))?.message_count, 2);
    const usage = await mailUsage(context.store.db, userId);

    const missing = await context.store.db
      .transaction()
      .execute((tx) => appendToNamedMailbox(tx, { ...message, mailboxName: 'Nowhere' }));
    assert.equal(missing, undefined);
    assert.equal(await findMailbox(context.store.db, userId, 'Nowhere'), undefined);
    assert.deepEqual(
      await mailUsage(context.store.db, userId),
      usage,
      'nothing counted for a folder that is not there',
    );
  });

  test('flags: system flags case-insensitive and canonical, one new mod-sequence per change, none when nothing changes', async () => {
    const { userId, inbox } = await mailboxOf('mbx-flags');
    await append(userId, inbox.id, 10, ['\\seen']);
    await append(userId, inbox.id, 10);
    const messages = await listMessages(context.store.db, inbox.id);
    assert.deepEqual(JSON.parse(messages[0]!.flags), ['\\Seen']);
    const changed = await context.store.db
      .transaction()
      .execute((tx) => storeFlags(tx, inbox.id, [1, 2], 'add', ['\\SEEN', '$Important']));
    assert.deepEqual(
      changed.map((r) => r.uid),
      [1, 2],
    );
    assert.deepEqual(JSON.parse(changed[1]!.flags), ['$Important', '\\Seen']);
    assert.equal(changed[0]!.modseq, changed[1]!.modseq);
    const again = await context.store.db
      .transaction()
      .execute((tx) => storeFlags(tx, inbox.id, [1, 2], 'add', ['\\Seen']));
    assert.deepEqual(again, []);
    const removed = await context.store.db
      .transaction()
      .execute((tx) => storeFlags(tx, inbox.id, [2], 'remove', ['\\seen']));
    assert.deepEqual(JSON.parse(removed[0]!.flags), ['$Important']);
    assert.ok(removed[0]!.modseq > changed[0]!.modseq);
  });
});

test('normaliseFlags dedupes case-insensitively and sorts', () => {
  assert.deepEqual(normaliseFlags(['\\flagged', 'Work', '\\FLAGGED', 'work']), ['Work', '\\Flagged']);
});
