import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Conversation, ConversationEvent, Message } from '../../protocol/im/conversations.ts';
import type { ServerFrame } from '../../protocol/im/frames.ts';
import {
  createPeople,
  messagingDeps,
  rejectsWith,
  uniquePrefix,
} from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import type { ImActor } from './deps.ts';
import type { ImSession } from '../types.ts';
import { ConversationService } from './conversation-service.ts';
import { ConversationSync } from './conversation-sync.ts';
import { MessageService } from './message-service.ts';

function sessionOf(actor: ImActor): ImSession {
  return {
    id: 'sync-session',
    userId: actor.userId,
    address: actor.address,
    deviceId: 1,
    deviceKind: 'desktop',
    deviceName: 'test',
    remote: '192.0.2.7',
  };
}

/** Frames in a compact form: `message:3`, `message.edited:1`, `conversation:synced:Title`. */
function describe(frames: readonly ServerFrame[]): string[] {
  return frames.map((frame) => {
    if (frame.t === 'conversation') {
      const event = frame as unknown as ConversationEvent;
      return `conversation:${event.change}:${event.conversation.title}`;
    }
    return `${frame.t}:${(frame.message as Message).seq}`;
  });
}

describeOnEachDatabase('conversation sync', (context) => {
  async function setUp() {
    const services = servicesOver(context.store);
    const people = await createPeople(services, uniquePrefix('sync'), ['ann', 'ben', 'cat']);
    const { deps } = messagingDeps(services);
    return {
      people,
      conversations: new ConversationService(deps),
      messages: new MessageService(deps),
      sync: new ConversationSync(context.store.db),
    };
  }

  test('without a cursor nothing old is sent; the cursor it gets syncs from now', async () => {
    const { people, conversations, messages, sync } = await setUp();
    const { ann, ben } = people;
    const group = await conversations.createGroup(ann, 'Old news', [ben.userId]);
    await messages.send(ann, { conversationId: group.id, text: 'old' });
    const first = await sync.sync(sessionOf(ben), undefined);
    assert.deepEqual(first.frames, []);
    const again = await sync.sync(sessionOf(ben), first.cursor);
    assert.deepEqual(again.frames, [], 'nothing changed since');
  });

  test('a reconnecting client gets exactly what it missed: messages, edits, deletions, markers, titles, membership', async () => {
    const { people, conversations, messages, sync } = await setUp();
    const { ann, ben, cat } = people;
    const quiet = await conversations.createGroup(ann, 'Quiet', [ben.userId]);
    const busy = await conversations.createGroup(ann, 'Busy', [ben.userId, cat.userId]);
    const leaving = await conversations.createGroup(ann, 'Leaving', [ben.userId]);
    const m1 = await messages.send(ann, { conversationId: busy.id, text: 'one' });
    const m2 = await messages.send(ann, { conversationId: busy.id, text: 'two' });
    await messages.send(ann, { conversationId: quiet.id, text: 'quiet' });
    const { cursor } = await sync.sync(sessionOf(ben), undefined);

    // Ben is away while this happens.
    await messages.edit(ann, busy.id, m1.seq, 'one, edited');
    await messages.delete(ann, busy.id, m2.seq);
    const m3 = await messages.send(cat, { conversationId: busy.id, text: 'three' });
    const m4 = await messages.send(ann, { conversationId: busy.id, text: 'four' });
    await messages.edit(ann, busy.id, m4.seq, 'four, edited');
    await messages.read(cat, busy.id, m3.seq);
    await conversations.rename(cat, busy.id, 'Busier');
    const fresh = await conversations.createGroup(cat, 'Fresh', [ben.userId]);
    await messages.send(cat, { conversationId: fresh.id, text: 'welcome' });
    await conversations.removeMembers(ann, leaving.id, [ben.userId]);

    const missed = await sync.sync(sessionOf(ben), cursor);
    assert.deepEqual(describe(missed.frames), [
      'conversation:removed:Leaving',
      'conversation:synced:Busier',
      'message.edited:1',
      'message.deleted:2',
      'message:3',
      'message:4',
      'conversation:synced:Fresh',
      'message:1',
    ]);
    const busyFrame = missed.frames[1] as unknown as ConversationEvent;
    const busyState: Conversation = busyFrame.conversation;
    assert.equal(busyState.unread, 3, 'one (edited), three and four');
    assert.equal(busyState.members.find((m) => m.userId === cat.userId)?.readSeq, m3.seq);
    const four = missed.frames[5]?.message as Message;
    assert.equal(four.text, 'four, edited', 'a message sent and edited since comes once, as it is now');
    assert.deepEqual(
      Object.keys((missed.cursor as { conversations: object }).conversations).sort(),
      [String(quiet.id), String(busy.id), String(fresh.id)].sort(),
    );

    const caughtUp = await sync.sync(sessionOf(ben), missed.cursor);
    assert.deepEqual(caughtUp.frames, []);
  });

  test('concurrent writers: successive syncs together miss no message and repeat none', async () => {
    const { people, conversations, messages, sync } = await setUp();
    const { ann, ben, cat } = people;
    const groups = await Promise.all([
      conversations.createGroup(ann, 'A', [ben.userId, cat.userId]),
      conversations.createGroup(cat, 'B', [ben.userId, ann.userId]),
    ]);
    let cursor = (await sync.sync(sessionOf(ben), undefined)).cursor;
    const received = new Map<string, number>();
    let writing = true;
    const reader = (async () => {
      while (writing) {
        // Like a client's sync frames, each read comes in its own turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        const result = await sync.sync(sessionOf(ben), cursor);
        for (const frame of result.frames) {
          if (frame.t !== 'message') continue;
          const message = frame.message as Message;
          const key = `${message.conversationId}:${message.seq}`;
          received.set(key, (received.get(key) ?? 0) + 1);
        }
        cursor = result.cursor;
      }
    })();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 40; i++) {
      const group = groups[i % 2]!;
      writes.push(messages.send(i % 3 === 0 ? cat : ann, { conversationId: group.id, text: `w${i}` }));
    }
    await Promise.all(writes);
    writing = false;
    await reader;
    const last = await sync.sync(sessionOf(ben), cursor);
    for (const frame of last.frames) {
      if (frame.t !== 'message') continue;
      const message = frame.message as Message;
      const key = `${message.conversationId}:${message.seq}`;
      received.set(key, (received.get(key) ?? 0) + 1);
    }
    assert.equal(received.size, 40, 'every message arrived');
    assert.ok(
      [...received.values()].every((n) => n === 1),
      'none twice',
    );
  });

  test('more missed messages than one sync sends: the newest, and the conversation says truncated', async () => {
    const { people, conversations, messages, sync } = await setUp();
    const { ann, ben } = people;
    const group = await conversations.createGroup(ann, 'Chatty', [ben.userId]);
    const { cursor } = await sync.sync(sessionOf(ben), undefined);
    for (let i = 1; i <= 205; i++) await messages.send(ann, { conversationId: group.id, text: `#${i}` });
    const { frames } = await sync.sync(sessionOf(ben), cursor);
    assert.equal((frames[0] as unknown as ConversationEvent).truncated, true);
    assert.equal(frames.length, 201);
    assert.deepEqual([(frames[1]?.message as Message).seq, (frames[200]?.message as Message).seq], [6, 205]);
  });

  test('a cursor this server did not give is refused with INVALID_INPUT', async () => {
    const { people, sync } = await setUp();
    for (const bad of [
      42,
      'x',
      { conversations: { abc: 1 } },
      { conversations: { 1: -1 } },
      { conversations: [] },
    ]) {
      await assert.rejects(sync.sync(sessionOf(people.ann), bad), rejectsWith(ErrorCode.INVALID_INPUT));
    }
  });
});
