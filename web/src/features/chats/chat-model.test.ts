import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  EMPTY_TIMELINE,
  appendLive,
  compareEntries,
  conversationTitle,
  findIndexBySeq,
  mergeMessages,
  readBy,
  replaceMessage,
  unreadAfter,
  withReadSeq,
  type ConversationEntry,
} from './chat-model.ts';
import { conversation, message } from './test-fixtures.ts';

describe('chat model', () => {
  test('conversations sort by their latest activity, new ones by creation', () => {
    const entries: ConversationEntry[] = [
      { conversation: conversation(1, { lastMessageAt: 5000 }), unread: 0, lastMessage: undefined },
      { conversation: conversation(2, { createdAt: 9000 }), unread: 0, lastMessage: undefined },
      { conversation: conversation(3, { lastMessageAt: 7000 }), unread: 0, lastMessage: undefined },
    ];
    assert.deepEqual(
      entries.sort(compareEntries).map((e) => e.conversation.id),
      [2, 3, 1],
    );
  });

  test('a 1:1 is named after the other person, an untitled group after its other members', () => {
    assert.equal(conversationTitle(conversation(1, { kind: 'direct' }), 1), '田中 花子');
    assert.equal(conversationTitle(conversation(1, { title: 'ローンチ' }), 1), 'ローンチ');
    assert.equal(conversationTitle(conversation(1), 2), '山田 太郎');
    assert.equal(conversationTitle(conversation(1, { members: [] }), 1), '');
  });

  test('read markers only move forward, and "read by" counts the members past a message', () => {
    let c = withReadSeq(conversation(1), 2, 5);
    c = withReadSeq(c, 2, 3);
    assert.equal(c.members.find((m) => m.userId === 2)?.readSeq, 5);
    assert.equal(readBy(c, message(5, { senderId: 1 })), 1);
    assert.equal(readBy(c, message(6, { senderId: 1 })), 0);
    // The sender is not counted among the readers.
    assert.equal(readBy(withReadSeq(c, 1, 9), message(4, { senderId: 1 })), 1);
  });

  test('unread after my marker moved is counted from a timeline that covers it, else bounded', () => {
    const c = conversation(1, { lastSeq: 6 });
    const entry: ConversationEntry = { conversation: c, unread: 4, lastMessage: undefined };
    const timeline = {
      ...EMPTY_TIMELINE,
      messages: [message(3), message(4, { senderId: 1 }), message(5, { deletedAt: 1 }), message(6)],
    };
    assert.equal(unreadAfter(entry, 3, 1, timeline), 1);
    assert.equal(unreadAfter(entry, 6, 1, timeline), 0);
    assert.equal(unreadAfter(entry, 5, 1, undefined), 1);
    assert.equal(unreadAfter(entry, 1, 1, undefined), 4);
  });

  test('pages and events merge into one ascending run, the later state of a message winning', () => {
    const merged = mergeMessages(
      [message(3), message(4)],
      [message(2), message(3, { editedAt: 5, text: 'edited' }), message(1)],
    );
    assert.deepEqual(
      merged.map((m) => m.seq),
      [1, 2, 3, 4],
    );
    assert.equal(merged[2]?.text, 'edited');
    const kept = mergeMessages(merged, [message(3, { text: 'stale' })]);
    assert.equal(kept[2]?.text, 'edited', 'an older copy does not undo an edit');
    const deleted = mergeMessages([message(3, { deletedAt: 9, text: '' })], [message(3, { editedAt: 5 })]);
    assert.equal(deleted[0]?.deletedAt, 9, 'a deletion is never undone by an older edit');
    assert.equal(findIndexBySeq(merged, 3), 2);
    assert.equal(findIndexBySeq(merged, 9), -1);
  });

  test('a live message extends the timeline, and one after a gap asks for a reload', () => {
    const timeline = { ...EMPTY_TIMELINE, messages: [message(1), message(2)] };
    assert.deepEqual(
      appendLive(timeline, message(3))?.messages.map((m) => m.seq),
      [1, 2, 3],
    );
    assert.equal(appendLive(timeline, message(5)), null);
    assert.deepEqual(appendLive(timeline, message(2))?.messages.length, 2);
    const edited = replaceMessage(timeline, message(2, { editedAt: 3, text: 'new' }));
    assert.equal(edited.messages[1]?.text, 'new');
    assert.equal(replaceMessage(timeline, message(7, { editedAt: 3 })), timeline);
  });
});
