import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { insertMention, matchMembers, mentionQueryAt, segmentText } from './mentions.ts';

const members = [
  { userId: 2, address: 'hanako@example.com', displayName: '田中 花子' },
  { userId: 3, address: 'jiro@example.com', displayName: 'Jiro Sato' },
  { userId: 4, address: 'sabu@example.com', displayName: 'Saburo Hanazawa' },
];

describe('mentions', () => {
  test('mentions of members and links are found; a plain address is not a mention', () => {
    const segments = segmentText(
      '@hanako@example.com 見て: https://example.com/a?b=1. mail jiro@example.com',
      members,
    );
    assert.deepEqual(
      segments.map((s) => s.kind),
      ['mention', 'text', 'link', 'text'],
    );
    const first = segments[0];
    assert.equal(first?.kind === 'mention' && first.member?.userId, 2);
    const link = segments[2];
    assert.equal(link?.kind === 'link' && link.url, 'https://example.com/a?b=1');
    assert.equal(
      segments.map((s) => s.text).join(''),
      '@hanako@example.com 見て: https://example.com/a?b=1. mail jiro@example.com',
    );
  });

  test('a mention at the end of a sentence leaves the full stop out', () => {
    const segments = segmentText('thanks @jiro@example.com.', members);
    const mention = segments[1];
    assert.equal(mention?.kind === 'mention' && mention.address, 'jiro@example.com');
    assert.equal(segments[2]?.text, '.');
  });

  test('the query being typed after @ is found only where a word starts', () => {
    assert.deepEqual(mentionQueryAt('hi @han', 7), { start: 3, query: 'han' });
    assert.deepEqual(mentionQueryAt('@', 1), { start: 0, query: '' });
    assert.equal(mentionQueryAt('mail a@b', 8), null);
    assert.equal(mentionQueryAt('hi @han there', 13), null);
  });

  test('members match by the start of a name or address first, then by any part', () => {
    assert.deepEqual(
      matchMembers(members, 'ha').map((m) => m.userId),
      [2, 4],
    );
    assert.deepEqual(
      matchMembers(members, 'sato').map((m) => m.userId),
      [3],
    );
    assert.deepEqual(
      matchMembers(members, '花子').map((m) => m.userId),
      [2],
    );
    assert.equal(matchMembers(members, '').length, 3);
  });

  test('picking a member writes the full mention and a space, and puts the caret after it', () => {
    assert.deepEqual(insertMention('hi @ha', 3, 6, 'hanako@example.com'), {
      text: 'hi @hanako@example.com ',
      caret: 23,
    });
    assert.deepEqual(insertMention('@ja and more', 0, 3, 'jiro@example.com'), {
      text: '@jiro@example.com and more',
      caret: 18,
    });
  });
});
