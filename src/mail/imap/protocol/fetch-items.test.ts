import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command, FetchItem } from './ast.ts';
import { failureOf, parseOne } from './parse-one.ts';

function fetchOf(input: string | Buffer): Extract<Command, { name: 'FETCH' }> {
  const parsed = parseOne(input);
  assert.ok(!('status' in parsed), `${String(input)} failed: ${JSON.stringify(parsed)}`);
  assert.equal(parsed.command.name, 'FETCH');
  return parsed.command;
}

const itemsOf = (spec: string): FetchItem[] => fetchOf(`t FETCH 1 ${spec}`).items;

const badFetch = (spec: string, message: string): void =>
  assert.deepEqual(failureOf(`t FETCH 1 ${spec}`), { tag: 't', status: 'BAD', message: `FETCH: ${message}` });

test('the macros ALL, FAST and FULL expand (RFC 9051 §6.4.5), in any case', () => {
  assert.deepEqual(itemsOf('ALL'), [
    { kind: 'FLAGS' },
    { kind: 'INTERNALDATE' },
    { kind: 'RFC822.SIZE' },
    { kind: 'ENVELOPE' },
  ]);
  assert.deepEqual(itemsOf('fast'), [{ kind: 'FLAGS' }, { kind: 'INTERNALDATE' }, { kind: 'RFC822.SIZE' }]);
  assert.deepEqual(itemsOf('Full'), [
    { kind: 'FLAGS' },
    { kind: 'INTERNALDATE' },
    { kind: 'RFC822.SIZE' },
    { kind: 'ENVELOPE' },
    { kind: 'BODY' },
  ]);
});

test('every simple item, alone or in a list', () => {
  assert.deepEqual(itemsOf('uid'), [{ kind: 'UID' }]);
  assert.deepEqual(
    itemsOf(
      '(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE MODSEQ RFC822 RFC822.HEADER RFC822.TEXT)',
    ),
    [
      { kind: 'UID' },
      { kind: 'FLAGS' },
      { kind: 'INTERNALDATE' },
      { kind: 'RFC822.SIZE' },
      { kind: 'ENVELOPE' },
      { kind: 'BODY' },
      { kind: 'BODYSTRUCTURE' },
      { kind: 'MODSEQ' },
      { kind: 'RFC822' },
      { kind: 'RFC822.HEADER' },
      { kind: 'RFC822.TEXT' },
    ],
  );
});

test('BODY[section]<partial> and BODY.PEEK: whole message, parts, HEADER, TEXT, MIME after a part', () => {
  assert.deepEqual(
    itemsOf(
      '(BODY[] BODY.PEEK[]<0.10240> body[1.2.3] BODY[HEADER] BODY[2.TEXT] BODY.PEEK[1.mime] BODY[4.2.HEADER])',
    ),
    [
      { kind: 'BODY[]', section: { part: [] }, peek: false },
      { kind: 'BODY[]', section: { part: [] }, peek: true, partial: { offset: 0, length: 10240 } },
      { kind: 'BODY[]', section: { part: [1, 2, 3] }, peek: false },
      { kind: 'BODY[]', section: { part: [], text: { kind: 'HEADER' } }, peek: false },
      { kind: 'BODY[]', section: { part: [2], text: { kind: 'TEXT' } }, peek: false },
      { kind: 'BODY[]', section: { part: [1], text: { kind: 'MIME' } }, peek: true },
      { kind: 'BODY[]', section: { part: [4, 2], text: { kind: 'HEADER' } }, peek: false },
    ],
  );
});

test('HEADER.FIELDS and HEADER.FIELDS.NOT take astrings, quoted or literal, as sent', () => {
  assert.deepEqual(
    itemsOf(
      '(UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])',
    )[3],
    {
      kind: 'BODY[]',
      section: {
        part: [],
        text: {
          kind: 'HEADER.FIELDS',
          fields: [
            'From',
            'To',
            'Cc',
            'Bcc',
            'Subject',
            'Date',
            'Message-ID',
            'Priority',
            'X-Priority',
            'References',
            'Newsgroups',
            'In-Reply-To',
            'Content-Type',
            'Reply-To',
          ],
          not: false,
        },
      },
      peek: true,
    },
  );
  // iOS Mail quotes the names.
  assert.deepEqual(itemsOf('BODY.PEEK[HEADER.FIELDS ("date" "subject")]'), [
    {
      kind: 'BODY[]',
      section: { part: [], text: { kind: 'HEADER.FIELDS', fields: ['date', 'subject'], not: false } },
      peek: true,
    },
  ]);
  assert.deepEqual(
    fetchOf(Buffer.from('t FETCH 1 BODY[1.HEADER.FIELDS.NOT (X-Spam {8}\r\nReceived)]<5.10>\r\n')).items,
    [
      {
        kind: 'BODY[]',
        section: { part: [1], text: { kind: 'HEADER.FIELDS', fields: ['X-Spam', 'Received'], not: true } },
        peek: false,
        partial: { offset: 5, length: 10 },
      },
    ],
  );
});

