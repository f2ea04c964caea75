import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchableContent } from './searchable.ts';
import { buildMail, encodedWord, iso2022Jp } from './test-mails.ts';
import { threadOrderedSubject, threadReferences, threadWire, type ThreadItem } from './thread.ts';

interface MailSpec {
  id?: string;
  references?: string[];
  inReplyTo?: string;
  subject: string;
  /** Minutes after 2025-01-01 00:00 UTC; no Date header when absent. */
  minute?: number;
}

const START = Date.UTC(2025, 0, 1);

function item(seq: number, spec: MailSpec): ThreadItem {
  const header = [`Subject: ${spec.subject}`, 'From: someone@example.jp'];
  if (spec.id) header.push(`Message-ID: <${spec.id}>`);
  if (spec.references) header.push(`References: ${spec.references.map((id) => `<${id}>`).join(' ')}`);
  if (spec.inReplyTo) header.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.minute !== undefined) header.push(`Date: ${new Date(START + spec.minute * 60_000).toUTCString()}`);
  return {
    candidate: {
      seq,
      uid: seq * 10,
      flags: [],
      modseq: 1,
      internalDate: START + 86_400_000 + seq,
      size: 100,
    },
    content: searchableContent(buildMail(header, 'body\r\n')),
  };
}

function references(items: ThreadItem[]): string {
  return threadWire(threadReferences(items, { ids: 'seq' }));
}

/** The messages behind RFC 5256's example response "(2)(3 6 (4 23)(44 7 96))", given out of order. */
function rfcExample(): ThreadItem[] {
  return [
    item(96, { id: 'm96', references: ['m3', 'm6', 'm44', 'm7'], subject: 'Re: Plan', minute: 8 }),
    item(23, { id: 'm23', references: ['m3', 'm6', 'm4'], subject: 'Re: Plan', minute: 5 }),
    item(2, { id: 'm2', subject: 'Lunch', minute: 1 }),
    item(44, { id: 'm44', references: ['m3', 'm6'], subject: 'Re: Plan', minute: 6 }),
    item(3, { id: 'm3', subject: 'Plan', minute: 2 }),
    item(7, { id: 'm7', references: ['m3', 'm6', 'm44'], subject: 'Re: Plan', minute: 7 }),
    item(6, { id: 'm6', references: ['m3'], subject: 'Re: Plan', minute: 3 }),
    item(4, { id: 'm4', references: ['m3', 'm6'], subject: 'Re: Plan', minute: 4 }),
  ];
}

test("REFERENCES gives RFC 5256's example response", () => {
  assert.equal(references(rfcExample()), '(2)(3 6 (4 23)(44 7 96))');
});

test('UID THREAD numbers the same tree by UID', () => {
  assert.equal(
    threadWire(threadReferences(rfcExample(), { ids: 'uid' })),
    '(20)(30 60 (40 230)(440 70 960))',
  );
});

test('a missing parent becomes a dummy: kept at the root with several children, dropped with one', () => {
  const items = [
    item(1, { id: 'b', references: ['a'], subject: 'Re: Budget', minute: 2 }),
    item(2, { id: 'c', references: ['a'], subject: 'Re: Budget', minute: 3 }),
    item(3, { id: 'd', references: ['a', 'b'], subject: 'Re: Budget', minute: 4 }),
    item(4, { id: 'e', references: ['x'], subject: 'Re: Other', minute: 1 }),
  ];
  assert.equal(references(items), '(4)((1 3)(2))');
});

test('a lone reply to a missing parent is promoted, so it can join its original by subject', () => {
  const items = [
    item(4, { id: 'e', references: ['x'], subject: 'Re: Other', minute: 1 }),
    item(5, { id: 'f', subject: 'Other', minute: 2 }),
  ];
  assert.equal(references(items), '(5 4)');
});

test('a missing message in the middle of a chain is skipped over', () => {
  const items = [
    item(1, { id: 'a', subject: 'Chain', minute: 1 }),
    item(2, { id: 'c', references: ['a', 'b'], subject: 'Re: Chain', minute: 3 }),
    item(3, { id: 'd', references: ['a', 'b', 'c'], subject: 'Re: Chain', minute: 4 }),
  ];
  assert.equal(references(items), '(1 2 3)');
});

