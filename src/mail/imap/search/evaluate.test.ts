import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ImapError } from '../imap-error.ts';
import type { SearchKey, SequenceSet } from '../protocol/ast.ts';
import {
  searchKeyNeedsContent,
  searchMessages,
  type SearchCandidate,
  type SearchContext,
} from './evaluate.ts';
import { searchableContent, type SearchableContent } from './searchable.ts';
import { sequenceSetContains } from './sequence-set.ts';
import { japaneseMails, PDF_BASE64, PDF_MARKER } from './test-mails.ts';

const JST = 9 * 60;
const mails = japaneseMails();

/** The mailbox: six messages, seq 1–6, UIDs 10–60, in the order of japaneseMails(). */
const candidates: SearchCandidate[] = [
  // 2025-04-06 23:59:59 JST: the last second of the 6th in the server's zone.
  {
    seq: 1,
    uid: 10,
    flags: ['\\Seen'],
    modseq: 5,
    internalDate: Date.UTC(2025, 3, 6, 14, 59, 59),
    size: 900,
  },
  // 2025-04-07 00:00:00 JST, still the 6th in UTC.
  {
    seq: 2,
    uid: 20,
    flags: ['\\Seen', '\\Answered'],
    modseq: 9,
    internalDate: Date.UTC(2025, 3, 6, 15),
    size: 4000,
  },
  {
    seq: 3,
    uid: 30,
    flags: ['\\Flagged', '$Forwarded'],
    modseq: 12,
    internalDate: Date.UTC(2025, 3, 9, 9),
    size: 1200,
  },
  { seq: 4, uid: 40, flags: ['\\Draft'], modseq: 3, internalDate: Date.UTC(2025, 3, 10, 12), size: 1000 },
  {
    seq: 5,
    uid: 50,
    flags: ['\\Deleted', '\\Seen'],
    modseq: 20,
    internalDate: Date.UTC(2025, 3, 12, 1),
    size: 1000,
  },
  { seq: 6, uid: 60, flags: [], modseq: 21, internalDate: Date.UTC(2025, 3, 11, 0), size: 1500 },
];
const raws = [mails.meeting, mails.estimate, mails.newProduct, mails.report, mails.invoice, mails.forwarded];
const contents = new Map<number, SearchableContent>(
  raws.map((raw, index) => [index + 1, searchableContent(raw)]),
);

function context(overrides: Partial<SearchContext> = {}): SearchContext & { loads: number[] } {
  const loads: number[] = [];
  return {
    maxSeq: 6,
    maxUid: 60,
    savedUids: [],
    now: Date.UTC(2025, 3, 12, 12),
    timezoneOffsetMinutes: JST,
    content: async (candidate) => {
      loads.push(candidate.seq);
      const content = contents.get(candidate.seq);
      if (!content) throw new Error(`no message ${candidate.seq}`);
      return content;
    },
    ...overrides,
    loads,
  };
}

async function seqs(key: SearchKey, ctx: SearchContext = context()): Promise<number[]> {
  return (await searchMessages(key, candidates, ctx)).map((candidate) => candidate.seq);
}

const header = (field: string, value: string): SearchKey => ({ kind: 'header', field, value });
const body = (value: string): SearchKey => ({ kind: 'body', value });
const flag = (name: string, set = true): SearchKey => ({ kind: 'flag', flag: name, set });
const set = (...ranges: Array<[number | '*', number | '*']>): SequenceSet => ({
  kind: 'set',
  ranges: ranges.map(([start, end]) => ({ start, end })),
});

test('SUBJECT 会議 finds the ISO-2022-JP encoded subject, and the forward of it', async () => {
  assert.deepEqual(await seqs(header('SUBJECT', '会議')), [1, 6]);
  assert.deepEqual(await seqs(header('subject', '見積書')), [2], 'raw Shift_JIS subject');
  assert.deepEqual(await seqs(header('subject', '新製品の案内')), [3]);
});

