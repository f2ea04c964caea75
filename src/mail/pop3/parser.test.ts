import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineParser, parseCommand, Pop3Limits, type ParsedLine } from './parser.ts';

/** Feeds the input in the given pieces and collects every line. */
function feedIn(pieces: Buffer[], parser = new LineParser()): ParsedLine[] {
  return pieces.flatMap((piece) => parser.feed(piece));
}

/** Every way of cutting the input in two, and byte by byte: all must give the same lines. */
function assertSameAtEverySplit(input: Buffer, expected: ParsedLine[]): void {
  assert.deepEqual(feedIn([input]), expected);
  for (let at = 0; at <= input.length; at++) {
    assert.deepEqual(feedIn([input.subarray(0, at), input.subarray(at)]), expected, `split at byte ${at}`);
  }
  const bytes = [...input].map((byte) => Buffer.from([byte]));
  assert.deepEqual(feedIn(bytes), expected, 'byte by byte');
}

test('commands split at every byte boundary give the same lines, CRLF split included', () => {
  const input = Buffer.from('USER taro@example.com\r\nPASS pass word \r\nSTAT\r\nLIST 1\nQUIT\r\n', 'latin1');
  assertSameAtEverySplit(input, [
    { kind: 'line', text: 'USER taro@example.com', octets: 23 },
    { kind: 'line', text: 'PASS pass word ', octets: 17 },
    { kind: 'line', text: 'STAT', octets: 6 },
    { kind: 'line', text: 'LIST 1', octets: 7 },
    { kind: 'line', text: 'QUIT', octets: 6 },
  ]);
});

test('a UTF-8 password split inside a character is decoded whole', () => {
  const input = Buffer.from('PASS パスワード\r\n', 'utf8');
  assertSameAtEverySplit(input, [{ kind: 'line', text: 'PASS パスワード', octets: input.length }]);
});

test('NUL, control characters and bytes that are not UTF-8 make a binary line, and the next line is read', () => {
  const input = Buffer.concat([
    Buffer.from('US\0ER a\r\n', 'latin1'),
    Buffer.from('STAT\x1b\r\n', 'latin1'),
    Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xff, 0xfe, 0x0d, 0x0a]),
    Buffer.from('NOOP\r\n', 'latin1'),
  ]);
  assertSameAtEverySplit(input, [
    { kind: 'binary', octets: 9 },
    { kind: 'binary', octets: 7 },
    { kind: 'binary', octets: 9 },
    { kind: 'line', text: 'NOOP', octets: 6 },
  ]);
});

test('a line over the limit is reported once, in its place, and the following line is read', () => {
  const long = 'X'.repeat(Pop3Limits.saslLine + 10);
  const input = Buffer.from(`NOOP\r\n${long}\r\nSTAT\r\n`, 'latin1');
  const lines = feedIn([input]);
  assert.deepEqual(
    lines.map((line) => line.kind),
    ['line', 'too-long', 'line'],
  );
  assert.deepEqual(lines[2], { kind: 'line', text: 'STAT', octets: 6 });
  // Split anywhere, the same kinds come out (the octets of a too-long line depend on where it was noticed).
  for (const at of [1, 6, 7, 100, Pop3Limits.saslLine, Pop3Limits.saslLine + 7, input.length - 3]) {
    const split = feedIn([input.subarray(0, at), input.subarray(at)]);
    assert.deepEqual(
      split.map((line) => line.kind),
      ['line', 'too-long', 'line'],
      `split at ${at}`,
    );
  }
});

test('an endless line without LF is reported again every limit of octets, and memory stays bounded', () => {
  const parser = new LineParser(100);
  const chunk = Buffer.alloc(50, 'A');
  const kinds: string[] = [];
  for (let i = 0; i < 20; i++) kinds.push(...parser.feed(chunk).map((line) => line.kind));
  // 1,000 octets with a limit of 100: reported at the first overflow and at each further 100.
  assert.ok(kinds.length >= 9 && kinds.every((kind) => kind === 'too-long'), kinds.join(','));
  assert.deepEqual(parser.feed(Buffer.from('\r\nQUIT\r\n')), [{ kind: 'line', text: 'QUIT', octets: 6 }]);
});

test('a line of exactly the limit is a line; one octet more is too long', () => {
  const exact = Buffer.from(`${'A'.repeat(98)}\r\n`, 'latin1');
  assert.equal(exact.length, 100);
  assert.deepEqual(new LineParser(100).feed(exact), [{ kind: 'line', text: 'A'.repeat(98), octets: 100 }]);
  assert.deepEqual(
    new LineParser(100).feed(Buffer.from(`A${exact.toString('latin1')}`, 'latin1')).map((line) => line.kind),
    ['too-long'],
  );
});

test('reset() forgets a partial line (what came before STLS)', () => {
  const parser = new LineParser();
  assert.deepEqual(parser.feed(Buffer.from('USER inj')), []);
  parser.reset();
  assert.deepEqual(parser.feed(Buffer.from('CAPA\r\n')), [{ kind: 'line', text: 'CAPA', octets: 6 }]);
});

test('parseCommand upper-cases the keyword, splits arguments and keeps the rest for PASS', () => {
  assert.deepEqual(parseCommand('list 3'), { keyword: 'LIST', args: ['3'], rest: '3' });
  assert.deepEqual(parseCommand('PASS  two  spaces '), {
    keyword: 'PASS',
    args: ['two', 'spaces'],
    rest: ' two  spaces ',
  });
  assert.deepEqual(parseCommand('QUIT'), { keyword: 'QUIT', args: [], rest: '' });
  assert.equal(parseCommand(''), undefined);
  assert.equal(parseCommand(' STAT'), undefined);
  assert.equal(parseCommand('ST@T'), undefined);
});
