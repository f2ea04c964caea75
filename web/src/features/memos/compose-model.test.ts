/// <reference types="node" />

import assert from 'node:assert/strict';

import { describe, test } from 'node:test';
import type { DirectoryUnit } from '../../../../src/protocol/im/directory.ts';
import {
  addRecipient,
  addUnit,
  ancestorIds,
  coveredBy,
  draftKey,
  draftProblems,
  emptyDraft,
  loadDraft,
  oneLine,
  removeRecipient,
  saveDraft,
  sendErrorKey,
  targetsOf,
  type Draft,
  type Recipient,
  type StorageLike,
} from './compose-model.ts';
import { parseMemoRoute } from './memo-route.ts';

function memoryStorage(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function unit(id: number, name: string, children: DirectoryUnit[] = [], totalMembers = 1): DirectoryUnit {
  return { id, name, members: 1, online: 0, totalMembers, totalOnline: 0, children };
}

const tree = [
  unit(1, '営業部', [unit(2, '東京', [unit(5, '一課')]), unit(3, '大阪')], 4),
  unit(4, 'Engineering'),
];
const hanako: Recipient = { kind: 'user', id: 12, name: '田中 花子', address: 'tanaka@example.com' };

describe('compose model', () => {
  test('a draft survives a round trip through storage, per user, and an empty one is forgotten', () => {
    const storage = memoryStorage();
    const draft: Draft = { subject: '会議', body: '金曜 15時', recipients: [hanako] };
    assert.equal(saveDraft(storage, 42, draft), true);
    assert.deepEqual(loadDraft(storage, 42), draft);
    assert.deepEqual(loadDraft(storage, 43), emptyDraft);
    saveDraft(storage, 42, emptyDraft);
    assert.equal(storage.data.has(draftKey(42)), false);
  });

  test('a damaged draft loads as much as is valid, and refused storage is reported', () => {
    const storage = memoryStorage();
    storage.data.set(
      draftKey(1),
      JSON.stringify({ subject: 3, body: 'x', recipients: [{ kind: 'user' }, hanako] }),
    );
    assert.deepEqual(loadDraft(storage, 1), { subject: '', body: 'x', recipients: [hanako] });
    storage.data.set(draftKey(1), '{not json');
    assert.deepEqual(loadDraft(storage, 1), emptyDraft);
    const full: StorageLike = {
      ...storage,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    assert.equal(saveDraft(full, 1, { ...emptyDraft, body: 'x' }), false);
    assert.equal(saveDraft(null, 1, emptyDraft), false);
  });

  test('recipients are chips without duplicates, split into users and units for memo.send', () => {
    let list = addRecipient([], hanako);
    list = addRecipient(list, { ...hanako, name: 'Hanako' });
    list = addUnit(list, unit(3, '大阪'));
    assert.deepEqual(
      list.map((r) => [r.kind, r.id, r.name]),
      [
        ['user', 12, 'Hanako'],
        ['unit', 3, '大阪'],
      ],
    );
    assert.deepEqual(targetsOf(list), { userIds: [12], unitIds: [3] });
    assert.deepEqual(removeRecipient(list, { kind: 'user', id: 12 }).length, 1);
  });

  test('choosing a unit drops the chips of units below it, and marks them as covered', () => {
    let list = addUnit([], unit(5, '一課'));
    list = addUnit(list, unit(3, '大阪'));
    const sales = tree[0];
    assert.ok(sales);
    list = addUnit(list, sales);
    assert.deepEqual(
      list.map((r) => r.id),
      [1],
    );
    assert.deepEqual(list[0], { kind: 'unit', id: 1, name: '営業部', members: 4 });
    assert.deepEqual(ancestorIds(tree, 5), [2, 1]);
    assert.equal(coveredBy(tree, new Set([1]), 5), 1);
    assert.equal(coveredBy(tree, new Set([4]), 5), null);
  });

  test('a draft without recipients or body, or with overlong text, says what is wrong', () => {
    assert.deepEqual(draftProblems(emptyDraft), ['noRecipients', 'emptyBody']);
    const long = { subject: 'あ'.repeat(201), body: '𠮷'.repeat(20_001), recipients: [hanako] };
    assert.deepEqual(draftProblems(long), ['subjectTooLong', 'bodyTooLong']);
    assert.deepEqual(draftProblems({ ...long, subject: '𠮷'.repeat(200), body: 'ok' }), []);
    assert.equal(oneLine('a\r\nb\tc'), 'a b c');
  });

  test('a refused memo.send is explained by what was chosen', () => {
    const toPerson: Draft = { subject: '', body: 'x', recipients: [hanako] };
    const toUnit: Draft = {
      subject: '',
      body: 'x',
      recipients: [{ kind: 'unit', id: 3, name: '大阪', members: 0 }],
    };
    assert.equal(sendErrorKey('IM_NOT_ALLOWED', toPerson), 'errorNotAllowedPerson');
    assert.equal(sendErrorKey('IM_NOT_ALLOWED', toUnit), 'errorNotAllowedUnits');
    assert.equal(sendErrorKey('INVALID_INPUT', toUnit), 'errorUnitsEmpty');
    assert.equal(sendErrorKey('INVALID_INPUT', toPerson), 'errorInvalid');
    assert.equal(sendErrorKey('IM_CONNECTION_LOST', toPerson), 'errorConnection');
    assert.equal(sendErrorKey('SOMETHING_NEW', toPerson), 'errorUnexpected');
  });

  test('routes name the inbox, the sent box, a memo and a new memo with its recipient', () => {
    assert.deepEqual(parseMemoRoute([]), { kind: 'inbox' });
    assert.deepEqual(parseMemoRoute(['inbox']), { kind: 'inbox' });
    assert.deepEqual(parseMemoRoute(['sent']), { kind: 'sent' });
    assert.deepEqual(parseMemoRoute(['88']), { kind: 'memo', memoId: 88 });
    assert.deepEqual(parseMemoRoute(['new']), { kind: 'new' });
    assert.deepEqual(parseMemoRoute(['new', 'user', '12']), { kind: 'new', userId: 12 });
    assert.deepEqual(parseMemoRoute(['new', 'unit', '3']), { kind: 'new', unitId: 3 });
    assert.deepEqual(parseMemoRoute(['new', 'unit', 'x']), { kind: 'new' });
    assert.deepEqual(parseMemoRoute(['0']), { kind: 'inbox' });
  });
});