test('BINARY, BINARY.PEEK and BINARY.SIZE (RFC 3516)', () => {
  assert.deepEqual(itemsOf('(BINARY[1.2]<0.100> BINARY.PEEK[] binary.size[3])'), [
    { kind: 'BINARY[]', part: [1, 2], peek: false, partial: { offset: 0, length: 100 } },
    { kind: 'BINARY[]', part: [], peek: true },
    { kind: 'BINARY.SIZE', part: [3] },
  ]);
});

test('FETCH modifiers: CHANGEDSINCE, and VANISHED only with UID FETCH and CHANGEDSINCE (RFC 7162)', () => {
  assert.deepEqual(fetchOf('t UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)').modifiers, {
    changedSince: 12345,
    vanished: true,
  });
  assert.deepEqual(fetchOf('t FETCH 1:* ALL (changedsince 7)').modifiers, { changedSince: 7 });
  badFetch('(FLAGS) (VANISHED)', 'VANISHED needs UID FETCH and CHANGEDSINCE (RFC 7162 §3.2.6)');
  assert.deepEqual(failureOf('t UID FETCH 1 (FLAGS) (VANISHED)'), {
    tag: 't',
    status: 'BAD',
    message: 'UID FETCH: VANISHED needs UID FETCH and CHANGEDSINCE (RFC 7162 §3.2.6)',
  });
  badFetch('FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)', 'unknown or repeated fetch modifier CHANGEDSINCE');
  badFetch('FLAGS (PARTIAL 1:10)', 'unknown or repeated fetch modifier PARTIAL');
  badFetch('FLAGS (CHANGEDSINCE)', 'expected SP before CHANGEDSINCE mod-sequence, not ")"');
  badFetch(
    'FLAGS (CHANGEDSINCE 9223372036854775808)',
    'CHANGEDSINCE mod-sequence is too large (at most 9007199254740991)',
  );
});

test('unknown items and sections are BAD, naming the item as sent', () => {
  badFetch('BODY[FOO]', 'unknown item BODY[FOO]');
  badFetch('(FLAGS X-GM-LABELS)', 'unknown item X-GM-LABELS');
  badFetch('(FLAGS UID[1])', 'unknown item UID[1]');
  badFetch('BODY[1.FOO]<0.5>', 'unknown item BODY[1.FOO]<0.5>');
  badFetch('BODY[1.]', 'unknown item BODY[1.]');
  badFetch('BODY[.1]', 'unknown item BODY[.1]');
  badFetch('BINARY[TEXT]', 'unknown item BINARY[TEXT]');
  badFetch('RFC822.FOO', 'unknown item RFC822.FOO');
});

test('malformed items are BAD with the reason', () => {
  badFetch('BODY[MIME]', 'invalid item BODY[MIME]: MIME needs a part number (BODY[1.MIME])');
  badFetch('BODY[0]', 'invalid item BODY[0]: part number 0 is out of range');
  badFetch('BODY[4294967296]', 'invalid item BODY[4294967296]: part number 4294967296 is out of range');
  badFetch('BODY.PEEK', 'invalid item BODY.PEEK: BODY.PEEK needs a section: BODY.PEEK[…]');
  badFetch('BINARY', 'invalid item BINARY: BINARY needs a part: BINARY[…]');
  badFetch('BODY[HEADER.FIELDS ()]', 'invalid item BODY[HEADER.FIELDS ()]: invalid header field name ")]"');
  badFetch(
    'BODY[HEADER.FIELDS]',
    'invalid item BODY[HEADER.FIELDS]: expected SP before header field list, not "]"',
  );
  badFetch('BODY[HEADER', 'invalid item BODY[HEADER: missing "]" closing the section');
  badFetch('BODY[]<0.0>', 'invalid item BODY[]<0.0>: partial length must not be 0');
  badFetch('BODY[]<5>', 'invalid item BODY[]<5>: invalid "." in the partial range ">"');
  badFetch('BODY[]<1.2', 'invalid item BODY[]<1.2: missing ">" closing the partial range');
  badFetch('BINARY.SIZE[1]<0.5>', 'unexpected "<0.5>" after the arguments');
  badFetch('(ALL)', 'invalid item ALL: the macro ALL cannot be part of a list');
});

test('unbalanced parentheses and missing items are BAD', () => {
  badFetch('(FLAGS UID', 'missing ")" closing the item list');
  badFetch('FLAGS)', 'unexpected ")" after the arguments');
  badFetch('()', 'invalid fetch item ")"');
  badFetch('(FLAGS  UID)', 'invalid fetch item " UID)"');
  assert.deepEqual(failureOf('t FETCH 1'), {
    tag: 't',
    status: 'BAD',
    message: 'FETCH: missing fetch items',
  });
  assert.deepEqual(failureOf('t FETCH 1 ('), {
    tag: 't',
    status: 'BAD',
    message: 'FETCH: missing fetch item',
  });
});
