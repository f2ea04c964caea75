import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameText } from './command-parser.ts';
import { CommandReader } from './command-reader.ts';
import { commandOf, failureOf, parseOne } from './parse-one.ts';

const all = { kind: 'set', ranges: [{ start: 1, end: '*' }] } as const;
const one = (n: number) => ({ kind: 'set', ranges: [{ start: n, end: n }] }) as const;

test('a session as Python imaplib sends it', () => {
  assert.deepEqual(parseOne('ABCD1 CAPABILITY'), { tag: 'ABCD1', command: { name: 'CAPABILITY' } });
  assert.deepEqual(commandOf('ABCD2 LOGIN taro@example.com "pass \\"word\\""'), {
    name: 'LOGIN',
    user: 'taro@example.com',
    password: 'pass "word"',
  });
  assert.deepEqual(commandOf('ABCD3 SELECT INBOX'), { name: 'SELECT', mailbox: 'INBOX', condstore: false });
  assert.deepEqual(commandOf('ABCD4 SEARCH ALL'), {
    name: 'SEARCH',
    uid: false,
    charset: 'UTF-8',
    key: { kind: 'all' },
  });
  assert.deepEqual(commandOf('ABCD5 FETCH 1 (RFC822)'), {
    name: 'FETCH',
    uid: false,
    set: one(1),
    items: [{ kind: 'RFC822' }],
    modifiers: {},
  });
  assert.deepEqual(commandOf('ABCD6 UID STORE 5 +FLAGS (\\Deleted)'), {
    name: 'STORE',
    uid: true,
    set: one(5),
    operation: 'add',
    silent: false,
    flags: ['\\Deleted'],
  });
  assert.deepEqual(commandOf('ABCD7 EXPUNGE'), { name: 'EXPUNGE' });
  assert.deepEqual(commandOf('ABCD8 LSUB "" "*"'), { name: 'LSUB', reference: '', pattern: '*' });
  assert.deepEqual(commandOf('ABCD9 AUTHENTICATE PLAIN'), { name: 'AUTHENTICATE', mechanism: 'PLAIN' });
  assert.deepEqual(commandOf('ABCD10 LOGOUT'), { name: 'LOGOUT' });
});

test('a session as Thunderbird sends it (lower-case command names)', () => {
  assert.deepEqual(commandOf('3 ID ("name" "Thunderbird" "version" "115.3.1")'), {
    name: 'ID',
    params: [
      ['name', 'Thunderbird'],
      ['version', '115.3.1'],
    ],
  });
  assert.deepEqual(commandOf('4 authenticate PLAIN AHRhcm8AcGFzcw=='), {
    name: 'AUTHENTICATE',
    mechanism: 'PLAIN',
    initialResponse: 'AHRhcm8AcGFzcw==',
  });
  assert.deepEqual(commandOf('5 select "INBOX" (CONDSTORE)'), {
    name: 'SELECT',
    mailbox: 'INBOX',
    condstore: true,
  });
  assert.deepEqual(commandOf('6 list (SUBSCRIBED) "" "*" RETURN (SPECIAL-USE)'), {
    name: 'LIST',
    selection: ['SUBSCRIBED'],
    reference: '',
    patterns: ['*'],
    returns: { subscribed: false, children: false, specialUse: true },
  });
  assert.deepEqual(commandOf('7 UID fetch 1:* (FLAGS) (CHANGEDSINCE 1234)'), {
    name: 'FETCH',
    uid: true,
    set: all,
    items: [{ kind: 'FLAGS' }],
    modifiers: { changedSince: 1234 },
  });
  assert.deepEqual(commandOf('8 UID store 3 +Flags (\\Seen)'), {
    name: 'STORE',
    uid: true,
    set: one(3),
    operation: 'add',
    silent: false,
    flags: ['\\Seen'],
  });
  assert.deepEqual(commandOf('9 UID MOVE 5 "Trash"'), {
    name: 'MOVE',
    uid: true,
    set: one(5),
    mailbox: 'Trash',
  });
  assert.deepEqual(commandOf('10 getquotaroot "INBOX"'), { name: 'GETQUOTAROOT', mailbox: 'INBOX' });
  assert.deepEqual(commandOf('11 IDLE'), { name: 'IDLE' });
  assert.deepEqual(commandOf('12 namespace'), { name: 'NAMESPACE' });
});

