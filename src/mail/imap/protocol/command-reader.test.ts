import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CommandReader,
  DEFAULT_READER_LIMITS,
  type ReaderEvent,
  type ReaderLimits,
} from './command-reader.ts';

/** Events as plain data, literal and text bytes as latin1 strings, for readable deep-equals. */
type Plain = { kind: 'frame'; chunks: Array<[string, string]> } | Exclude<ReaderEvent, { kind: 'frame' }>;

function plain(events: ReaderEvent[]): Plain[] {
  return events.map((event) => {
    if (event.kind !== 'frame') return event;
    const chunks = event.frame.chunks.map((chunk): [string, string] => [
      chunk.kind === 'text' ? 'text' : chunk.binary ? 'literal8' : 'literal',
      chunk.bytes.toString('latin1'),
    ]);
    return { kind: 'frame', chunks };
  });
}

function feedIn(pieces: Buffer[], limits?: Partial<ReaderLimits>): Plain[] {
  const reader = new CommandReader(limits);
  return plain(pieces.flatMap((piece) => reader.feed(piece)));
}

/** All at once, cut in two at every byte, and byte by byte: the events must be the same. */
function assertSameAtEverySplit(input: Buffer, expected: Plain[], limits?: Partial<ReaderLimits>): void {
  assert.deepEqual(feedIn([input], limits), expected, 'all at once');
  for (let at = 0; at <= input.length; at++) {
    assert.deepEqual(
      feedIn([input.subarray(0, at), input.subarray(at)], limits),
      expected,
      `split at byte ${at}`,
    );
  }
  const bytes = [...input].map((byte) => Buffer.from([byte]));
  assert.deepEqual(feedIn(bytes, limits), expected, 'byte by byte');
}

const text = (value: string): [string, string] => ['text', value];
const literal = (value: string): [string, string] => ['literal', value];
const frame = (...chunks: Array<[string, string]>): Plain => ({ kind: 'frame', chunks });

test('pipelined lines, CRLF or bare LF, are framed the same at every split point', () => {
  const input = Buffer.from('a1 NOOP\r\na2 CAPABILITY\na3 LOGOUT\r\n\r\n', 'latin1');
  assertSameAtEverySplit(input, [
    frame(text('a1 NOOP')),
    frame(text('a2 CAPABILITY')),
    frame(text('a3 LOGOUT')),
    frame(text('')),
  ]);
});

test('literals of every kind, at every split point: continue for {n} only, literal8 may hold NUL', () => {
  const input = Buffer.concat([
    Buffer.from('a1 LOGIN {4}\r\nfred {11+}\r\nsec{3}\r\nret\r\n', 'latin1'),
    Buffer.from('a2 APPEND INBOX ~{5}\r\nx\0y\r\n', 'latin1'),
    Buffer.from('\r\na3 APPEND INBOX ~{3+}\r\n\0\0\0\r\n', 'latin1'),
    Buffer.from('a4 LOGIN {0}\r\n {0+}\r\n\r\n', 'latin1'),
  ]);
  assertSameAtEverySplit(input, [
    { kind: 'continue', size: 4 },
    frame(text('a1 LOGIN '), literal('fred'), text(' '), literal('sec{3}\r\nret'), text('')),
    { kind: 'continue', size: 5 },
    frame(text('a2 APPEND INBOX '), ['literal8', 'x\0y\r\n'], text('')),
    frame(text('a3 APPEND INBOX '), ['literal8', '\0\0\0'], text('')),
    { kind: 'continue', size: 0 },
    frame(text('a4 LOGIN '), literal(''), text(' '), literal(''), text('')),
  ]);
});

test('a literal marker must end the line: braces elsewhere are plain text', () => {
  assert.deepEqual(
    feedIn([Buffer.from('a1 SEARCH SUBJECT "{5}" ALL\r\na2 X {5 }\r\na3 X {}\r\na4 X {+}\r\n')]),
    [
      frame(text('a1 SEARCH SUBJECT "{5}" ALL')),
      frame(text('a2 X {5 }')),
      frame(text('a3 X {}')),
      frame(text('a4 X {+}')),
    ],
  );
});

