import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ServerFrame } from '../../protocol/im/frames.ts';
import type { InboxMemo } from '../../protocol/im/memos.ts';
import {
  createPeople,
  messagingDeps,
  rejectsWith,
  uniquePrefix,
} from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import type { ImActor } from '../conversations/deps.ts';
import type { ImSession } from '../types.ts';
import { MemoService } from './memo-service.ts';
import { MemoSync } from './memo-sync.ts';

function sessionOf(actor: ImActor): ImSession {
  return {
    id: 'sync',
    userId: actor.userId,
    address: actor.address,
    deviceId: 1,
    deviceKind: 'mobile',
    deviceName: 'phone',
    remote: '192.0.2.7',
  };
}

/** `memo:inbox:Subject:read|unread`, `memo:sent:Subject:readCount`, `memo.read:userId`. */
function describeFrames(frames: readonly ServerFrame[], names: Map<number, string>): string[] {
  return frames.map((frame) => {
    if (frame.t === 'memo.read') return `memo.read:${names.get(frame.userId as number)}`;
    if (frame.t !== 'memo') return frame.t;
    const memo = frame.memo as InboxMemo & { readCount?: number };
    return frame.box === 'inbox'
      ? `memo:inbox:${memo.subject}:${memo.readAt === null ? 'unread' : 'read'}`
      : `memo:sent:${memo.subject}:${memo.readCount}`;
  });
}

describeOnEachDatabase('memo sync', (context) => {
  async function setUp() {
    const services = servicesOver(context.store);
    const people = await createPeople(services, uniquePrefix('msync'), ['ann', 'ben', 'cat']);
    const names = new Map(Object.entries(people).map(([name, actor]) => [actor.userId, name]));
    return {
      people,
      names,
      memos: new MemoService(messagingDeps(services).deps),
      sync: new MemoSync(context.store.db),
    };
  }

  test('without a cursor nothing old comes; with one, exactly what changed since', async () => {
    const { people, names, memos, sync } = await setUp();
    const { ann, ben, cat } = people;
    const old = await memos.send(ann, { subject: 'Old', body: 'x', to: { userIds: [ben.userId] } });
    const start = await sync.sync(sessionOf(ann), undefined);
    assert.deepEqual(start.frames, []);
    const benStart = await sync.sync(sessionOf(ben), undefined);

    const fresh = await memos.send(ann, {
      subject: 'New',
      body: 'y',
      to: { userIds: [ben.userId, cat.userId] },
    });
    await memos.read(ben, old.id);
    await memos.read(cat, fresh.id);
    await memos.send(cat, { subject: 'To Ann', body: 'z', to: { userIds: [ann.userId] } });

    const annMissed = await sync.sync(sessionOf(ann), start.cursor);
    assert.deepEqual(describeFrames(annMissed.frames, names), [
      'memo:sent:New:1',
      'memo.read:ben',
      'memo.read:cat',
      'memo:inbox:To Ann:unread',
    ]);
    const benMissed = await sync.sync(sessionOf(ben), benStart.cursor);
    assert.deepEqual(describeFrames(benMissed.frames, names), [
      'memo:inbox:New:unread',
      'memo:inbox:Old:read',
    ]);

    assert.deepEqual((await sync.sync(sessionOf(ann), annMissed.cursor)).frames, []);
    assert.deepEqual((await sync.sync(sessionOf(ben), benMissed.cursor)).frames, []);
  });

  test('past the frame limit the cursor stops at the last frame and memo.more asks for the rest', async () => {
    const { people, memos, sync } = await setUp();
    const { ann, ben } = people;
    const start = await sync.sync(sessionOf(ben), undefined);
    for (let i = 1; i <= 502; i++)
      await memos.send(ann, { subject: `#${i}`, body: 'x', to: { userIds: [ben.userId] } });
    const first = await sync.sync(sessionOf(ben), start.cursor);
    assert.equal(first.frames.length, 501);
    assert.equal(first.frames.at(-1)?.t, 'memo.more');
    const second = await sync.sync(sessionOf(ben), first.cursor);
    const subjects = [...first.frames, ...second.frames]
      .filter((f) => f.t === 'memo')
      .map((f) => (f.memo as InboxMemo).subject);
    assert.deepEqual(
      subjects,
      Array.from({ length: 502 }, (_, i) => `#${i + 1}`),
    );
    assert.ok(!second.frames.some((f) => f.t === 'memo.more'));
  });

  test('concurrent memos to overlapping people neither deadlock nor slip past a sync', async () => {
    const { people, memos, sync } = await setUp();
    const { ann, ben, cat } = people;
    let cursor = (await sync.sync(sessionOf(cat), undefined)).cursor;
    const seen = new Map<number, number>();
    const collect = (frames: ServerFrame[]) => {
      for (const frame of frames) {
        if (frame.t !== 'memo') continue;
        const id = (frame.memo as InboxMemo).id;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
    };
    let writing = true;
    const reader = (async () => {
      while (writing) {
        // Like a client's sync frames, each read comes in its own turn of the event loop.
        await new Promise((resolve) => setImmediate(resolve));
        const result = await sync.sync(sessionOf(cat), cursor);
        collect(result.frames);
        cursor = result.cursor;
      }
    })();
    const sends = Array.from({ length: 30 }, (_, i) =>
      memos.send(i % 2 === 0 ? ann : ben, {
        body: `m${i}`,
        to: { userIds: i % 2 === 0 ? [cat.userId, ben.userId] : [ann.userId, cat.userId] },
      }),
    );
    await Promise.all(sends);
    writing = false;
    await reader;
    collect((await sync.sync(sessionOf(cat), cursor)).frames);
    assert.equal(seen.size, 30);
    assert.ok([...seen.values()].every((n) => n === 1));
  });

  test('a cursor this server did not give is refused with INVALID_INPUT', async () => {
    const { people, sync } = await setUp();
    for (const bad of [7, { seq: -1 }, { seq: 'x' }, { conversations: {} }]) {
      await assert.rejects(sync.sync(sessionOf(people.ann), bad), rejectsWith(ErrorCode.INVALID_INPUT));
    }
  });
});