test('a session as iOS Mail sends it', () => {
  assert.deepEqual(
    commandOf('1 ID ("name" "iPhone Mail" "version" "20E252" "os" "iOS" "os-version" "16.4.1 (20E252)")'),
    {
      name: 'ID',
      params: [
        ['name', 'iPhone Mail'],
        ['version', '20E252'],
        ['os', 'iOS'],
        ['os-version', '16.4.1 (20E252)'],
      ],
    },
  );
  assert.deepEqual(commandOf('2 LOGIN "taro" "secret"'), { name: 'LOGIN', user: 'taro', password: 'secret' });
  assert.deepEqual(commandOf('3 EXAMINE "Sent Messages"'), {
    name: 'EXAMINE',
    mailbox: 'Sent Messages',
    condstore: false,
  });
  assert.deepEqual(commandOf('4 UID SEARCH 1:* NOT DELETED'), {
    name: 'SEARCH',
    uid: true,
    charset: 'UTF-8',
    key: {
      kind: 'and',
      keys: [
        { kind: 'seq', set: all },
        { kind: 'not', key: { kind: 'flag', flag: '\\Deleted', set: true } },
      ],
    },
  });
  assert.deepEqual(commandOf('5 STATUS "Drafts" (MESSAGES UIDNEXT UIDVALIDITY UNSEEN)'), {
    name: 'STATUS',
    mailbox: 'Drafts',
    items: ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN'],
  });
  assert.deepEqual(failureOf('6 COMPRESS DEFLATE'), {
    tag: '6',
    status: 'BAD',
    message: 'unknown command COMPRESS',
  });
});

