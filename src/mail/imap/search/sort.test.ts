import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImapError } from '../imap-error.ts';
import type { SortCriterion } from '../protocol/ast.ts';
import type { SearchCandidate } from './evaluate.ts';
import { searchableContent } from './searchable.ts';
import { displayName, sortMessages, sortNeedsContent, type SortItem } from './sort.ts';
import { japaneseMails } from './test-mails.ts';

const mails = japaneseMails();
const raws = [mails.meeting, mails.estimate, mails.newProduct, mails.report, mails.invoice, mails.forwarded];
const sizes = [900, 4000, 1200, 1000, 1000, 1500];
const ARRIVED = Date.UTC(2025, 3, 20);

/** Arrival runs backwards (message 6 came first), so ARRIVAL and DATE disagree. */
const items: SortItem[] = raws.map((raw, index) => {
  const seq = index + 1;
  const candidate: SearchCandidate = {
    seq,
    uid: seq * 10,
    flags: [],
    modseq: 1,
    internalDate: ARRIVED - seq * 3_600_000,
    size: sizes[index] ?? 0,
  };
  return { candidate, content: searchableContent(raw) };
});

function order(...criteria: Array<SortCriterion['key'] | `REVERSE ${SortCriterion['key']}`>): number[] {
  const parsed = criteria.map((criterion): SortCriterion => {
    const reverse = criterion.startsWith('REVERSE ');
    return { key: (reverse ? criterion.slice(8) : criterion) as SortCriterion['key'], reverse };
  });
  return sortMessages(parsed, items).map((item) => item.candidate.seq);
}

test('ARRIVAL sorts by internal date', () => {
  assert.deepEqual(order('ARRIVAL'), [6, 5, 4, 3, 2, 1]);
  assert.deepEqual(order('REVERSE ARRIVAL'), [1, 2, 3, 4, 5, 6]);
});

test('DATE sorts by the Date header in UTC, the internal date standing in when there is none', () => {
  // Message 5 has no Date; its internal date (2025-04-19 19:00Z) is the latest.
  assert.deepEqual(order('DATE'), [1, 2, 3, 4, 6, 5]);
  assert.deepEqual(order('REVERSE DATE'), [5, 6, 4, 3, 2, 1]);
});

test('FROM, TO and CC sort by the first addr-mailbox; no address sorts first; ties keep mailbox order', () => {
  assert.deepEqual(order('FROM'), [5, 6, 3, 2, 4, 1]);
  assert.deepEqual(order('REVERSE FROM'), [1, 4, 2, 3, 6, 5]);
  assert.deepEqual(order('TO'), [3, 1, 2, 4, 5, 6]);
  assert.deepEqual(order('REVERSE TO'), [2, 4, 5, 6, 1, 3], 'REVERSE does not reverse the tie-break');
  assert.deepEqual(order('CC'), [2, 3, 4, 5, 6, 1]);
  assert.deepEqual(order('REVERSE CC'), [1, 2, 3, 4, 5, 6]);
});

test('SUBJECT sorts by base subject, Re:/Fw: ignored, Japanese by code point', () => {
  // quarterly report < 会議の件 (1, and 6 "Fw: 会議の件") < 新製品の案内 < 見積書の送付 < 請求書
  assert.deepEqual(order('SUBJECT'), [4, 1, 6, 3, 2, 5]);
  assert.deepEqual(order('REVERSE SUBJECT'), [5, 2, 3, 1, 6, 4]);
});

test('SIZE sorts by size', () => {
  assert.deepEqual(order('SIZE'), [1, 4, 5, 3, 6, 2]);
  assert.deepEqual(order('REVERSE SIZE'), [2, 6, 3, 4, 5, 1]);
});

test('DISPLAY sorts by decoded display name, else the address', () => {
  // billing@example.co.jp (no name) < ito < kato < tanaka < 佐藤花子 < 山田 太郎
  assert.deepEqual(order('DISPLAY'), [5, 6, 3, 4, 2, 1]);
  assert.deepEqual(order('REVERSE DISPLAY'), [1, 2, 4, 3, 6, 5]);
  assert.equal(displayName(null), '');
  assert.equal(displayName({ name: '', mailbox: 'local', host: '' }), 'local');
});

test('later criteria break ties of earlier ones', () => {
  assert.deepEqual(order('TO', 'REVERSE SIZE'), [3, 1, 2, 6, 4, 5]);
  assert.deepEqual(order('SIZE', 'REVERSE ARRIVAL'), [1, 4, 5, 3, 6, 2]);
  assert.deepEqual(order('SIZE', 'ARRIVAL'), [1, 5, 4, 3, 6, 2]);
  assert.deepEqual(order(), [1, 2, 3, 4, 5, 6], 'no criteria: mailbox order');
});

test('ARRIVAL and SIZE need no content; the others do, and say so when it is missing', () => {
  assert.equal(
    sortNeedsContent([
      { key: 'ARRIVAL', reverse: false },
      { key: 'SIZE', reverse: true },
    ]),
    false,
  );
  assert.equal(sortNeedsContent([{ key: 'DATE', reverse: false }]), true);
  const bare = items.map((item) => ({ candidate: item.candidate }));
  assert.deepEqual(
    sortMessages([{ key: 'SIZE', reverse: false }], bare).map((item) => item.candidate.seq),
    [1, 4, 5, 3, 6, 2],
  );
  assert.throws(
    () => sortMessages([{ key: 'SUBJECT', reverse: false }], bare),
    (error: unknown) => error instanceof ImapError && error.code === 'SERVERBUG',
  );
});