test('a synchronising literal over the limit is refused BAD [TOOBIG] before it is sent, and the next command is read', () => {
  const input = Buffer.from('a1 LOGIN {20}\r\na2 NOOP\r\n', 'latin1');
  assertSameAtEverySplit(
    input,
    [
      {
        kind: 'refuse',
        tag: 'a1',
        status: 'BAD',
        code: 'TOOBIG',
        message: 'literal too big: 20 octets, the limit is 10',
        fatal: false,
      },
      frame(text('a2 NOOP')),
    ],
    { maxLiteralBytes: 10 },
  );
});

test('a non-synchronising literal over the limit is refused as fatal, and nothing more is read', () => {
  const reader = new CommandReader({ maxLiteralBytes: 10 });
  assert.deepEqual(reader.feed(Buffer.from('a1 LOGIN {20+}\r\n01234567890123456789 x\r\n')), [
    {
      kind: 'refuse',
      tag: 'a1',
      status: 'BAD',
      code: 'TOOBIG',
      message: 'literal too big: 20 octets, the limit is 10',
      fatal: true,
    },
  ]);
  assert.deepEqual(reader.feed(Buffer.from('a2 NOOP\r\n')), []);
  assert.equal(reader.buffered, 0);
  assertSameAtEverySplit(
    Buffer.from('a0 NOOP\r\na1 APPEND INBOX {30+}\r\n012345678901234567890123456789\r\na2 NOOP\r\n'),
    [
      frame(text('a0 NOOP')),
      {
        kind: 'refuse',
        tag: 'a1',
        status: 'BAD',
        code: 'TOOBIG',
        message: 'message too big: 30 octets, the limit is 20',
        fatal: true,
      },
    ],
    { maxAppendBytes: 20 },
  );
});

test("APPEND's message is held to maxAppendBytes (NO [TOOBIG] when synchronising), its mailbox literal to maxLiteralBytes", () => {
  const limits = { maxLiteralBytes: 8, maxAppendBytes: 20, maxCommandBytes: 40 };
  // A message bigger than maxLiteralBytes and maxCommandBytes together is fine within APPENDLIMIT.
  assert.deepEqual(feedIn([Buffer.from(`a1 append {5}\r\nINBOX {20+}\r\n${'m'.repeat(20)}\r\n`)], limits), [
    { kind: 'continue', size: 5 },
    frame(text('a1 append '), literal('INBOX'), text(' '), literal('m'.repeat(20)), text('')),
  ]);
  assert.deepEqual(feedIn([Buffer.from('a2 APPEND INBOX (\\Seen) {21}\r\na3 NOOP\r\n')], limits), [
    {
      kind: 'refuse',
      tag: 'a2',
      status: 'NO',
      code: 'TOOBIG',
      message: 'message too big: 21 octets, the limit is 20',
      fatal: false,
    },
    frame(text('a3 NOOP')),
  ]);
  assert.deepEqual(feedIn([Buffer.from('a4 APPEND INBOX {21+}\r\n')], limits), [
    {
      kind: 'refuse',
      tag: 'a4',
      status: 'BAD',
      code: 'TOOBIG',
      message: 'message too big: 21 octets, the limit is 20',
      fatal: true,
    },
  ]);
  assert.deepEqual(feedIn([Buffer.from('a5 APPEND {9}\r\n')], limits), [
    {
      kind: 'refuse',
      tag: 'a5',
      status: 'BAD',
      code: 'TOOBIG',
      message: 'literal too big: 9 octets, the limit is 8',
      fatal: false,
    },
  ]);
});

test('setLimits raises APPENDLIMIT for the next command', () => {
  const reader = new CommandReader({ maxAppendBytes: 4 });
  assert.equal(plain(reader.feed(Buffer.from('a1 APPEND INBOX {5}\r\n')))[0]?.kind, 'refuse');
  reader.setLimits({ maxAppendBytes: 5 });
  assert.deepEqual(plain(reader.feed(Buffer.from('a2 APPEND INBOX {5}\r\nhello\r\n'))), [
    { kind: 'continue', size: 5 },
    frame(text('a2 APPEND INBOX '), literal('hello'), text('')),
  ]);
});