test('a session as imapflow sends it, with LITERAL+ and QRESYNC', () => {
  assert.deepEqual(commandOf('A1 ENABLE CONDSTORE UTF8=ACCEPT'), {
    name: 'ENABLE',
    capabilities: ['CONDSTORE', 'UTF8=ACCEPT'],
  });
  assert.deepEqual(commandOf('A2 SELECT INBOX (QRESYNC (1700000000 12 1:50))'), {
    name: 'SELECT',
    mailbox: 'INBOX',
    condstore: false,
    qresync: {
      uidValidity: 1700000000,
      modseq: 12,
      knownUids: { kind: 'set', ranges: [{ start: 1, end: 50 }] },
    },
  });
  assert.deepEqual(commandOf('A3 LIST "" "*" RETURN (SPECIAL-USE SUBSCRIBED)'), {
    name: 'LIST',
    selection: [],
    reference: '',
    patterns: ['*'],
    returns: { subscribed: true, children: false, specialUse: true },
  });
  assert.deepEqual(commandOf('A4 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)'), {
    name: 'STATUS',
    mailbox: 'INBOX',
    items: ['MESSAGES', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ'],
  });
  assert.deepEqual(commandOf(Buffer.from('A5 APPEND INBOX (\\Seen) {11+}\r\nhello world\r\n')), {
    name: 'APPEND',
    mailbox: 'INBOX',
    flags: ['\\Seen'],
    message: Buffer.from('hello world'),
    binary: false,
  });
  assert.deepEqual(commandOf('A6 UID EXPUNGE 5,7:9'), {
    name: 'UID EXPUNGE',
    set: {
      kind: 'set',
      ranges: [
        { start: 5, end: 5 },
        { start: 7, end: 9 },
      ],
    },
  });
  assert.deepEqual(commandOf('A7 UID MOVE 1,3 Archive'), {
    name: 'MOVE',
    uid: true,
    set: {
      kind: 'set',
      ranges: [
        { start: 1, end: 1 },
        { start: 3, end: 3 },
      ],
    },
    mailbox: 'Archive',
  });
});

test('a session as mbsync sends it', () => {
  assert.deepEqual(commandOf('1 UID FETCH 1:1000000000 (UID FLAGS)'), {
    name: 'FETCH',
    uid: true,
    set: { kind: 'set', ranges: [{ start: 1, end: 1000000000 }] },
    items: [{ kind: 'UID' }, { kind: 'FLAGS' }],
    modifiers: {},
  });
  assert.deepEqual(commandOf('2 UID STORE 5 +FLAGS.SILENT (\\Seen \\Flagged)'), {
    name: 'STORE',
    uid: true,
    set: one(5),
    operation: 'add',
    silent: true,
    flags: ['\\Seen', '\\Flagged'],
  });
  assert.deepEqual(commandOf(Buffer.from('3 APPEND "INBOX" (\\Seen) {5}\r\nHello\r\n')), {
    name: 'APPEND',
    mailbox: 'INBOX',
    flags: ['\\Seen'],
    message: Buffer.from('Hello'),
    binary: false,
  });
  assert.deepEqual(commandOf('4 CREATE "Foo/Bar"'), { name: 'CREATE', mailbox: 'Foo/Bar', specialUse: [] });
  assert.deepEqual(commandOf('5 CLOSE'), { name: 'CLOSE' });
});

test('LOGIN with literals for user and password, and UTF-8 in them', () => {
  assert.deepEqual(commandOf(Buffer.from('a LOGIN {4}\r\nfred {11}\r\nsec ret "\\x\r\n')), {
    name: 'LOGIN',
    user: 'fred',
    password: 'sec ret "\\x',
  });
  assert.deepEqual(commandOf('a LOGIN "太郎" "パスワード"'), {
    name: 'LOGIN',
    user: '太郎',
    password: 'パスワード',
  });
});

test('the remaining simple commands, in any case', () => {
  for (const name of ['NOOP', 'STARTTLS', 'CHECK', 'UNSELECT'] as const) {
    assert.deepEqual(parseOne(`t1 ${name.toLowerCase()}`), { tag: 't1', command: { name } });
  }
  assert.deepEqual(commandOf('t ID NIL'), { name: 'ID', params: null });
  assert.deepEqual(commandOf('t ID ()'), { name: 'ID', params: [] });
  assert.deepEqual(commandOf('t AUTHENTICATE plain ='), {
    name: 'AUTHENTICATE',
    mechanism: 'PLAIN',
    initialResponse: '=',
  });
  assert.deepEqual(commandOf('t DELETE "Old Stuff"'), { name: 'DELETE', mailbox: 'Old Stuff' });
  assert.deepEqual(commandOf('t RENAME Old "New &ZeVnLIqe-"'), {
    name: 'RENAME',
    from: 'Old',
    to: 'New &ZeVnLIqe-',
  });
  assert.deepEqual(commandOf('t SUBSCRIBE Lists'), { name: 'SUBSCRIBE', mailbox: 'Lists' });
  assert.deepEqual(commandOf('t UNSUBSCRIBE Lists'), { name: 'UNSUBSCRIBE', mailbox: 'Lists' });
  assert.deepEqual(commandOf('t GETQUOTA ""'), { name: 'GETQUOTA', root: '' });
  assert.deepEqual(commandOf('t SETQUOTA "" (storage 512 MESSAGE 1000)'), {
    name: 'SETQUOTA',
    root: '',
    limits: [
      ['STORAGE', 512],
      ['MESSAGE', 1000],
    ],
  });
  assert.deepEqual(commandOf('t SETQUOTA "" ()'), { name: 'SETQUOTA', root: '', limits: [] });
  assert.deepEqual(commandOf('t COPY 2:4 MEETING'), {
    name: 'COPY',
    uid: false,
    set: { kind: 'set', ranges: [{ start: 2, end: 4 }] },
    mailbox: 'MEETING',
  });
  assert.deepEqual(commandOf('t UID COPY $ "[Gmail]/All Mail"'), {
    name: 'COPY',
    uid: true,
    set: { kind: 'saved' },
    mailbox: '[Gmail]/All Mail',
  });
});

test('mailbox names are left as sent: modified UTF-7 stays encoded, INBOX keeps its case', () => {
  assert.deepEqual(commandOf('t SELECT inbox'), { name: 'SELECT', mailbox: 'inbox', condstore: false });
  assert.deepEqual(commandOf('t SELECT &ZeVnLIqe-'), {
    name: 'SELECT',
    mailbox: '&ZeVnLIqe-',
    condstore: false,
  });
  assert.deepEqual(commandOf('t SELECT "日本語"'), { name: 'SELECT', mailbox: '日本語', condstore: false });
  assert.deepEqual(commandOf('t SELECT [Gmail]/Sent'), {
    name: 'SELECT',
    mailbox: '[Gmail]/Sent',
    condstore: false,
  });
});

test('a missing or invalid tag gives a failure without a tag', () => {
  assert.deepEqual(failureOf(''), { status: 'BAD', message: 'empty command line' });
  assert.deepEqual(failureOf(' NOOP'), { status: 'BAD', message: 'missing or invalid tag' });
  assert.deepEqual(failureOf('+ NOOP'), { status: 'BAD', message: 'missing or invalid tag' });
  assert.deepEqual(failureOf('a+b NOOP'), { status: 'BAD', message: 'missing or invalid tag' });
  assert.deepEqual(failureOf('a(1 NOOP'), { status: 'BAD', message: 'missing or invalid tag' });
  assert.deepEqual(failureOf('"a1" NOOP'), { status: 'BAD', message: 'missing or invalid tag' });
  assert.deepEqual(failureOf('* NOOP'), { status: 'BAD', message: 'missing or invalid tag' });
  // A tag alone, or with an unknown command, is answered with that tag.
  assert.deepEqual(failureOf('a1'), { tag: 'a1', status: 'BAD', message: 'missing command name' });
  assert.deepEqual(failureOf('a1 XYZ'), { tag: 'a1', status: 'BAD', message: 'unknown command XYZ' });
  assert.deepEqual(failureOf('a]1 "NOOP"'), {
    tag: 'a]1',
    status: 'BAD',
    message: 'invalid command name ""NOOP""',
  });
});

test('missing and extra arguments are BAD, naming what is missing', () => {
  const bad = (line: string, message: string): void =>
    assert.deepEqual(failureOf(line), { tag: 't', status: 'BAD', message });
  bad('t LOGIN fred', 'LOGIN: missing password');
  bad('t LOGIN', 'LOGIN: missing user name');
  bad('t LOGIN fred secret extra', 'LOGIN: unexpected "extra" after the arguments');
  bad('t LOGIN fred  secret', 'LOGIN: invalid password " secret"');
  bad('t NOOP now', 'NOOP: unexpected "now" after the arguments');
  bad('t AUTHENTICATE', 'AUTHENTICATE: missing SASL mechanism');
  bad('t AUTHENTICATE PLAIN AHRh*cm8A', 'AUTHENTICATE: unexpected "*cm8A" after the arguments');
  bad('t AUTHENTICATE PLAIN abc', 'AUTHENTICATE: the initial response is not base64');
  bad('t ENABLE', 'ENABLE: missing capability');
  bad('t ID', 'ID: missing ID parameters');
  bad('t ID ("name")', 'ID: expected SP before ID value, not ")"');
  bad('t ID ("name" "x"', 'ID: missing ")" closing the ID parameters');
  bad('t RENAME a', 'RENAME: missing new mailbox name');
  bad('t COPY 1:2', 'COPY: missing mailbox name');
  bad('t MOVE INBOX Trash', 'MOVE: invalid sequence set "INBOX"');
  bad('t GETQUOTAROOT', 'GETQUOTAROOT: missing mailbox name');
  bad('t SETQUOTA "" (STORAGE)', 'SETQUOTA: expected SP before STORAGE limit, not ")"');
  bad(
    't SETQUOTA "" (STORAGE 99999999999999999999)',
    'SETQUOTA: STORAGE limit is too large (at most 9007199254740991)',
  );
  bad('t DELETE "unterminated', 'DELETE: mailbox name: unterminated quoted string');
});

test('the failure keeps its tag for literals that follow: parse errors after a literal', () => {
  assert.deepEqual(failureOf(Buffer.from('t1 LOGIN {4}\r\nfred\r\n')), {
    tag: 't1',
    status: 'BAD',
    message: 'LOGIN: missing password',
  });
});

test('frameText gives the line octet for octet, for AUTHENTICATE responses and DONE', () => {
  const events = new CommandReader().feed(Buffer.from('AHRhcm8AcGFzcw==\r\nDONE\n'));
  const texts = events.map((event) => (event.kind === 'frame' ? frameText(event.frame) : event.kind));
  assert.deepEqual(texts, ['AHRhcm8AcGFzcw==', 'DONE']);
  assert.equal(frameText({ chunks: [{ kind: 'text', bytes: Buffer.from([0x61, 0xff]) }] }), 'a\u00ff');
});
