import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command, SearchKey } from './ast.ts';
import { failureOf, parseOne } from './parse-one.ts';
import { MAX_SEARCH_DEPTH } from './search-keys.ts';

type Search = Extract<Command, { name: 'SEARCH' }>;

function searchOf(input: string | Buffer): Search {
  const parsed = parseOne(input);
  assert.ok(!('status' in parsed), `${String(input)} failed: ${JSON.stringify(parsed)}`);
  assert.equal(parsed.command.name, 'SEARCH');
  return parsed.command;
}

const keyOf = (criteria: string): SearchKey => searchOf(`t SEARCH ${criteria}`).key;

const badSearch = (criteria: string, message: string): void =>
  assert.deepEqual(failureOf(`t SEARCH ${criteria}`), {
    tag: 't',
    status: 'BAD',
    message: `SEARCH: ${message}`,
  });

const one = (n: number) => ({ kind: 'set', ranges: [{ start: n, end: n }] }) as const;

test('flag keys map to { flag, set }, KEYWORD and UNKEYWORD too', () => {
  assert.deepEqual(
    keyOf('ANSWERED UNANSWERED deleted UNDELETED DRAFT UNDRAFT FLAGGED UNFLAGGED SEEN UNSEEN'),
    {
      kind: 'and',
      keys: [
        { kind: 'flag', flag: '\\Answered', set: true },
        { kind: 'flag', flag: '\\Answered', set: false },
        { kind: 'flag', flag: '\\Deleted', set: true },
        { kind: 'flag', flag: '\\Deleted', set: false },
        { kind: 'flag', flag: '\\Draft', set: true },
        { kind: 'flag', flag: '\\Draft', set: false },
        { kind: 'flag', flag: '\\Flagged', set: true },
        { kind: 'flag', flag: '\\Flagged', set: false },
        { kind: 'flag', flag: '\\Seen', set: true },
        { kind: 'flag', flag: '\\Seen', set: false },
      ],
    },
  );
  assert.deepEqual(keyOf('KEYWORD $Forwarded UNKEYWORD $Junk'), {
    kind: 'and',
    keys: [
      { kind: 'flag', flag: '$Forwarded', set: true },
      { kind: 'flag', flag: '$Junk', set: false },
    ],
  });
});

test('FROM, TO, CC, BCC and SUBJECT are header keys with lower-case fields; HEADER lower-cases its field', () => {
  assert.deepEqual(keyOf('FROM taro TO "Hanako Yamada" CC x BCC y SUBJECT "会議"'), {
    kind: 'and',
    keys: [
      { kind: 'header', field: 'from', value: 'taro' },
      { kind: 'header', field: 'to', value: 'Hanako Yamada' },
      { kind: 'header', field: 'cc', value: 'x' },
      { kind: 'header', field: 'bcc', value: 'y' },
      { kind: 'header', field: 'subject', value: '会議' },
    ],
  });
  assert.deepEqual(keyOf('HEADER Message-ID "<abc@example.com>"'), {
    kind: 'header',
    field: 'message-id',
    value: '<abc@example.com>',
  });
  assert.deepEqual(keyOf('HEADER X-Empty ""'), { kind: 'header', field: 'x-empty', value: '' });
});

test('BODY, TEXT, sizes, UID and sequence sets, $', () => {
  assert.deepEqual(
    keyOf('BODY invoice TEXT "due date" LARGER 1024 SMALLER 9007199254740991 UID 1:* 2,4:* $'),
    {
      kind: 'and',
      keys: [
        { kind: 'body', value: 'invoice' },
        { kind: 'text', value: 'due date' },
        { kind: 'size', op: 'larger', size: 1024 },
        { kind: 'size', op: 'smaller', size: 9007199254740991 },
        { kind: 'uid', set: { kind: 'set', ranges: [{ start: 1, end: '*' }] } },
        {
          kind: 'seq',
          set: {
            kind: 'set',
            ranges: [
              { start: 2, end: 2 },
              { start: 4, end: '*' },
            ],
          },
        },
        { kind: 'seq', set: { kind: 'saved' } },
      ],
    },
  );
});

test('dates, bare or quoted, with one- or two-digit days and any case of month', () => {
  assert.deepEqual(
    keyOf(
      'SINCE 1-Feb-1994 BEFORE "28-feb-2024" ON 29-FEB-2024 SENTBEFORE 01-Jan-2000 SENTON 9-Dec-1999 SENTSINCE "31-Dec-1999"',
    ),
    {
      kind: 'and',
      keys: [
        { kind: 'internaldate', op: 'since', date: '1994-02-01' },
        { kind: 'internaldate', op: 'before', date: '2024-02-28' },
        { kind: 'internaldate', op: 'on', date: '2024-02-29' },
        { kind: 'sentdate', op: 'before', date: '2000-01-01' },
        { kind: 'sentdate', op: 'on', date: '1999-12-09' },
        { kind: 'sentdate', op: 'since', date: '1999-12-31' },
      ],
    },
  );
});

