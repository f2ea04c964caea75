import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParserOptions } from './command-parser.ts';
import { commandOf, failureOf } from './parse-one.ts';

const one = (n: number) => ({ kind: 'set', ranges: [{ start: n, end: n }] }) as const;

test('SELECT and EXAMINE parameters: CONDSTORE and QRESYNC with known UIDs and sequence match data', () => {
  assert.deepEqual(commandOf('t EXAMINE INBOX (CONDSTORE QRESYNC (67890007 9007199254740991))'), {
    name: 'EXAMINE',
    mailbox: 'INBOX',
    condstore: true,
    qresync: { uidValidity: 67890007, modseq: 9007199254740991 },
  });
  // RFC 7162 §3.2.5.2's example, with a mod-sequence this server could have given.
  assert.deepEqual(
    commandOf('t SELECT INBOX (QRESYNC (67890007 90060115194045 41,43:211,214:541 (1,3 5,7)))'),
    {
      name: 'SELECT',
      mailbox: 'INBOX',
      condstore: false,
      qresync: {
        uidValidity: 67890007,
        modseq: 90060115194045,
        knownUids: {
          kind: 'set',
          ranges: [
            { start: 41, end: 41 },
            { start: 43, end: 211 },
            { start: 214, end: 541 },
          ],
        },
        sequenceMatch: {
          seqs: {
            kind: 'set',
            ranges: [
              { start: 1, end: 1 },
              { start: 3, end: 3 },
            ],
          },
          uids: {
            kind: 'set',
            ranges: [
              { start: 5, end: 5 },
              { start: 7, end: 7 },
            ],
          },
        },
      },
    },
  );
  assert.deepEqual(commandOf('t SELECT INBOX (QRESYNC (1 2 (1 5)))'), {
    name: 'SELECT',
    mailbox: 'INBOX',
    condstore: false,
    qresync: { uidValidity: 1, modseq: 2, sequenceMatch: { seqs: one(1), uids: one(5) } },
  });
});

test('malformed SELECT parameters are BAD, naming the problem', () => {
  const bad = (line: string, message: string): void =>
    assert.deepEqual(failureOf(line), { tag: 't', status: 'BAD', message });
  bad('t SELECT INBOX (FOO)', 'SELECT: unknown or repeated parameter FOO');
  bad('t SELECT INBOX (CONDSTORE CONDSTORE)', 'SELECT: unknown or repeated parameter CONDSTORE');
  bad('t SELECT INBOX (QRESYNC (0 5))', 'SELECT: QRESYNC UIDVALIDITY must not be 0');
  bad('t SELECT INBOX (QRESYNC (1 5 1:*))', 'SELECT: invalid known UIDs "1:*": "*" is not allowed here');
  bad(
    't SELECT INBOX (QRESYNC (1 9007199254740992))',
    'SELECT: QRESYNC mod-sequence is too large (at most 9007199254740991)',
  );
  bad('t SELECT INBOX (QRESYNC (1))', 'SELECT: expected SP before QRESYNC mod-sequence, not "))"');
  bad('t SELECT INBOX (CONDSTORE', 'SELECT: missing ")" closing the select parameters');
  bad('t SELECT', 'SELECT: missing mailbox name');
});

test('CREATE with special-use attributes (RFC 6154), canonical case for the known ones', () => {
  assert.deepEqual(commandOf('t CREATE Sent (USE (\\sent))'), {
    name: 'CREATE',
    mailbox: 'Sent',
    specialUse: ['\\Sent'],
  });
  assert.deepEqual(commandOf('t CREATE "My Junk" (USE (\\Junk \\Trash \\Important))'), {
    name: 'CREATE',
    mailbox: 'My Junk',
    specialUse: ['\\Junk', '\\Trash', '\\Important'],
  });
  assert.deepEqual(failureOf('t CREATE X (USE (Sent))'), {
    tag: 't',
    status: 'BAD',
    message: 'CREATE: invalid special-use attribute "Sent))"',
  });
  assert.deepEqual(failureOf('t CREATE X (COLOR red)'), {
    tag: 't',
    status: 'BAD',
    message: 'CREATE: unknown parameter COLOR',
  });
});

test('LIST-EXTENDED: selection options, several patterns, RETURN with STATUS', () => {
  assert.deepEqual(commandOf('t LIST (SUBSCRIBED RECURSIVEMATCH REMOTE) "" ("INBOX" "Lists/%" *)'), {
    name: 'LIST',
    selection: ['SUBSCRIBED', 'RECURSIVEMATCH', 'REMOTE'],
    reference: '',
    patterns: ['INBOX', 'Lists/%', '*'],
    returns: { subscribed: false, children: false, specialUse: false },
  });
  assert.deepEqual(
    commandOf('t LIST () "Work/" % RETURN (CHILDREN SUBSCRIBED STATUS (MESSAGES SIZE DELETED))'),
    {
      name: 'LIST',
      selection: [],
      reference: 'Work/',
      patterns: ['%'],
      returns: {
        subscribed: true,
        children: true,
        specialUse: false,
        status: ['MESSAGES', 'SIZE', 'DELETED'],
      },
    },
  );
  assert.deepEqual(commandOf('t LIST (SPECIAL-USE) "" "*" RETURN ()'), {
    name: 'LIST',
    selection: ['SPECIAL-USE'],
    reference: '',
    patterns: ['*'],
    returns: { subscribed: false, children: false, specialUse: false },
  });
  assert.deepEqual(commandOf(Buffer.from('t LIST "" {5}\r\nfoo/*\r\n')), {
    name: 'LIST',
    selection: [],
    reference: '',
    patterns: ['foo/*'],
    returns: { subscribed: false, children: false, specialUse: false },
  });
});