test('threads are gathered by subject: a reply under its original, two originals under a dummy', () => {
  assert.equal(
    references([item(1, { subject: 'Report', minute: 1 }), item(2, { subject: 'Re: Report', minute: 2 })]),
    '(1 2)',
  );
  assert.equal(
    references([item(1, { subject: 'Re: Report', minute: 1 }), item(2, { subject: 'Report', minute: 2 })]),
    '(2 1)',
    'the original holds the subject even when the reply came first',
  );
  assert.equal(
    references([item(1, { subject: 'Report', minute: 1 }), item(2, { subject: 'report', minute: 2 })]),
    '((1)(2))',
  );
  const japanese = encodedWord('ISO-2022-JP', iso2022Jp('会議の件'));
  assert.equal(
    references([
      item(1, { subject: japanese, minute: 1 }),
      item(2, { subject: `Ｒｅ：${japanese}`, minute: 2 }),
    ]),
    '(1 2)',
  );
  assert.equal(
    references([item(1, { subject: '', minute: 1 }), item(2, { subject: 'Re:', minute: 2 })]),
    '(1)(2)',
    'empty base subjects are never gathered',
  );
});

test('root dummies with one subject pool their children; a message joins a dummy as a sibling', () => {
  const dummies = [
    item(1, { id: 'b', references: ['a'], subject: 'Re: Budget', minute: 1 }),
    item(2, { id: 'y', references: ['z'], subject: 'Re: Budget', minute: 2 }),
    item(3, { id: 'c', references: ['a'], subject: 'Re: Budget', minute: 3 }),
    item(4, { id: 'w', references: ['z'], subject: 'Re: Budget', minute: 4 }),
  ];
  assert.equal(references(dummies), '((1)(2)(3)(4))');
  const withOriginal = [
    item(1, { id: 'o', subject: 'Budget', minute: 1 }),
    item(2, { id: 'b', references: ['a'], subject: 'Re: Budget', minute: 2 }),
    item(3, { id: 'c', references: ['a'], subject: 'Re: Budget', minute: 3 }),
  ];
  assert.equal(references(withOriginal), '((1)(2)(3))');
});

test('In-Reply-To stands in for missing References; only its first ID counts', () => {
  const items = [
    item(1, { id: 'p', subject: 'Question', minute: 1 }),
    item(2, { id: 'r', inReplyTo: '<p> <q>', subject: 'Answer', minute: 2 }),
    item(3, { id: 's', inReplyTo: '<q>', subject: 'Unrelated', minute: 3 }),
  ];
  assert.equal(references(items), '(1 2)(3)');
});

test('reference loops and duplicate Message-IDs neither hang nor lose messages', () => {
  const loop = [
    item(1, { id: 'a', references: ['b'], subject: 'One', minute: 1 }),
    item(2, { id: 'b', references: ['a'], subject: 'Two', minute: 2 }),
    item(3, { id: 'c', references: ['c'], subject: 'Three', minute: 3 }),
  ];
  assert.equal(references(loop), '(2 1)(3)');
  const duplicates = [
    item(1, { id: 'same', subject: 'First', minute: 1 }),
    item(2, { id: 'same', subject: 'Second', minute: 2 }),
    item(3, { id: 'reply', references: ['same'], subject: 'Third', minute: 3 }),
  ];
  assert.equal(references(duplicates), '(1 3)(2)', 'the first holder keeps the ID');
});

test('siblings sort by sent date, the internal date standing in, then by sequence number', () => {
  const items = [
    item(1, { id: 'root', subject: 'Root', minute: 1 }),
    item(2, { id: 'late', references: ['root'], subject: 'Re: Root', minute: 50 }),
    item(3, { id: 'undated', references: ['root'], subject: 'Re: Root' }), // internal date: the next day
    item(4, { id: 'early', references: ['root'], subject: 'Re: Root', minute: 10 }),
    item(5, { id: 'same', references: ['root'], subject: 'Re: Root', minute: 10 }),
  ];
  assert.equal(references(items), '(1 (4)(5)(2)(3))');
});

test('ORDEREDSUBJECT: grouped by base subject, the first message parent of the rest, groups by date', () => {
  const items = [
    item(1, { subject: 'A', minute: 3 }),
    item(2, { subject: 'Re: A', minute: 5 }),
    item(3, { subject: 'B', minute: 1 }),
    item(4, { subject: 'Re: B', minute: 2 }),
    item(5, { subject: 're: a', minute: 4 }),
    item(6, { subject: 'C', minute: 6 }),
  ];
  assert.equal(threadWire(threadOrderedSubject(items, { ids: 'seq' })), '(3 4)(1 (5)(2))(6)');
  assert.equal(threadWire(threadOrderedSubject(items, { ids: 'uid' })), '(30 40)(10 (50)(20))(60)');
});

test('the THREAD wire form: single children chain, several nest, dummies show only children', () => {
  assert.equal(threadWire([]), '');
  assert.equal(
    threadWire([
      {
        id: null,
        children: [
          { id: 3, children: [] },
          { id: 5, children: [] },
        ],
      },
    ]),
    '((3)(5))',
  );
  assert.equal(
    threadWire([{ id: 1, children: [{ id: 2, children: [{ id: 3, children: [] }] }] }]),
    '(1 2 3)',
  );
  assert.equal(threadReferences([], { ids: 'seq' }).length, 0);
});