test('NOT, OR and parenthesised groups nest; a group of one is that key', () => {
  assert.deepEqual(keyOf('OR (FROM a SEEN) NOT (TO b) (ALL)'), {
    kind: 'and',
    keys: [
      {
        kind: 'or',
        left: {
          kind: 'and',
          keys: [
            { kind: 'header', field: 'from', value: 'a' },
            { kind: 'flag', flag: '\\Seen', set: true },
          ],
        },
        right: { kind: 'not', key: { kind: 'header', field: 'to', value: 'b' } },
      },
      { kind: 'all' },
    ],
  });
  // Thunderbird's quick filter: an OR chain over several fields.
  assert.deepEqual(keyOf('OR OR OR FROM x TO x CC x SUBJECT x'), {
    kind: 'or',
    left: {
      kind: 'or',
      left: {
        kind: 'or',
        left: { kind: 'header', field: 'from', value: 'x' },
        right: { kind: 'header', field: 'to', value: 'x' },
      },
      right: { kind: 'header', field: 'cc', value: 'x' },
    },
    right: { kind: 'header', field: 'subject', value: 'x' },
  });
});

test('RFC 3501 NEW, OLD, RECENT; RFC 7162 MODSEQ with its entry; RFC 5032 OLDER and YOUNGER', () => {
  assert.deepEqual(
    keyOf('NEW OLD RECENT MODSEQ 5 MODSEQ "/flags/\\\\draft" all 620162338 OLDER 3600 YOUNGER 60'),
    {
      kind: 'and',
      keys: [
        { kind: 'new' },
        { kind: 'old' },
        { kind: 'recent', set: true },
        { kind: 'modseq', modseq: 5 },
        { kind: 'modseq', modseq: 620162338 },
        { kind: 'older', seconds: 3600 },
        { kind: 'younger', seconds: 60 },
      ],
    },
  );
});

test('RETURN options (RFC 4731, RFC 5182): deduplicated; an empty list means ALL', () => {
  assert.deepEqual(searchOf('t SEARCH RETURN (MIN MAX COUNT min) UNSEEN').returns, ['MIN', 'MAX', 'COUNT']);
  assert.deepEqual(searchOf('t UID SEARCH RETURN (SAVE) UID 1:*').returns, ['SAVE']);
  assert.deepEqual(searchOf('t SEARCH RETURN () ALL').returns, ['ALL']);
  assert.equal(searchOf('t SEARCH ALL').returns, undefined);
  badSearch('RETURN (PARTIAL 1:10) ALL', 'unknown RETURN option PARTIAL');
  badSearch('RETURN (MIN ALL', 'missing ")" closing the RETURN options');
});

test('CHARSET: UTF-8 by default; US-ASCII; other charsets decode the search strings', () => {
  assert.equal(searchOf('t SEARCH ALL').charset, 'UTF-8');
  assert.deepEqual(searchOf('t SEARCH CHARSET utf-8 SUBJECT "日本"'), {
    name: 'SEARCH',
    uid: false,
    charset: 'UTF-8',
    key: { kind: 'header', field: 'subject', value: '日本' },
  });
  assert.equal(searchOf('t SEARCH CHARSET "US-ASCII" ALL').charset, 'US-ASCII');
  // ISO-2022-JP is 7-bit: "日本" is ESC $ B F| K\ ESC ( B, sent as a literal (it holds ESC).
  const iso2022 = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42]);
  const withLiteral = Buffer.concat([
    Buffer.from(`t SEARCH CHARSET ISO-2022-JP SUBJECT {${iso2022.length}}\r\n`),
    iso2022,
    Buffer.from('\r\n'),
  ]);
  assert.deepEqual(searchOf(withLiteral).key, { kind: 'header', field: 'subject', value: '日本' });
  assert.equal(searchOf(withLiteral).charset, 'ISO-2022-JP');
  // Shift_JIS "日本" = 93 FA 96 7B, in a quoted string.
  const sjis = Buffer.concat([
    Buffer.from('t SEARCH CHARSET Shift_JIS BODY "'),
    Buffer.from([0x93, 0xfa, 0x96, 0x7b]),
    Buffer.from('"\r\n'),
  ]);
  assert.deepEqual(searchOf(sjis).key, { kind: 'body', value: '日本' });
  const eucJp = Buffer.concat([
    Buffer.from('t SEARCH CHARSET EUC-JP TEXT "'),
    Buffer.from([0xc6, 0xfc, 0xcb, 0xdc]),
    Buffer.from('"\r\n'),
  ]);
  assert.deepEqual(searchOf(eucJp).key, { kind: 'text', value: '日本' });
});

