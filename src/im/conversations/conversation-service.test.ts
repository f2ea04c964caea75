import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ConversationEvent } from '../../protocol/im/conversations.ts';
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
import { ConversationService } from './conversation-service.ts';
import { MessageService } from './message-service.ts';

describeOnEachDatabase('conversations', (context) => {
  async function setUp(options: { policy?: VisibilityPolicy } = {}) {
    const services = servicesOver(context.store);
    const people = await createPeople(services, uniquePrefix('conv'), ['ann', 'ben', 'cat', 'dan']);
    const t = messagingDeps(services, options);
    return {
      ...t,
      people,
      conversations: new ConversationService(t.deps),
      messages: new MessageService(t.deps),
    };
  }

  test('a 1:1 exists once per pair: asking again, from either side, returns the same one', async () => {
    const { conversations, people, delivery } = await setUp();
    const { ann, ben } = people;
    const first = await conversations.createDirect(ann, ben.userId);
    assert.equal(first.kind, 'direct');
    assert.deepEqual(
      first.members.map((m) => m.address),
      [ann.address, ben.address],
    );
    assert.equal((await conversations.createDirect(ann, ben.userId)).id, first.id);
    assert.equal((await conversations.createDirect(ben, ann.userId)).id, first.id);
    // Only the first one was news for ben.
    assert.equal(delivery.to(ben.userId, 'conversation').length, 1);
  });

  test('two people starting the same 1:1 at once get one conversation', async () => {
    const { conversations, people } = await setUp();
    const { cat, dan } = people;
    const results = await Promise.all([
      conversations.createDirect(cat, dan.userId),
      conversations.createDirect(dan, cat.userId),
      conversations.createDirect(cat, dan.userId),
    ]);
    assert.equal(new Set(results.map((c) => c.id)).size, 1);
    assert.equal((await conversations.list(cat)).filter((c) => c.kind === 'direct').length, 1);
  });

  test('a 1:1 with oneself or an unknown user is refused', async () => {
    const { conversations, people } = await setUp();
    await assert.rejects(
      conversations.createDirect(people.ann, people.ann.userId),
      rejectsWith(ErrorCode.INVALID_INPUT),
    );
    await assert.rejects(
      conversations.createDirect(people.ann, 99_999_999),
      rejectsWith(ErrorCode.USER_UNKNOWN),
    );
    await assert.rejects(conversations.createDirect(people.ann, -1), rejectsWith(ErrorCode.INVALID_INPUT));
  });

  test('a group: any member renames and adds, only the owner removes, a leaving owner hands over', async () => {
    const { conversations, messages, people, delivery } = await setUp();
    const { ann, ben, cat, dan } = people;
    const group = await conversations.createGroup(ann, '  Launch  ', [ben.userId, cat.userId, ann.userId]);
    assert.equal(group.title, 'Launch');
    assert.equal(group.ownerId, ann.userId);
    assert.deepEqual(
      group.members.map((m) => m.userId),
      [ann.userId, ben.userId, cat.userId],
    );

    const renamed = await conversations.rename(ben, group.id, 'Launch 2');
    assert.equal(renamed.title, 'Launch 2');
    const added = await conversations.addMembers(cat, group.id, [dan.userId, ben.userId]);
    assert.equal(added.members.length, 4);
    const addEvent = delivery.to(dan.userId, 'conversation').at(-1) as unknown as ConversationEvent;
    assert.equal(addEvent.change, 'added');
    assert.deepEqual(addEvent.userIds, [dan.userId]);

    await assert.rejects(
      conversations.removeMembers(ben, group.id, [dan.userId]),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED, /owner/),
    );
    await assert.rejects(
      conversations.removeMembers(ann, group.id, [ann.userId]),
      rejectsWith(ErrorCode.INVALID_INPUT, /leave/),
    );
    const afterRemove = await conversations.removeMembers(ann, group.id, [dan.userId]);
    assert.deepEqual(
      afterRemove.members.map((m) => m.userId),
      [ann.userId, ben.userId, cat.userId],
    );
    // The removed member hears of it, and is out: no history, no sending.
    const removedEvent = delivery.to(dan.userId, 'conversation').at(-1) as unknown as ConversationEvent;
    assert.equal(removedEvent.change, 'removed');
    await assert.rejects(messages.history(dan, group.id), rejectsWith(ErrorCode.IM_CONVERSATION_UNKNOWN));
    await assert.rejects(
      messages.send(dan, { conversationId: group.id, text: 'hello?' }),
      rejectsWith(ErrorCode.IM_CONVERSATION_UNKNOWN),
    );

    await conversations.leave(ann, group.id);
    const seenByBen = await conversations.get(ben, group.id);
    assert.equal(seenByBen.ownerId, ben.userId, 'the member who joined earliest becomes owner');
    await conversations.removeMembers(ben, group.id, [cat.userId]);
    await conversations.leave(ben, group.id);
    await assert.rejects(conversations.get(ben, group.id), rejectsWith(ErrorCode.IM_CONVERSATION_UNKNOWN));
    assert.ok(!(await conversations.list(ann)).some((c) => c.id === group.id));
  });

  test('a former member added back sees the conversation again', async () => {
    const { conversations, people } = await setUp();
    const { ann, ben } = people;
    const group = await conversations.createGroup(ann, 'Back', [ben.userId]);
    await conversations.leave(ben, group.id);
    await conversations.addMembers(ann, group.id, [ben.userId]);
    assert.equal((await conversations.get(ben, group.id)).id, group.id);
  });

  test('a 1:1 has fixed members and no title', async () => {
    const { conversations, people } = await setUp();
    const { ann, ben, cat } = people;
    const direct = await conversations.createDirect(ann, ben.userId);
    await assert.rejects(conversations.rename(ann, direct.id, 'x'), rejectsWith(ErrorCode.INVALID_INPUT));
    await assert.rejects(
      conversations.addMembers(ann, direct.id, [cat.userId]),
      rejectsWith(ErrorCode.INVALID_INPUT),
    );
    await assert.rejects(conversations.leave(ann, direct.id), rejectsWith(ErrorCode.INVALID_INPUT));
  });

  test('outsiders and unknown ids get IM_CONVERSATION_UNKNOWN alike', async () => {
    const { conversations, people } = await setUp();
    const { ann, ben, cat } = people;
    const group = await conversations.createGroup(ann, 'Private', [ben.userId]);
    for (const attempt of [
      () => conversations.get(cat, group.id),
      () => conversations.rename(cat, group.id, 'Mine'),
      () => conversations.addMembers(cat, group.id, [cat.userId]),
      () => conversations.get(cat, 99_999_999),
    ]) {
      await assert.rejects(attempt(), rejectsWith(ErrorCode.IM_CONVERSATION_UNKNOWN));
    }
  });

  test('the visibility policy is asked when starting a chat and adding a member', async () => {
    const probe = await setUp();
    const { ann, ben, cat } = probe.people;
    const policy = hideFrom(ann.userId, [cat.userId]);
    const { conversations } = await setUpWith(policy, probe);
    await assert.rejects(conversations.createDirect(ann, cat.userId), rejectsWith(ErrorCode.IM_NOT_ALLOWED));
    await assert.rejects(
      conversations.createGroup(ann, 'Team', [ben.userId, cat.userId]),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
    const group = await conversations.createGroup(ann, 'Team', [ben.userId]);
    await assert.rejects(
      conversations.addMembers(ann, group.id, [cat.userId]),
      rejectsWith(ErrorCode.IM_NOT_ALLOWED),
    );
    // Ben may message cat, so ben may add cat.
    await conversations.addMembers(ben, group.id, [cat.userId]);
    assert.ok(policy.asked >= 4);
  });

  test('a title over 200 characters is refused', async () => {
    const { conversations, people } = await setUp();
    await assert.rejects(
      conversations.createGroup(people.ann, 'x'.repeat(201), []),
      rejectsWith(ErrorCode.INVALID_INPUT, /title/),
    );
  });

  /** The same people and store, with another policy. */
  async function setUpWith(policy: VisibilityPolicy, base: Awaited<ReturnType<typeof setUp>>) {
    const t = messagingDeps(base.deps.services, { policy });
    return { ...t, conversations: new ConversationService(t.deps), messages: new MessageService(t.deps) };
  }
});
