import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSequenceSet, readSequenceSet } from './sequence-set.ts';
import { CommandSyntaxError, Tokenizer } from './tokenizer.ts';

function assertInvalid(
  text: string,
  message: string,
  options?: Parameters<typeof parseSequenceSet>[1],
): void {
  assert.throws(
    () => parseSequenceSet(text, options),
    (error: unknown) =>
      error instanceof CommandSyntaxError && error.status === 'BAD' && error.message === message,
    text,
  );
}

test('numbers, ranges in either order, "*" and lists', () => {
  assert.deepEqual(parseSequenceSet('1:*,5,7:3'), {
    kind: 'set',
    ranges: [
      { start: 1, end: '*' },
      { start: 5, end: 5 },
      { start: 7, end: 3 },
    ],
  });
  assert.deepEqual(parseSequenceSet('*'), { kind: 'set', ranges: [{ start: '*', end: '*' }] });
  assert.deepEqual(parseSequenceSet('*:4294967295'), {
    kind: 'set',
    ranges: [{ start: '*', end: 4294967295 }],
  });
  assert.deepEqual(parseSequenceSet('007'), { kind: 'set', ranges: [{ start: 7, end: 7 }] });
});

test('"$" is the saved result (RFC 5182), alone only', () => {
  assert.deepEqual(parseSequenceSet('$'), { kind: 'saved' });
  assertInvalid('1,$', 'invalid sequence set "1,$": unexpected "$"');
  assertInvalid('$,1', 'invalid sequence set "$,1": unexpected "$"');
  assertInvalid('$', 'invalid known UIDs "$": "$" is not allowed here', { saved: false, what: 'known UIDs' });
});

test('malformed sets are BAD, saying why', () => {
  assertInvalid('0', 'invalid sequence set "0": 0 is not a message number');
  assertInvalid('1:0', 'invalid sequence set "1:0": 0 is not a message number');
  assertInvalid('4294967296', 'invalid sequence set "4294967296": numbers go up to 4294967295');
  assertInvalid(
    '99999999999999999999999',
    'invalid sequence set "99999999999999999999999": numbers go up to 4294967295',
  );
  assertInvalid('1,', 'invalid sequence set "1,": it ends too early');
  assertInvalid('1:', 'invalid sequence set "1:": it ends too early');
  assertInvalid(',1', 'invalid sequence set ",1": unexpected ","');
  assertInvalid('1::2', 'invalid sequence set "1::2": unexpected ":"');
  assertInvalid('1:2:3', 'invalid sequence set "1:2:3": unexpected ":"');
  assertInvalid('**', 'invalid sequence set "**": unexpected "*"');
  assertInvalid('1:*', 'invalid sequence set "1:*": "*" is not allowed here', { star: false });
});

test('read from a command: stops at the first character that is not part of a set', () => {
  const tokens = new Tokenizer({ chunks: [{ kind: 'text', bytes: Buffer.from('2:4,9 FLAGS') }] });
  assert.deepEqual(readSequenceSet(tokens), {
    kind: 'set',
    ranges: [
      { start: 2, end: 4 },
      { start: 9, end: 9 },
    ],
  });
  assert.equal(tokens.peek(), 0x20);
  const none = new Tokenizer({ chunks: [{ kind: 'text', bytes: Buffer.from('FLAGS') }] });
  assert.throws(() => readSequenceSet(none), { message: 'invalid sequence set "FLAGS"' });
});

test('100,000 ranges parse in linear time', () => {
  const text = Array.from({ length: 100_000 }, (_, i) => `${i * 4 + 1}:${i * 4 + 2}`).join(',');
  const started = performance.now();
  const set = parseSequenceSet(text);
  // Generous: the machine running the tests may be busy; a quadratic parser takes minutes here.
  assert.ok(performance.now() - started < 2000);
  assert.equal(set.kind === 'set' ? set.ranges.length : 0, 100_000);
  assert.deepEqual(set.kind === 'set' ? set.ranges[99_999] : undefined, { start: 399_997, end: 399_998 });
});
