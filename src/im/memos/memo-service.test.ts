import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLI_ACTOR } from '../../directory/types.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { InboxMemo } from '../../protocol/im/memos.ts';
import { putSetting } from '../../store/settings.ts';
import {
  createPeople,
  messagingDeps,
  rejectsWith,
  uniquePrefix,
} from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { hideFrom } from '../../../test/support/simple-policies.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import type { VisibilityPolicy } from '../types.ts';
import { AUDIT_CONTENT_SETTING } from '../conversations/audit-content.ts';
import { MemoService } from './memo-service.ts';

const NAMES = ['boss', 'sales', 'tokyo1', 'tokyo2', 'osaka', 'dev', 'gone'] as const;

describeOnEachDatabase('memos', (context) => {
  /**
   * Units P-Sales, P-Sales/Tokyo, P-Sales/Osaka, P-Dev, P-Empty; boss in no
   * unit, sales in Sales, tokyo1 and tokyo2 in Tokyo, osaka in Osaka, dev in
   * Dev, gone in Sales but disabled.
   */
  async function setUp(options: { policy?: VisibilityPolicy; now?: () => number } = {}) {
    const services = servicesOver(context.store);
    const prefix = uniquePrefix('memo');
    const { org, users } = services.directory;
    if (!(await services.directory.domains.list()).some((d) => d.name === 'example.com')) {
      await services.directory.domains.add('example.com', CLI_ACTOR);
    }
    for (const path of ['Sales/Tokyo', 'Sales/Osaka', 'Dev', 'Empty']) {
      await org.add(`${prefix}-${path}`, CLI_ACTOR, { createParents: true });
    }
    const unitOf: Record<(typeof NAMES)[number], string | null> = {
      boss: null,
      sales: 'Sales',
      tokyo1: 'Sales/Tokyo',
      tokyo2: 'Sales/Tokyo',
      osaka: 'Sales/Osaka',
      dev: 'Dev',
      gone: 'Sales',
    };
    const people = await createPeople(services, prefix, NAMES, (name) =>
      unitOf[name] === null ? null : `${prefix}-${unitOf[name]}`,
    );
    await users.setDisabled(people.gone.address, true, CLI_ACTOR);
    const tree = await org.loadTree();
    const unit = (path: string) => tree.require(`${prefix}-${path}`).id;
    const t = messagingDeps(services, options);
    return { ...t, services, people, unit, prefix, memos: new MemoService(t.deps) };
  }

  test('a memo to a unit reaches its people and those of every unit below, fixed at send time', async () => {
    const { memos, people, unit, delivery, services, prefix } = await setUp();
    const { boss, sales, tokyo1, tokyo2, osaka, dev, gone } = people;
    const sent = await memos.send(boss, {
      subject: 'Quarterly numbers',
      body: 'Please read by Friday.',
      to: { unitIds: [unit('Sales')], userIds: [dev.userId, boss.userId] },
    });
    assert.equal(sent.recipientCount, 5);
    assert.equal(sent.readCount, 0);
    const reached = [sales, tokyo1, tokyo2, osaka, dev].map((p) => p.userId);
    for (const id of reached) assert.equal(delivery.to(id, 'memo').length, 1);
    assert.equal(delivery.to(gone.userId).length, 0, 'a disabled user gets nothing');
    const toBoss = delivery.to(boss.userId, 'memo');
    assert.deepEqual(
      toBoss.map((f) => f.box),
      ['sent'],
      'the sender’s other devices see it in the sent box',
    );

    // Someone joining the unit later does not get the memo.
    const late = await services.directory.users.create(
      `${prefix}-late@example.com`,
      { displayName: 'late', unit: `${prefix}-Sales/Tokyo` },
      CLI_ACTOR,
    );
    const lateActor = { ...tokyo1, userId: late.id, address: late.address };
    assert.equal((await memos.inbox(lateActor)).memos.length, 0);
    const receipts = await memos.receipts(boss, sent.id);
    assert.deepEqual(receipts.unread.map((p) => p.userId).sort(), [...reached].sort());
  });

  test('read confirmations: the sender sees who read and when, and who has not yet', async () => {
    let clock = 1_700_000_000_000;
    const { memos, people, unit, delivery } = await setUp({ now: () => clock });
    const { boss, tokyo1, tokyo2, dev } = people;
    const sent = await memos.send(boss, { body: 'Fire drill at 3', to: { unitIds: [unit('Sales/Tokyo')] } });
    delivery.clear();
    clock += 60_000;
    const read = await memos.read(tokyo2, sent.id);
    assert.equal(read.readAt, clock);
    clock += 60_000;
    assert.equal((await memos.read(tokyo2, sent.id)).readAt, clock - 60_000, 'the first read counts');

    assert.deepEqual(delivery.to(boss.userId, 'memo.read'), [
      { t: 'memo.read', memoId: sent.id, userId: tokyo2.userId, readAt: clock - 60_000, readCount: 1 },
    ]);
    const own = delivery.sent.find((d) => d.userIds.includes(tokyo2.userId) && d.frame.t === 'memo.read');
    assert.equal(own?.exceptSession, tokyo2.sessionId, 'the reader’s other devices hear of it');
    assert.equal(own?.frame.readCount, undefined, 'how many read is the sender’s business');

    const receipts = await memos.receipts(boss, sent.id);
    assert.deepEqual(receipts, {
      memoId: sent.id,
      read: [
        { userId: tokyo2.userId, address: tokyo2.address, displayName: 'tokyo2', readAt: clock - 60_000 },
      ],
      unread: [{ userId: tokyo1.userId, address: tokyo1.address, displayName: 'tokyo1' }],
    });
    await assert.rejects(memos.receipts(tokyo1, sent.id), rejectsWith(ErrorCode.IM_MEMO_UNKNOWN));
    await assert.rejects(memos.read(dev, sent.id), rejectsWith(ErrorCode.IM_MEMO_UNKNOWN));
    await assert.rejects(memos.read(boss, 99_999_999), rejectsWith(ErrorCode.IM_MEMO_UNKNOWN));
    assert.equal((await memos.sent(boss)).memos[0]?.readCount, 1);
  });

  test('inbox and sent box come in pages, newest first, with the unread count', async () => {
    const { memos, people } = await setUp();
    const { boss, dev } = people;
    const ids: number[] = [];
    for (let i = 1; i <= 7; i++) {
      ids.push((await memos.send(boss, { subject: `#${i}`, body: 'b', to: { userIds: [dev.userId] } })).id);
    }
    await memos.read(dev, ids[6]!);
    const first = await memos.inbox(dev, { limit: 3 });
    assert.deepEqual(
      first.memos.map((m) => m.subject),
      ['#7', '#6', '#5'],
    );
    assert.deepEqual([first.hasMore, first.unread, first.memos[0]?.readAt !== null], [true, 6, true]);
    const rest = await memos.inbox(dev, { before: first.memos.at(-1)!.id, limit: 10 });
    assert.deepEqual(
      rest.memos.map((m) => m.subject),
      ['#4', '#3', '#2', '#1'],
    );
    assert.equal(rest.hasMore, false);
    const sent = await memos.sent(boss, { limit: 5 });
    assert.deepEqual([sent.memos.length, sent.hasMore, sent.memos[0]?.readCount], [5, true, 1]);
    await assert.rejects(memos.inbox(dev, { limit: 0 }), rejectsWith(ErrorCode.INVALID_INPUT));
  });

  test('targets and the rules: a named user must be messageable; a unit skips those who are not', async () => {
    const probe = await setUp();
    const { boss, tokyo1, tokyo2, osaka } = probe.people;
    const policy = hideFrom(boss.userId, [tokyo1.userId, tokyo2.userId]);
    const memos = new MemoService(messagingDeps(probe.services, { policy }).deps);
    await assert.rejects(
      memos.send(boss, { body: 'hi', to: { userIds: [tokyo1.userId] } }),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
    const sent = await memos.send(boss, { body: 'hi', to: { unitIds: [probe.unit('Sales')] } });
    const receipts = await memos.receipts(boss, sent.id);
    assert.ok(receipts.unread.every((p) => p.userId !== tokyo1.userId && p.userId !== tokyo2.userId));
    assert.ok(receipts.unread.some((p) => p.userId === osaka.userId));
    await assert.rejects(
      memos.send(boss, { body: 'hi', to: { unitIds: [probe.unit('Sales/Tokyo')] } }),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
    await assert.rejects(
      memos.send(boss, { body: 'hi', to: { unitIds: [probe.unit('Empty')] } }),
      rejectsWith(ErrorCode.INVALID_INPUT, /nobody/),
    );
    await assert.rejects(
      memos.send(boss, { body: 'hi', to: { unitIds: [99_999_999] } }),
      rejectsWith(ErrorCode.UNIT_UNKNOWN),
    );
    await assert.rejects(
      memos.send(boss, { body: 'hi', to: { userIds: [99_999_999] } }),
      rejectsWith(ErrorCode.USER_UNKNOWN),
    );
  });

  test('malformed memos are refused and send nothing', async () => {
    const { memos, people, delivery } = await setUp();
    const { boss, dev } = people;
    const to = { userIds: [dev.userId] };
    const cases: [Parameters<MemoService['send']>[1], RegExp][] = [
      [{ body: '  ', to }, /empty/],
      [{ body: 'x', subject: 'two\nlines', to }, /subject/],
      [{ body: 'x', subject: 's'.repeat(201), to }, /subject/],
      [{ body: 'x'.repeat(20_001), to }, /body/],
      [{ body: 'x', to: {} }, /to/],
      [{ body: 'x', to: { userIds: [0] } }, /userIds/],
    ];
    for (const [draft, pattern] of cases) {
      await assert.rejects(memos.send(boss, draft), rejectsWith(ErrorCode.INVALID_INPUT, pattern));
    }
    assert.equal(delivery.sent.length, 0);
  });

  test('recipients with no open session get a push; those online do not', async () => {
    const { memos, people, unit, push, online } = await setUp();
    const { boss, tokyo1, tokyo2 } = people;
    online.online.add(tokyo1.userId);
    await memos.send(boss, {
      subject: 'Lunch',
      body: 'Pizza in room 3',
      to: { unitIds: [unit('Sales/Tokyo')] },
    });
    assert.deepEqual(push.calls, [{ userIds: [tokyo2.userId], notification: push.calls[0]?.notification }]);
    assert.equal(push.calls[0]?.notification.title, 'Lunch');
  });

  test('attachments are attached to the memo in its transaction', async () => {
    const { memos, people, attachments } = await setUp();
    const { boss, dev } = people;
    const file = attachments.upload(boss.userId, 'slides.pdf');
    const sent = await memos.send(boss, {
      body: 'see slides',
      to: { userIds: [dev.userId] },
      attachments: [file],
    });
    assert.deepEqual(
      sent.attachments.map((a) => a.name),
      ['slides.pdf'],
    );
    assert.deepEqual(attachments.attached, [{ fileId: file, target: { memoId: sent.id } }]);
    const inbox = await memos.inbox(dev);
    assert.equal((inbox.memos[0] as InboxMemo).attachments[0]?.name, 'slides.pdf');
    const foreign = attachments.upload(dev.userId, 'not-yours.pdf');
    await assert.rejects(
      memos.send(boss, { body: 'x', to: { userIds: [dev.userId] }, attachments: [foreign] }),
      rejectsWith(ErrorCode.IM_FILE_UNKNOWN),
    );
    assert.equal((await memos.sent(boss)).memos.length, 1, 'the failed memo left nothing behind');
  });

  test('the audit log records memos sent and read; the text only when im.audit_content is keep', async () => {
    const { memos, people, services } = await setUp();
    const { boss, dev } = people;
    const quiet = await memos.send(boss, { subject: 'S', body: 'secret', to: { userIds: [dev.userId] } });
    await putSetting(context.store.db, AUDIT_CONTENT_SETTING, 'keep');
    let kept;
    try {
      kept = await memos.send(boss, { subject: 'K', body: 'kept', to: { userIds: [dev.userId] } });
    } finally {
      await putSetting(context.store.db, AUDIT_CONTENT_SETTING, 'none');
    }
    await memos.read(dev, quiet.id);
    const sends = await services.audit.query({ actor: boss.address, action: 'im.memo.send' });
    assert.deepEqual(
      sends.reverse().map((e) => [e.target, e.details.recipients, e.details.body]),
      [
        [`memo:${quiet.id}`, 1, undefined],
        [`memo:${kept.id}`, 1, 'kept'],
      ],
    );
    const reads = await services.audit.query({ actor: dev.address, action: 'im.memo.read' });
    assert.deepEqual(
      reads.map((e) => e.target),
      [`memo:${quiet.id}`],
    );
  });
});