test('malformed LIST, LSUB and STATUS are BAD', () => {
  const bad = (line: string, message: string): void =>
    assert.deepEqual(failureOf(line), { tag: 't', status: 'BAD', message });
  bad('t LIST (RECURSIVEMATCH) "" *', 'LIST: RECURSIVEMATCH needs SUBSCRIBED (RFC 5258 §3.1)');
  bad('t LIST (FOO) "" *', 'LIST: unknown selection option FOO');
  bad('t LIST "" * RETURN (BAR)', 'LIST: unknown or repeated RETURN option BAR');
  bad('t LIST "" * EXTRA', 'LIST: invalid RETURN options "EXTRA"');
  bad('t LIST "" ()', 'LIST: invalid mailbox pattern ")"');
  bad('t LIST ""', 'LIST: missing mailbox pattern');
  bad('t LSUB ""', 'LSUB: missing mailbox pattern');
  bad('t STATUS INBOX ()', 'STATUS: invalid status item ")"');
  bad('t STATUS INBOX (MESSAGES BOGUS)', 'STATUS: unknown status item BOGUS');
  bad('t STATUS INBOX MESSAGES', 'STATUS: invalid status items "MESSAGES"');
  bad('t STATUS INBOX (MESSAGES', 'STATUS: missing ")" closing the status items');
});

test('STATUS takes every item this server knows, in any case, once each', () => {
  assert.deepEqual(
    commandOf(
      't STATUS x (messages recent uidnext uidvalidity unseen deleted size highestmodseq appendlimit unseen)',
    ),
    {
      name: 'STATUS',
      mailbox: 'x',
      items: [
        'MESSAGES',
        'RECENT',
        'UIDNEXT',
        'UIDVALIDITY',
        'UNSEEN',
        'DELETED',
        'SIZE',
        'HIGHESTMODSEQ',
        'APPENDLIMIT',
      ],
    },
  );
});

test('APPEND: flags, date-time, literal or literal8, and the UTF8 form once UTF8=ACCEPT is on', () => {
  assert.deepEqual(
    commandOf(
      Buffer.from('A003 APPEND saved-messages (\\Seen) "17-Jul-1996 02:44:25 -0700" {5}\r\nHello\r\n'),
    ),
    {
      name: 'APPEND',
      mailbox: 'saved-messages',
      flags: ['\\Seen'],
      date: Date.UTC(1996, 6, 17, 9, 44, 25),
      message: Buffer.from('Hello'),
      binary: false,
    },
  );
  assert.deepEqual(commandOf(Buffer.from('t APPEND INBOX " 7-Feb-1994 21:52:25 +0900" ~{3}\r\na\0b\r\n')), {
    name: 'APPEND',
    mailbox: 'INBOX',
    flags: [],
    date: Date.UTC(1994, 1, 7, 12, 52, 25),
    message: Buffer.from('a\0b'),
    binary: true,
  });
  assert.deepEqual(commandOf(Buffer.from('t APPEND {5}\r\nDraft () {2}\r\nhi\r\n')), {
    name: 'APPEND',
    mailbox: 'Draft',
    flags: [],
    message: Buffer.from('hi'),
    binary: false,
  });
  assert.deepEqual(
    commandOf(Buffer.from('t APPEND INBOX (\\Recent $Label1) UTF8 (~{2}\r\nhi)\r\n'), { utf8: true }),
    {
      name: 'APPEND',
      mailbox: 'INBOX',
      flags: ['$Label1'],
      message: Buffer.from('hi'),
      binary: true,
    },
  );
});

test('malformed APPEND is BAD: bad date, no literal, NUL in a plain literal, UTF8 form without UTF8=ACCEPT', () => {
  const bad = (input: string, message: string, options?: ParserOptions): void =>
    assert.deepEqual(failureOf(Buffer.from(input), options), { tag: 't', status: 'BAD', message });
  bad(
    't APPEND INBOX "31-Feb-2024 10:00:00 +0000" {1}\r\nx\r\n',
    'APPEND: invalid date-time "31-Feb-2024 10:00:00 +0000" (like "17-Jul-1996 02:44:25 -0700")',
  );
  bad(
    't APPEND INBOX "17-Jul-1996 24:00:00 +0000" {1}\r\nx\r\n',
    'APPEND: invalid date-time "17-Jul-1996 24:00:00 +0000" (like "17-Jul-1996 02:44:25 -0700")',
  );
  bad('t APPEND INBOX "hello"\r\n', 'APPEND: invalid date-time "hello" (like "17-Jul-1996 02:44:25 -0700")');
  bad('t APPEND INBOX (\\Seen)\r\n', 'APPEND: missing message literal');
  bad('t APPEND INBOX hello\r\n', 'APPEND: invalid message literal "hello"');
  bad('t APPEND INBOX {3}\r\na\0b\r\n', 'APPEND: the message holds NUL octets: send it as a literal8 (~{n})');
  bad('t APPEND INBOX UTF8 (~{2}\r\nhi)\r\n', 'APPEND: invalid message literal "UTF8"');
  bad('t APPEND INBOX {2}\r\nhi {2}\r\nho\r\n', 'APPEND: unexpected literal after the arguments');
  bad('t APPEND INBOX (\\Seen {2}\r\nhi\r\n', 'APPEND: unexpected literal where flag was expected');
});
