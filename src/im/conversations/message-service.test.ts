import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Message } from '../../protocol/im/conversations.ts';
import { CLI_ACTOR } from '../../directory/types.ts';
import { AdminSettings } from '../../settings/admin-settings.ts';
import { putSetting } from '../../store/settings.ts';
import {
  createPeople,
  messagingDeps,
  rejectsWith,
  uniquePrefix,
} from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import type { VisibilityPolicy } from '../types.ts';
import { AUDIT_CONTENT_SETTING } from './audit-content.ts';
import { ConversationService } from './conversation-service.ts';
import { MessageService } from './message-service.ts';

describeOnEachDatabase('messages', (context) => {
  async function setUp(options: { policy?: VisibilityPolicy; now?: () => number } = {}) {
    const services = servicesOver(context.store);
    const people = await createPeople(services, uniquePrefix('msg'), ['ann', 'ben', 'cat']);
    const t = messagingDeps(services, options);
    const conversations = new ConversationService(t.deps);
    const { ann, ben, cat } = people;
    const group = await conversations.createGroup(ann, 'Group', [ben.userId, cat.userId]);
    const direct = await conversations.createDirect(ann, ben.userId);
    t.delivery.clear();
    return { ...t, services, people, conversations, messages: new MessageService(t.deps), group, direct };
  }

  test('concurrent sends get gap-free seqs 1..n in one conversation', async () => {
    const { messages, people, group } = await setUp();
    const senders = [people.ann, people.ben, people.cat];
    const sent = await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        messages.send(senders[i % 3]!, { conversationId: group.id, text: `message ${i}` }),
      ),
    );
    assert.deepEqual(
      sent.map((m) => m.seq).sort((a, b) => a - b),
      Array.from({ length: 45 }, (_, i) => i + 1),
    );
    const history = await messages.history(people.ann, group.id, { limit: 200 });
    assert.equal(history.messages.length, 45);
    assert.equal(history.messages[0]?.seq, 45);
  });

  test('the same clientId from the same sender sends once, even when retried at once', async () => {
    const { messages, people, group, delivery } = await setUp();
    const { ann, ben } = people;
    const first = await messages.send(ann, { conversationId: group.id, text: 'once', clientId: 'c-1' });
    const again = await messages.send(ann, { conversationId: group.id, text: 'once', clientId: 'c-1' });
    assert.deepEqual(again, first);
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        messages.send(ann, { conversationId: group.id, text: 'race', clientId: 'c-2' }),
      ),
    );
    assert.equal(new Set(racing.map((m) => m.id)).size, 1);
    // Another sender's clientId is theirs.
    const bens = await messages.send(ben, { conversationId: group.id, text: 'mine', clientId: 'c-1' });
    assert.notEqual(bens.id, first.id);
    assert.equal((await messages.history(ann, group.id)).messages.length, 3);
    const fromAnn = delivery
      .to(ben.userId, 'message')
      .filter((f) => (f.message as Message).senderId === ann.userId);
    assert.equal(fromAnn.length, 2, 'ben heard each of ann’s messages once');
  });

  test('only the sender edits and deletes; a deleted message stays as a tombstone', async () => {
    const { messages, people, group, delivery } = await setUp();
    const { ann, ben } = people;
    const sent = await messages.send(ann, { conversationId: group.id, text: 'draft' });
    await assert.rejects(
      messages.edit(ben, group.id, sent.seq, 'hacked'),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
    await assert.rejects(messages.delete(ben, group.id, sent.seq), rejectsWith(ErrorCode.IM_NOT_ALLOWED));
    await assert.rejects(messages.edit(ann, group.id, 999, 'x'), rejectsWith(ErrorCode.IM_MESSAGE_UNKNOWN));

    const edited = await messages.edit(ann, group.id, sent.seq, 'final');
    assert.equal(edited.text, 'final');
    assert.ok(edited.editedAt !== null);
    assert.equal((delivery.to(ben.userId, 'message.edited')[0]?.message as Message).text, 'final');

    const deleted = await messages.delete(ann, group.id, sent.seq);
    assert.equal(deleted.text, '');
    assert.ok(deleted.deletedAt !== null);
    assert.equal(deleted.seq, sent.seq);
    assert.deepEqual(
      await messages.delete(ann, group.id, sent.seq),
      deleted,
      'deleting twice changes nothing',
    );
    assert.equal(delivery.to(ben.userId, 'message.deleted').length, 1);
    await assert.rejects(
      messages.edit(ann, group.id, sent.seq, 'undo'),
      rejectsWith(ErrorCode.IM_MESSAGE_UNKNOWN),
    );
    const [tombstone] = (await messages.history(ben, group.id)).messages;
    assert.equal(tombstone?.deletedAt, deleted.deletedAt);
    assert.equal(tombstone?.text, '');
  });

  test('read markers only move forward; unread counts what others sent after them', async () => {
    const { messages, conversations, people, group, delivery } = await setUp();
    const { ann, ben, cat } = people;
    for (let i = 0; i < 5; i++) await messages.send(ann, { conversationId: group.id, text: `n${i}` });
    await messages.send(ben, { conversationId: group.id, text: 'ben speaks' });
    const unreadOf = async (who: typeof ann) =>
      (await conversations.list(who)).find((c) => c.id === group.id)?.unread;
    assert.equal(await unreadOf(cat), 6);
    assert.equal(await unreadOf(ben), 0, 'sending reads everything before');
    assert.equal(await unreadOf(ann), 1);

    assert.deepEqual(await messages.read(cat, group.id, 4), { readSeq: 4, unread: 2 });
    assert.deepEqual(await messages.read(cat, group.id, 2), { readSeq: 4, unread: 2 }, 'never back');
    const readEvents = delivery.to(ann.userId, 'read');
    assert.deepEqual(readEvents, [{ t: 'read', conversationId: group.id, userId: cat.userId, seq: 4 }]);
    await messages.delete(ann, group.id, 5);
    assert.equal(await unreadOf(cat), 1, 'a deleted message is not unread');
    assert.deepEqual(
      await messages.read(cat, group.id, 1_000),
      { readSeq: 6, unread: 0 },
      'capped at the newest',
    );
    const marker = (await conversations.get(ann, group.id)).members.find((m) => m.userId === cat.userId);
    assert.equal(marker?.readSeq, 6);
  });

  test('history comes in pages, newest first', async () => {
    const { messages, people, group } = await setUp();
    for (let i = 1; i <= 120; i++)
      await messages.send(people.ann, { conversationId: group.id, text: `#${i}` });
    const first = await messages.history(people.ben, group.id);
    assert.equal(first.messages.length, 50);
    assert.deepEqual([first.messages[0]?.seq, first.messages.at(-1)?.seq, first.hasMore], [120, 71, true]);
    const second = await messages.history(people.ben, group.id, { before: 71, limit: 50 });
    assert.deepEqual([second.messages[0]?.seq, second.messages.at(-1)?.seq, second.hasMore], [70, 21, true]);
    const last = await messages.history(people.ben, group.id, { before: 21, limit: 50 });
    assert.deepEqual([last.messages.length, last.messages[0]?.seq, last.hasMore], [20, 20, false]);
    await assert.rejects(
      messages.history(people.ben, group.id, { limit: 201 }),
      rejectsWith(ErrorCode.INVALID_INPUT, /limit/),
    );
  });

  test('mentions notify members only, and push those who are offline', async () => {
    const { messages, people, group, delivery, push, online } = await setUp();
    const { ann, ben, cat } = people;
    online.online.add(ben.userId);
    const sent = await messages.send(ann, {
      conversationId: group.id,
      text: `hi @${ben.address.toUpperCase()} and @nobody@example.com, see ${cat.address}`,
      mentions: [cat.userId, 99_999],
    });
    assert.deepEqual([...sent.mentions].sort(), [ben.userId, cat.userId].sort());
    assert.equal(delivery.to(ben.userId, 'mention').length, 1);
    assert.equal(delivery.to(cat.userId, 'mention').length, 1);
    assert.equal(delivery.to(ann.userId, 'mention').length, 0);
    assert.deepEqual(push.pushedUsers, [cat.userId]);
    assert.match(push.calls[0]?.notification.title ?? '', /mentioned you/);
  });

  test('a 1:1 message pushes the other when offline; a group message without mention pushes nobody', async () => {
    const { messages, people, group, direct, push, online } = await setUp();
    const { ann, ben } = people;
    await messages.send(ann, { conversationId: group.id, text: 'to all' });
    assert.equal(push.calls.length, 0);
    online.online.add(ben.userId);
    await messages.send(ann, { conversationId: direct.id, text: 'you there?' });
    assert.equal(push.calls.length, 0, 'online: the session shows it');
    online.online.delete(ben.userId);
    await messages.send(ann, { conversationId: direct.id, text: 'call me' });
    assert.deepEqual(push.calls, [{ userIds: [ben.userId], notification: push.calls[0]?.notification }]);
    assert.equal(push.calls[0]?.notification.body, 'call me');
  });

  test('events go to the members but not to the sending session; nothing is sent for a refused message', async () => {
    const { messages, people, group, delivery } = await setUp();
    const { ann, cat } = people;
    await messages.send(ann, { conversationId: group.id, text: 'hello' });
    assert.equal(delivery.sent.length, 1);
    assert.equal(delivery.sent[0]?.exceptSession, ann.sessionId);
    assert.equal(delivery.sent[0]?.userIds.length, 3);
    delivery.clear();
    await assert.rejects(
      messages.send(cat, { conversationId: group.id, text: 'x'.repeat(10_001) }),
      rejectsWith(ErrorCode.INVALID_INPUT, /10000/),
    );
    await assert.rejects(
      messages.send(cat, { conversationId: group.id, text: '   ' }),
      rejectsWith(ErrorCode.INVALID_INPUT, /empty/),
    );
    await assert.rejects(
      messages.send(cat, { conversationId: group.id, text: 'bell\u0007' }),
      rejectsWith(ErrorCode.INVALID_INPUT, /control/),
    );
    assert.equal(delivery.sent.length, 0);
    assert.equal((await messages.history(ann, group.id)).messages.length, 1);
  });

  test('typing goes to the other members only, at most once per interval', async () => {
    let clock = 1_000_000;
    const { messages, people, group, delivery } = await setUp({ now: () => clock });
    const { ann, ben } = people;
    assert.deepEqual(await messages.typing(ann, group.id), { sent: true });
    assert.deepEqual(await messages.typing(ann, group.id), { sent: false });
    clock += 3_000;
    assert.deepEqual(await messages.typing(ann, group.id), { sent: true });
    const typing = delivery.sent.filter((d) => d.frame.t === 'typing');
    assert.equal(typing.length, 2);
    assert.ok(typing.every((d) => !d.userIds.includes(ann.userId) && d.userIds.includes(ben.userId)));
  });

  test('attachments are the sender’s own uploads; a foreign file sends nothing', async () => {
    const { messages, people, group, attachments } = await setUp();
    const { ann, ben } = people;
    const mine = attachments.upload(ann.userId, 'plan.pdf');
    const sent = await messages.send(ann, { conversationId: group.id, text: '', attachments: [mine] });
    assert.deepEqual(
      sent.attachments.map((a) => a.name),
      ['plan.pdf'],
    );
    assert.deepEqual(attachments.attached, [{ fileId: mine, target: { conversationId: group.id } }]);
    const bens = attachments.upload(ben.userId, 'secret.pdf');
    await assert.rejects(
      messages.send(ann, { conversationId: group.id, text: 'look', attachments: [bens] }),
      rejectsWith(ErrorCode.IM_FILE_UNKNOWN),
    );
    assert.equal((await messages.history(ann, group.id)).messages.length, 1);
  });

  test('a 1:1 with someone the rules no longer allow refuses new messages', async () => {
    const { services, people, direct } = await setUp();
    const { ann, ben } = people;
    let allowed = true;
    const policy: VisibilityPolicy = {
      canSee: async () => true,
      canMessage: async () => allowed,
      visibleAmong: async (_v, targets) => new Set(targets),
      messageableAmong: async (_s, targets) => new Set(allowed ? targets : []),
    };
    const messages = new MessageService(messagingDeps(services, { policy }).deps);
    await messages.send(ann, { conversationId: direct.id, text: 'before' });
    allowed = false;
    await assert.rejects(
      messages.send(ann, { conversationId: direct.id, text: 'after' }),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
    await assert.rejects(
      messages.send(ben, { conversationId: direct.id, text: 'reply' }),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
  });

  test('the audit log has every message’s metadata, and its text only when im.audit_content is keep', async () => {
    const { services, messages, people, group } = await setUp();
    const { ann } = people;
    const quiet = await messages.send(ann, { conversationId: group.id, text: 'confidential' });
    // As an administrator sets it (coo settings set im.audit-content keep).
    const settings = new AdminSettings({ store: context.store, audit: services.audit });
    await settings.set('im.audit-content', 'keep', CLI_ACTOR);
    try {
      const kept = await messages.send(ann, { conversationId: group.id, text: 'on the record' });
      await messages.edit(ann, group.id, kept.seq, 'on the record, edited');
      await messages.delete(ann, group.id, quiet.seq);
    } finally {
      await putSetting(context.store.db, AUDIT_CONTENT_SETTING, 'none');
    }
    const entries = await services.audit.query({ actor: ann.address, action: 'im.message.' });
    const byAction = entries.reverse().map((e) => [e.action, e.details.seq, e.details.text]);
    assert.deepEqual(byAction, [
      ['im.message.send', quiet.seq, undefined],
      ['im.message.send', quiet.seq + 1, 'on the record'],
      ['im.message.edit', quiet.seq + 1, 'on the record, edited'],
      ['im.message.delete', quiet.seq, undefined],
    ]);
    const first = entries[0]!;
    assert.equal(first.target, `conversation:${group.id}`);
    assert.deepEqual(
      [first.details.conversation, first.details.sender, first.details.bytes],
      [group.id, ann.userId, 12],
    );
  });
});
