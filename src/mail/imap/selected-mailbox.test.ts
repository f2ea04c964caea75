import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPeople, uniquePrefix } from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import {
  appendMessage,
  ensureDefaultMailboxes,
  expungeMessages,
  findMailbox,
  findMailboxById,
} from '../../store/mailboxes.ts';
import { ImapError } from './imap-error.ts';
import type { SequenceSet } from './protocol/ast.ts';
import { MailboxIndexCache } from './mailbox-index-cache.ts';
import { SelectedMailbox } from './selected-mailbox.ts';

function set(...ranges: Array<[number | '*', number | '*']>): SequenceSet {
  return { kind: 'set', ranges: ranges.map(([start, end]) => ({ start, end })) };
}

describeOnEachDatabase('the selected mailbox view', (context) => {
  /** INBOX with UIDs 1..10 appended, then 3, 4 and 7 expunged: UIDs 1 2 5 6 8 9 10 at indexes 0..6. */
  async function openWithGaps(name: string): Promise<SelectedMailbox> {
    const db = context.store.db;
    const people = await createPeople(servicesOver(context.store), uniquePrefix(name), ['owner']);
    const userId = people.owner.userId;
    await ensureDefaultMailboxes(db, userId, Date.now());
    const inbox = await findMailbox(db, userId, 'INBOX');
    assert.ok(inbox);
    await db.transaction().execute(async (tx) => {
      for (let i = 1; i <= 10; i++) {
        await appendMessage(tx, {
          mailboxId: inbox.id,
          userId,
          blobSha256: String(i).padStart(64, '0'),
          size: 100,
          internalDate: Date.now(),
          flags: i % 2 === 0 ? ['\\Seen'] : [],
          subject: `message ${i}`,
          fromAddress: 'sender@example.net',
          messageId: '',
          now: Date.now(),
        });
      }
      await expungeMessages(tx, inbox.id, [3, 4, 7]);
    });
    const row = await findMailboxById(db, inbox.id);
    assert.ok(row);
    return SelectedMailbox.open(db, row, false, new MailboxIndexCache());
  }

  test('the index holds the messages in UID order with their flags and mod-sequences', async () => {
    const view = await openWithGaps('view-index');
    assert.equal(view.exists, 7);
    assert.deepEqual(
      Array.from({ length: view.exists }, (_, index) => view.uidAt(index)),
      [1, 2, 5, 6, 8, 9, 10],
    );
    assert.equal(view.flagsAt(1), '["\\\\Seen"]');
    assert.equal(view.flagsAt(0), '[]');
    assert.ok(view.modseqAt(0) < view.modseqAt(6));
    assert.equal(view.uidNext, 11);
    assert.equal(view.dirty, false);
  });

  test('sequence sets resolve to ascending indexes without repeats, reversed and overlapping ranges included', async () => {
    const view = await openWithGaps('view-seq');
    assert.deepEqual(view.resolve(set([1, '*']), false, []), [0, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual(view.resolve(set([5, 2], [3, 3], [7, 7], [1, 1]), false, []), [0, 1, 2, 3, 4, 6]);
    assert.deepEqual(view.resolve(set(['*', 6]), false, []), [5, 6]);
  });

  test('a message number past the end, or 0, is BAD', async () => {
    const view = await openWithGaps('view-seq-bad');
    for (const bad of [set([8, 8]), set([1, 2], [6, 9]), set([0, 3])]) {
      assert.throws(
        () => view.resolve(bad, false, []),
        (error: unknown) => error instanceof ImapError && error.status === 'BAD',
      );
    }
  });

  test('UID sets name only the UIDs present; * is the largest UID, also when the range starts past it', async () => {
    const view = await openWithGaps('view-uid');
    assert.deepEqual(view.resolve(set([3, 7]), true, []), [2, 3]);
    assert.deepEqual(view.resolve(set([3, 4]), true, []), []);
    assert.deepEqual(view.resolve(set([9, '*'], [1, 2], [2, 5]), true, []), [0, 1, 2, 5, 6]);
    // RFC 9051 §6.4.8: "n:*" with n past the largest UID still names the largest.
    assert.deepEqual(view.resolve(set([50, '*']), true, []), [6]);
    assert.deepEqual(view.resolve(set([11, 40]), true, []), []);
    assert.deepEqual(view.resolve({ kind: 'saved' }, true, [10, 3, 1]), [6, 0]);
  });
});