test('BODY finds Japanese text in every charset and transfer encoding', async () => {
  assert.deepEqual(await seqs(body('明日の会議')), [1], 'ISO-2022-JP 7bit');
  assert.deepEqual(await seqs(body('お見積もり')), [2], 'Shift_JIS 8bit in a multipart');
  assert.deepEqual(await seqs(body('カタログ')), [3], 'EUC-JP 8bit');
  assert.deepEqual(await seqs(body('報告書')), [4], 'UTF-8 base64');
  assert.deepEqual(await seqs(body('確認をお願い')), [5], 'UTF-8 quoted-printable');
  assert.deepEqual(await seqs(body('元の本文')), [6], 'inside an attached message');
  assert.deepEqual(await seqs(body('元の件名')), [6], 'the attached message header is body text');
  assert.deepEqual(await seqs(body('存在しない言葉')), []);
});

test('the bytes of a PDF attachment are never searched', async () => {
  assert.deepEqual(await seqs(body(PDF_MARKER)), []);
  assert.deepEqual(await seqs({ kind: 'text', value: PDF_MARKER }), []);
  assert.deepEqual(await seqs(body(PDF_BASE64.slice(0, 16))), []);
});

test('full-width and half-width forms, and letter case, match each other', async () => {
  assert.deepEqual(await seqs(body('ABC社')), [4], 'ASCII finds full-width ＡＢＣ');
  assert.deepEqual(await seqs(body('ａｂｃ社')), [4], 'full-width lower case finds it too');
  assert.deepEqual(await seqs(body('ｶﾀｶﾅ')), [4], 'half-width katakana');
  assert.deepEqual(await seqs(body('カタカナ')), [4], 'full-width katakana finds the half-width text');
  assert.deepEqual(await seqs(header('SUBJECT', 'QUARTERLY')), [4]);
  assert.deepEqual(await seqs(header('FROM', 'YAMADA@EXAMPLE.JP')), [1]);
});

test('FROM finds decoded display names; HEADER with an empty string tests presence', async () => {
  assert.deepEqual(await seqs(header('FROM', '山田')), [1], 'ISO-2022-JP encoded word');
  assert.deepEqual(await seqs(header('FROM', '佐藤')), [2], 'raw Shift_JIS');
  assert.deepEqual(await seqs(header('CC', 'suzuki')), [1]);
  assert.deepEqual(await seqs(header('References', '')), [6]);
  assert.deepEqual(await seqs(header('X-Not-There', '')), []);
  assert.deepEqual(await seqs(header('Message-ID', 'example.co.jp')), [5]);
});

test('TEXT looks in the header and the body', async () => {
  assert.deepEqual(await seqs({ kind: 'text', value: 'tanaka@example.jp' }), [4]);
  assert.deepEqual(await seqs({ kind: 'text', value: '全角の' }), [4]);
  assert.deepEqual(await seqs({ kind: 'text', value: '会議' }), [1, 6]);
  assert.deepEqual(await seqs({ kind: 'text', value: '' }), [1, 2, 3, 4, 5, 6]);
});

test('flag keys, system flags and keywords, case-insensitive', async () => {
  assert.deepEqual(await seqs(flag('\\Seen')), [1, 2, 5]);
  assert.deepEqual(await seqs(flag('\\seen', false)), [3, 4, 6], 'UNSEEN');
  assert.deepEqual(await seqs(flag('\\Answered')), [2]);
  assert.deepEqual(await seqs(flag('\\Answered', false)), [1, 3, 4, 5, 6]);
  assert.deepEqual(await seqs(flag('\\Flagged')), [3]);
  assert.deepEqual(await seqs(flag('\\Deleted')), [5]);
  assert.deepEqual(await seqs(flag('\\Draft')), [4]);
  assert.deepEqual(await seqs(flag('$forwarded')), [3], 'KEYWORD');
  assert.deepEqual(await seqs(flag('$Junk', false)), [1, 2, 3, 4, 5, 6], 'UNKEYWORD');
});

