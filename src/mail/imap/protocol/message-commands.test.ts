import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandOf, failureOf } from './parse-one.ts';

const one = (n: number) => ({ kind: 'set', ranges: [{ start: n, end: n }] }) as const;

test('UID prefixes FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD and EXPUNGE only', () => {
  assert.deepEqual(commandOf('t uid search uid 5'), {
    name: 'SEARCH',
    uid: true,
    charset: 'UTF-8',
    key: { kind: 'uid', set: one(5) },
  });
  assert.deepEqual(failureOf('t UID SELECT INBOX'), {
    tag: 't',
    status: 'BAD',
    message: 'unknown command UID SELECT',
  });
  assert.deepEqual(failureOf('t UID'), {
    tag: 't',
    status: 'BAD',
    message: 'UID: missing command after UID',
  });
  assert.deepEqual(failureOf('t UID EXPUNGE'), {
    tag: 't',
    status: 'BAD',
    message: 'UID EXPUNGE: missing UID set',
  });
  assert.deepEqual(failureOf('t EXPUNGE 1:3'), {
    tag: 't',
    status: 'BAD',
    message: 'EXPUNGE: unexpected "1:3" after the arguments',
  });
});

test('STORE: every operation, UNCHANGEDSINCE, flags with or without parentheses; \\Recent is dropped', () => {
  assert.deepEqual(
    commandOf('t STORE 2:4 (UNCHANGEDSINCE 320162338) -FLAGS.SILENT \\Deleted $Junk \\Recent'),
    {
      name: 'STORE',
      uid: false,
      set: { kind: 'set', ranges: [{ start: 2, end: 4 }] },
      operation: 'remove',
      silent: true,
      flags: ['\\Deleted', '$Junk'],
      unchangedSince: 320162338,
    },
  );
  assert.deepEqual(commandOf('t STORE 1 flags ()'), {
    name: 'STORE',
    uid: false,
    set: one(1),
    operation: 'replace',
    silent: false,
    flags: [],
  });
  assert.deepEqual(commandOf('t UID STORE 1 FLAGS.SILENT (\\ANSWERED \\draft $MDNSent) '), {
    name: 'STORE',
    uid: true,
    set: one(1),
    operation: 'replace',
    silent: true,
    flags: ['\\Answered', '\\Draft', '$MDNSent'],
  });
});

test('malformed STORE is BAD', () => {
  const bad = (line: string, message: string): void =>
    assert.deepEqual(failureOf(line), { tag: 't', status: 'BAD', message });
  bad('t STORE 1 +FLAGZ (\\Seen)', 'STORE: unknown STORE item +FLAGZ');
  bad('t STORE 1 +FLAGS', 'STORE: missing flags');
  bad('t STORE 1 +FLAGS (\\Seen', 'STORE: missing ")" closing the flag list');
  bad('t STORE 1 +FLAGS (\\*)', 'STORE: invalid flag "*)"');
  bad('t STORE 1 (CHANGEDSINCE 5) FLAGS ()', 'STORE: unknown or repeated STORE modifier CHANGEDSINCE');
  bad('t STORE 1 (UNCHANGEDSINCE x) FLAGS ()', 'STORE: invalid UNCHANGEDSINCE mod-sequence "x)"');
  bad('t STORE 0 FLAGS ()', 'STORE: invalid sequence set "0": 0 is not a message number');
  bad('t STORE', 'STORE: missing sequence set');
});

test('SORT and ESORT (RFC 5256, RFC 5267) and THREAD', () => {
  assert.deepEqual(commandOf('t UID SORT (REVERSE ARRIVAL subject) UTF-8 SINCE 1-Jan-2024'), {
    name: 'SORT',
    uid: true,
    criteria: [
      { key: 'ARRIVAL', reverse: true },
      { key: 'SUBJECT', reverse: false },
    ],
    charset: 'UTF-8',
    key: { kind: 'internaldate', op: 'since', date: '2024-01-01' },
  });
  assert.deepEqual(commandOf('t SORT RETURN (MIN MAX) (DATE) US-ASCII UNSEEN'), {
    name: 'SORT',
    uid: false,
    returns: ['MIN', 'MAX'],
    criteria: [{ key: 'DATE', reverse: false }],
    charset: 'US-ASCII',
    key: { kind: 'flag', flag: '\\Seen', set: false },
  });
  assert.deepEqual(commandOf('t UID THREAD references UTF-8 ALL'), {
    name: 'THREAD',
    uid: true,
    algorithm: 'REFERENCES',
    charset: 'UTF-8',
    key: { kind: 'all' },
  });
  assert.deepEqual(commandOf('t THREAD ORDEREDSUBJECT UTF-8 SUBJECT hi'), {
    name: 'THREAD',
    uid: false,
    algorithm: 'ORDEREDSUBJECT',
    charset: 'UTF-8',
    key: { kind: 'header', field: 'subject', value: 'hi' },
  });
});

test('malformed SORT and THREAD are BAD (or NO [BADCHARSET])', () => {
  const bad = (line: string, message: string): void =>
    assert.deepEqual(failureOf(line), { tag: 't', status: 'BAD', message });
  bad('t SORT (REVERSE) UTF-8 ALL', 'SORT: expected SP before sort key after REVERSE, not ")"');
  bad('t SORT (REVERSE REVERSE DATE) UTF-8 ALL', 'SORT: unknown sort key REVERSE');
  bad('t SORT (DISPLAYFROM) UTF-8 ALL', 'SORT: unknown sort key DISPLAYFROM');
  bad('t SORT () UTF-8 ALL', 'SORT: invalid sort key ")"');
  bad('t SORT (DATE) UTF-8', 'SORT: missing search key');
  bad('t SORT DATE UTF-8 ALL', 'SORT: invalid sort criteria "DATE"');
  bad('t THREAD X-FANCY UTF-8 ALL', 'THREAD: unknown thread algorithm X-FANCY');
  bad('t THREAD REFERENCES UTF-8', 'THREAD: missing search key');
  assert.deepEqual(failureOf('t THREAD REFERENCES KOI9 ALL'), {
    tag: 't',
    status: 'NO',
    code: 'BADCHARSET (UTF-8 US-ASCII)',
    message: 'THREAD: unknown charset KOI9',
  });
  // The charset is not optional in SORT: what stands in its place is taken as one.
  assert.deepEqual(failureOf('t SORT (DATE) ALL'), {
    tag: 't',
    status: 'NO',
    code: 'BADCHARSET (UTF-8 US-ASCII)',
    message: 'SORT: unknown charset ALL',
  });
});