test('an unknown CHARSET is NO [BADCHARSET]; bytes invalid in the named charset are BAD', () => {
  assert.deepEqual(failureOf('t SEARCH CHARSET X-UNKNOWN ALL'), {
    tag: 't',
    status: 'NO',
    code: 'BADCHARSET (UTF-8 US-ASCII)',
    message: 'SEARCH: unknown charset X-UNKNOWN',
  });
  assert.deepEqual(failureOf('t UID SEARCH CHARSET ISO-2022-KR ALL'), {
    tag: 't',
    status: 'NO',
    code: 'BADCHARSET (UTF-8 US-ASCII)',
    message: 'UID SEARCH: unknown charset ISO-2022-KR',
  });
  const badUtf8 = Buffer.concat([
    Buffer.from('t SEARCH SUBJECT "'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"\r\n'),
  ]);
  assert.deepEqual(failureOf(badUtf8), {
    tag: 't',
    status: 'BAD',
    message: 'SEARCH: SUBJECT value is not valid UTF-8',
  });
  const badSjis = Buffer.concat([
    Buffer.from('t SEARCH CHARSET SHIFT_JIS BODY "'),
    Buffer.from([0x81]),
    Buffer.from('"\r\n'),
  ]);
  assert.deepEqual(failureOf(badSjis), {
    tag: 't',
    status: 'BAD',
    message: 'SEARCH: BODY value is not valid SHIFT_JIS',
  });
});

test('malformed search keys are BAD, naming what is wrong', () => {
  badSearch('', 'missing search key');
  badSearch('FOO', 'unknown search key FOO');
  badSearch('FROM', 'missing FROM value');
  badSearch('HEADER Subject', 'missing header value');
  badSearch('SINCE 1-Foo-2024', 'invalid SINCE date "1-Foo-2024" (a date is like 1-Feb-1994)');
  badSearch('BEFORE 30-Feb-2024', 'invalid BEFORE date "30-Feb-2024" (a date is like 1-Feb-1994)');
  badSearch('ON 1-Feb-94', 'invalid ON date "1-Feb-94" (a date is like 1-Feb-1994)');
  badSearch('SENTON 2024-02-01', 'invalid SENTON date "2024-02-01" (a date is like 1-Feb-1994)');
  badSearch('LARGER x', 'invalid LARGER size "x"');
  badSearch('LARGER 9223372036854775808', 'LARGER size is too large (at most 9007199254740991)');
  badSearch('OLDER 0', 'OLDER interval must not be 0');
  badSearch('UID 0:5', 'invalid UID set "0:5": 0 is not a message number');
  badSearch('1,,2', 'invalid sequence set "1,,2": unexpected ","');
  badSearch('OR FROM a', 'missing second key of OR');
  badSearch('NOT', 'missing key after NOT');
  badSearch('(FROM a', 'missing ")" closing the search key group');
  badSearch('FROM a)', 'unexpected ")" after the arguments');
  badSearch('()', 'invalid search key ")"');
  badSearch('KEYWORD \\Seen', 'invalid keyword "\\Seen"');
  badSearch('MODSEQ "/flags/" all 5', 'invalid MODSEQ entry name "/flags/"');
  badSearch('MODSEQ "/flags/\\\\seen" mine 5', 'invalid MODSEQ entry type MINE');
  badSearch('CHARSET', 'missing charset');
  badSearch('CHARSET UTF-8', 'missing search key');
  badSearch('ALL CHARSET UTF-8', 'unknown search key CHARSET');
});

test('nesting is bounded: deep but reasonable programs parse, hostile ones are BAD without a stack overflow', () => {
  const deep = `${'NOT '.repeat(MAX_SEARCH_DEPTH)}ALL`;
  let key = keyOf(deep);
  for (let depth = 0; depth < MAX_SEARCH_DEPTH; depth++) {
    assert.equal(key.kind, 'not');
    key = key.key;
  }
  assert.deepEqual(key, { kind: 'all' });
  badSearch(`${'('.repeat(100_000)}ALL${')'.repeat(100_000)}`, 'search keys nested too deeply');
  badSearch(`${'OR ALL '.repeat(20_000)}ALL`, 'search keys nested too deeply');
});

test('a SEARCH over 100,000 UIDs parses quickly', () => {
  const uids = Array.from({ length: 100_000 }, (_, i) => i * 3 + 1).join(',');
  const started = performance.now();
  const key = keyOf(`UID ${uids}`);
  // Generous: the machine running the tests may be busy; a quadratic parser takes minutes here.
  assert.ok(performance.now() - started < 2000);
  assert.equal(key.kind === 'uid' && key.set.kind === 'set' ? key.set.ranges.length : 0, 100_000);
  assert.deepEqual(keyOf('UID 7'), { kind: 'uid', set: one(7) });
});