test('nothing is ever \\Recent: RECENT and NEW match none, OLD and NOT RECENT all', async () => {
  assert.deepEqual(await seqs({ kind: 'recent', set: true }), []);
  assert.deepEqual(await seqs({ kind: 'new' }), []);
  assert.deepEqual(await seqs({ kind: 'old' }), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await seqs({ kind: 'recent', set: false }), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(await seqs({ kind: 'all' }), [1, 2, 3, 4, 5, 6]);
});

test('BEFORE, ON and SINCE take the internal date by day in the server zone, around midnight', async () => {
  const on = (date: string): SearchKey => ({ kind: 'internaldate', op: 'on', date });
  assert.deepEqual(await seqs(on('2025-04-06')), [1], '23:59:59 JST is still the 6th');
  assert.deepEqual(await seqs(on('2025-04-07')), [2], 'midnight JST is the 7th, though the 6th in UTC');
  assert.deepEqual(await seqs({ kind: 'internaldate', op: 'before', date: '2025-04-07' }), [1]);
  assert.deepEqual(await seqs({ kind: 'internaldate', op: 'since', date: '2025-04-07' }), [2, 3, 4, 5, 6]);
  // The same instants in a UTC server both fall on the 6th.
  assert.deepEqual(await seqs(on('2025-04-06'), context({ timezoneOffsetMinutes: 0 })), [1, 2]);
  // Behind UTC: 2025-04-12 01:00Z is the 11th in New York (UTC-4).
  assert.deepEqual(await seqs(on('2025-04-11'), context({ timezoneOffsetMinutes: -240 })), [5]);
});

test('SENT* compare the Date header day as written; without one, the internal date stands in', async () => {
  const sent = (op: 'before' | 'on' | 'since', date: string): SearchKey => ({ kind: 'sentdate', op, date });
  // meeting: "Mon, 7 Apr 2025 00:10:00 +0900" (the 6th in UTC).
  assert.deepEqual(await seqs(sent('on', '2025-04-07')), [1]);
  assert.deepEqual(await seqs(sent('before', '2025-04-08')), [1]);
  assert.deepEqual(await seqs(sent('on', '2025-04-11')), [6], '"11 Apr 25 08:00 JST"');
  // invoice has no Date: its internal date, 2025-04-12 10:00 JST, stands in.
  assert.deepEqual(await seqs(sent('on', '2025-04-12')), [5]);
  assert.deepEqual(await seqs(sent('since', '2025-04-11')), [5, 6]);
});

test('LARGER and SMALLER are strict', async () => {
  assert.deepEqual(await seqs({ kind: 'size', op: 'larger', size: 1200 }), [2, 6]);
  assert.deepEqual(await seqs({ kind: 'size', op: 'smaller', size: 1000 }), [1]);
});

test('sequence sets: "*", reversed ranges, several ranges', async () => {
  const seq = (value: SequenceSet): SearchKey => ({ kind: 'seq', set: value });
  assert.deepEqual(await seqs(seq(set([2, '*']))), [2, 3, 4, 5, 6]);
  assert.deepEqual(await seqs(seq(set([4, 2]))), [2, 3, 4]);
  assert.deepEqual(await seqs(seq(set(['*', '*']))), [6]);
  assert.deepEqual(await seqs(seq(set(['*', 5]))), [5, 6]);
  assert.deepEqual(await seqs(seq(set([1, 1], [6, 5], [3, 3]))), [1, 3, 5, 6]);
  assert.deepEqual(await seqs(seq(set([7, 9]))), []);
});

test('UID sets: "*" is the largest UID, so "100:*" still takes the last message', async () => {
  const uid = (value: SequenceSet): SearchKey => ({ kind: 'uid', set: value });
  assert.deepEqual(await seqs(uid(set([35, '*']))), [4, 5, 6]);
  assert.deepEqual(await seqs(uid(set([100, '*']))), [6]);
  assert.deepEqual(await seqs(uid(set([20, 20], [40, 45]))), [2, 4]);
  assert.deepEqual(await seqs(uid(set([21, 29]))), []);
});

test('"$" is the saved result, UIDs, in UID and sequence-number keys alike', async () => {
  const ctx = context({ savedUids: [20, 50] });
  assert.deepEqual(await seqs({ kind: 'uid', set: { kind: 'saved' } }, ctx), [2, 5]);
  assert.deepEqual(await seqs({ kind: 'seq', set: { kind: 'saved' } }, ctx), [2, 5]);
  assert.deepEqual(await seqs({ kind: 'seq', set: { kind: 'saved' } }), [], 'nothing saved: nothing matches');
});

test('MODSEQ, OLDER and YOUNGER', async () => {
  assert.deepEqual(await seqs({ kind: 'modseq', modseq: 12 }), [3, 5, 6]);
  // now is 2025-04-12 12:00Z; message 5 arrived 11 hours before, message 6 36 hours before.
  assert.deepEqual(
    await seqs({ kind: 'younger', seconds: 11 * 3600 }),
    [5],
    'exactly at the bound is within',
  );
  assert.deepEqual(await seqs({ kind: 'older', seconds: 36 * 3600 }), [1, 2, 3, 4]);
});

test('NOT, OR and AND nest', async () => {
  const orKey = (left: SearchKey, right: SearchKey): SearchKey => ({ kind: 'or', left, right });
  const andKey = (...keys: SearchKey[]): SearchKey => ({ kind: 'and', keys });
  const notKey = (key: SearchKey): SearchKey => ({ kind: 'not', key });
  assert.deepEqual(await seqs(notKey(flag('\\Seen'))), [3, 4, 6]);
  assert.deepEqual(await seqs(orKey(flag('\\Flagged'), flag('\\Draft'))), [3, 4]);
  assert.deepEqual(await seqs(notKey(orKey(flag('\\Flagged'), body('会議')))), [2, 4, 5, 6]);
  assert.deepEqual(await seqs(andKey(flag('\\Seen'), notKey(flag('\\Deleted')), body('会議'))), [1]);
  assert.deepEqual(
    await seqs(orKey(andKey(flag('\\Seen'), header('FROM', '佐藤')), notKey(notKey(flag('\\Draft'))))),
    [2, 4],
  );
  assert.deepEqual(await seqs(andKey()), [1, 2, 3, 4, 5, 6], 'an empty AND is true');
});

test('content is loaded only for messages the cheap keys leave undecided', async () => {
  const loadsFor = async (key: SearchKey) => {
    const ctx = context();
    await searchMessages(key, candidates, ctx);
    return ctx.loads;
  };
  assert.deepEqual(await loadsFor(flag('\\Seen')), [], 'flags need no content');
  assert.deepEqual(await loadsFor({ kind: 'and', keys: [body('x'), flag('\\Seen', false)] }), [3, 4, 6]);
  assert.deepEqual(await loadsFor({ kind: 'or', left: body('x'), right: flag('\\Seen') }), [3, 4, 6]);
  assert.deepEqual(
    await loadsFor({ kind: 'not', key: { kind: 'or', left: flag('\\Seen'), right: body('x') } }),
    [3, 4, 6],
  );
  assert.deepEqual(
    await loadsFor({ kind: 'and', keys: [{ kind: 'uid', set: set([30, 40]) }, body('x')] }),
    [3, 4],
  );
  assert.deepEqual(await loadsFor(body('x')), [1, 2, 3, 4, 5, 6]);
  assert.equal(
    searchKeyNeedsContent({ kind: 'not', key: { kind: 'sentdate', op: 'on', date: '2025-01-01' } }),
    true,
  );
  assert.equal(searchKeyNeedsContent({ kind: 'or', left: flag('\\Seen'), right: { kind: 'all' } }), false);
});

test('a date that is no date is refused as BAD syntax', async () => {
  for (const date of ['2025-02-30', '25-04-01', 'yesterday']) {
    await assert.rejects(
      () => seqs({ kind: 'internaldate', op: 'on', date }),
      (error: unknown) => error instanceof ImapError && error.status === 'BAD',
      date,
    );
  }
});

test('a failing content load fails the search', async () => {
  const ctx = context({ content: async () => Promise.reject(new Error('disk gone')) });
  await assert.rejects(() => seqs(body('x'), ctx), /disk gone/);
});

test('sequenceSetContains on its own', () => {
  assert.equal(sequenceSetContains(set([5, 2]), 3, 10, []), true);
  assert.equal(sequenceSetContains(set([5, 2]), 6, 10, []), false);
  assert.equal(sequenceSetContains(set([8, '*']), 10, 10, []), true);
  assert.equal(sequenceSetContains(set([12, '*']), 10, 10, []), true, '12:* is 10:12 when 10 is the largest');
  assert.equal(sequenceSetContains(set([12, '*']), 9, 10, []), false);
  assert.equal(sequenceSetContains({ kind: 'saved' }, 7, 10, [3, 7]), true);
  assert.equal(sequenceSetContains({ kind: 'saved' }, 4, 10, [3, 7]), false);
  assert.equal(
    sequenceSetContains(set([1, 3], [2, 6], [9, 9]), 7, 10, []),
    false,
    'overlapping ranges merge',
  );
  assert.equal(sequenceSetContains(set([1, 3], [2, 6], [9, 9]), 6, 10, []), true);
});