test('a literal size with more digits than a safe integer is refused, fatal only when non-synchronising', () => {
  const huge = '9'.repeat(30);
  assert.deepEqual(feedIn([Buffer.from(`a1 LOGIN {${huge}}\r\na2 NOOP\r\n`)]), [
    {
      kind: 'refuse',
      tag: 'a1',
      status: 'BAD',
      code: 'TOOBIG',
      message: 'literal size out of range',
      fatal: false,
    },
    frame(text('a2 NOOP')),
  ]);
  assert.deepEqual(feedIn([Buffer.from('a1 APPEND INBOX {18014398509481984+}\r\n')]), [
    {
      kind: 'refuse',
      tag: 'a1',
      status: 'BAD',
      code: 'TOOBIG',
      message: 'literal size out of range',
      fatal: true,
    },
  ]);
});

test('a line over maxLineBytes is refused with its tag when it ends, and the next command is read, at every split', () => {
  const input = Buffer.from(
    `a1 NOOP\r\nt9 SEARCH ${'X'.repeat(40)}\r\n${'Y'.repeat(60)}\na2 NOOP\r\n`,
    'latin1',
  );
  assertSameAtEverySplit(
    input,
    [
      frame(text('a1 NOOP')),
      { kind: 'refuse', tag: 't9', status: 'BAD', message: 'line too long', fatal: false },
      { kind: 'refuse', status: 'BAD', message: 'line too long', fatal: false },
      frame(text('a2 NOOP')),
    ],
    { maxLineBytes: 32 },
  );
});

test('a line of exactly maxLineBytes passes with CRLF or LF; one octet more is refused', () => {
  const limits = { maxLineBytes: 10 };
  assert.deepEqual(feedIn([Buffer.from('a1 NOOP   \r\na2 NOOP   \n')], limits), [
    frame(text('a1 NOOP   ')),
    frame(text('a2 NOOP   ')),
  ]);
  assert.deepEqual(feedIn([Buffer.from('a1 NOOP    \r\n')], limits), [
    { kind: 'refuse', tag: 'a1', status: 'BAD', message: 'line too long', fatal: false },
  ]);
});

test('an over-long line that ends in a non-synchronising literal cannot be resynchronised: fatal', () => {
  assert.deepEqual(
    feedIn([Buffer.from(`a1 LOGIN ${'x'.repeat(50)} {5+}\r\nhello\r\n`)], { maxLineBytes: 20 }),
    [{ kind: 'refuse', tag: 'a1', status: 'BAD', message: 'line too long', fatal: true }],
  );
  assert.deepEqual(
    feedIn([Buffer.from(`a1 LOGIN ${'x'.repeat(50)} {5}\r\na2 NOOP\r\n`)], { maxLineBytes: 20 }),
    [
      { kind: 'refuse', tag: 'a1', status: 'BAD', message: 'line too long', fatal: false },
      frame(text('a2 NOOP')),
    ],
  );
});

test('a command over maxCommandBytes across its lines and literals is refused [TOOBIG]', () => {
  const limits = { maxCommandBytes: 40, maxLiteralBytes: 30 };
  // Line 1 (14) + literal (20) = 34; the second literal of 10 would make 44 + its line.
  assert.deepEqual(feedIn([Buffer.from(`a1 LOGIN {20}\r\n${'u'.repeat(20)} {10}\r\na2 NOOP\r\n`)], limits), [
    { kind: 'continue', size: 20 },
    {
      kind: 'refuse',
      tag: 'a1',
      status: 'BAD',
      code: 'TOOBIG',
      message: 'command too long: the limit is 40 octets',
      fatal: false,
    },
    frame(text('a2 NOOP')),
  ]);
  // The text lines alone can go over it too.
  assert.deepEqual(
    feedIn([Buffer.from(`a1 LOGIN {20}\r\n${'u'.repeat(20)} ${'p'.repeat(30)}\r\na2 NOOP\r\n`)], limits),
    [
      { kind: 'continue', size: 20 },
      { kind: 'refuse', tag: 'a1', status: 'BAD', code: 'TOOBIG', message: 'command too long', fatal: false },
      frame(text('a2 NOOP')),
    ],
  );
});

test('a mixed session with refusals gives the same events at every split point', () => {
  const input = Buffer.from(
    [
      'a1 LOGIN {3}\r\nbob {3+}\r\npw!\r\n',
      'a2 SELECT {10}\r\n', // refused: over maxLiteralBytes, never sent
      `a3 SEARCH ${'1,'.repeat(30)}1\r\n`, // over maxLineBytes
      'a4 APPEND INBOX ~{12}\r\nSubject: x\0\n\r\n',
      'a5 IDLE\nDONE\r\n',
    ].join(''),
    'latin1',
  );
  assertSameAtEverySplit(
    input,
    [
      { kind: 'continue', size: 3 },
      frame(text('a1 LOGIN '), literal('bob'), text(' '), literal('pw!'), text('')),
      {
        kind: 'refuse',
        tag: 'a2',
        status: 'BAD',
        code: 'TOOBIG',
        message: 'literal too big: 10 octets, the limit is 8',
        fatal: false,
      },
      { kind: 'refuse', tag: 'a3', status: 'BAD', message: 'line too long', fatal: false },
      { kind: 'continue', size: 12 },
      frame(text('a4 APPEND INBOX '), ['literal8', 'Subject: x\0\n'], text('')),
      frame(text('a5 IDLE')),
      frame(text('DONE')),
    ],
    { maxLineBytes: 48, maxLiteralBytes: 8, maxAppendBytes: 100 },
  );
});

test('memory stays bounded while an endless line is discarded', () => {
  const reader = new CommandReader({ maxLineBytes: 100 });
  const chunk = Buffer.alloc(1000, 'A');
  for (let i = 0; i < 100; i++) assert.deepEqual(reader.feed(chunk), []);
  assert.equal(reader.buffered, 0);
  assert.deepEqual(plain(reader.feed(Buffer.from('\r\na1 NOOP\r\n'))), [
    { kind: 'refuse', status: 'BAD', message: 'line too long', fatal: false },
    frame(text('a1 NOOP')),
  ]);
});

test('buffered counts a partial command and its literal; reset() forgets them', () => {
  const reader = new CommandReader();
  reader.feed(Buffer.from('a1 LOGIN {10}\r\nfred'));
  assert.equal(reader.buffered, 'a1 LOGIN '.length + 4);
  reader.reset();
  assert.equal(reader.buffered, 0);
  assert.deepEqual(plain(reader.feed(Buffer.from('a2 NOOP\r\n'))), [frame(text('a2 NOOP'))]);
});

test('the default limits are those documented', () => {
  assert.deepEqual(
    { ...DEFAULT_READER_LIMITS },
    {
      maxLineBytes: 65536,
      maxLiteralBytes: 65536,
      maxAppendBytes: 25 * 1024 * 1024,
      maxCommandBytes: 1048576,
    },
  );
});

test('a 1 MB line fed in socket-sized chunks is framed in linear time', () => {
  const line = Buffer.from(
    `a1 UID FETCH ${Array.from({ length: 150_000 }, (_, i) => i * 2 + 1).join(',')} FLAGS\r\n`,
  );
  const reader = new CommandReader({ maxLineBytes: 2 * 1024 * 1024, maxCommandBytes: 4 * 1024 * 1024 });
  const started = performance.now();
  const events: ReaderEvent[] = [];
  for (let at = 0; at < line.length; at += 65536) events.push(...reader.feed(line.subarray(at, at + 65536)));
  assert.equal(events.length, 1);
  // Generous: the machine running the tests may be busy; a quadratic reader takes minutes here.
  assert.ok(performance.now() - started < 2000, 'framing took too long');
});
