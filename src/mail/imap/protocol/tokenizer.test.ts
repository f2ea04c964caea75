import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CommandFrame } from './command-reader.ts';
import { CharClass, CommandSyntaxError, MAX_NUMBER, MAX_NUMBER64, SP, Tokenizer } from './tokenizer.ts';

/** A frame from text pieces and literals: strings are text, { literal } are literals. */
function frameOf(...parts: Array<string | { literal: string; binary?: boolean }>): CommandFrame {
  return {
    chunks: parts.map((part) =>
      typeof part === 'string'
        ? { kind: 'text' as const, bytes: Buffer.from(part, 'utf8') }
        : {
            kind: 'literal' as const,
            bytes: Buffer.from(part.literal, 'utf8'),
            binary: part.binary ?? false,
          },
    ),
  };
}

const tokensOf = (...parts: Array<string | { literal: string; binary?: boolean }>): Tokenizer =>
  new Tokenizer(frameOf(...parts));

function assertSyntaxError(run: () => unknown, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CommandSyntaxError, `not a CommandSyntaxError: ${String(error)}`);
    assert.equal(error.status, 'BAD');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

test('atoms stop at atom-specials; "]" ends an atom but not an astring', () => {
  const tokens = tokensOf('abc]def (x');
  assert.equal(tokens.atom('name'), 'abc');
  assert.equal(tokens.peek(), 0x5d);
  const again = tokensOf('abc]def (x');
  assert.equal(again.astringText('mailbox'), 'abc]def');
  again.space('list');
  assert.equal(again.peek(), 0x28);
});

test('list-mailbox takes the wildcards % and *; an atom does not', () => {
  assert.equal(tokensOf('INBOX/%*').listMailbox('pattern'), 'INBOX/%*');
  assert.equal(tokensOf('INBOX/%*').atom('name'), 'INBOX/');
});

test('quoted strings: \\" and \\\\ are unescaped, UTF-8 is kept, other escapes and NUL are refused', () => {
  assert.equal(tokensOf('"a\\"b\\\\c"').astringText('value'), 'a"b\\c');
  assert.equal(tokensOf('"日本語 ok"').astringText('value'), '日本語 ok');
  assert.equal(tokensOf('""').astringText('value'), '');
  assertSyntaxError(() => tokensOf('"a\\nb"').astring('value'), 'value: invalid escape in a quoted string');
  assertSyntaxError(() => tokensOf('"abc').astring('value'), 'value: unterminated quoted string');
  assertSyntaxError(() => tokensOf('"a\0b"').astring('value'), 'value: forbidden octet in a quoted string');
  assertSyntaxError(() => tokensOf('"a\\').astring('value'), 'value: invalid escape in a quoted string');
});

test('bytes that are not UTF-8 are refused when text is wanted, and kept as bytes otherwise', () => {
  const frame: CommandFrame = { chunks: [{ kind: 'text', bytes: Buffer.from([0x22, 0x82, 0xa0, 0x22]) }] };
  assert.deepEqual([...new Tokenizer(frame).astring('value')], [0x82, 0xa0]);
  assertSyntaxError(() => new Tokenizer(frame).astringText('password'), 'password is not valid UTF-8');
});

test('a literal is read where a string is expected, and the cursor moves past it', () => {
  const tokens = tokensOf('LOGIN ', { literal: 'fred' }, ' ', { literal: 'p w"\r\n' }, '');
  assert.equal(tokens.atom('command'), 'LOGIN');
  tokens.space('user');
  assert.equal(tokens.atLiteral(), true);
  assert.equal(tokens.astringText('user'), 'fred');
  tokens.space('password');
  assert.equal(tokens.astringText('password'), 'p w"\r\n');
  assert.equal(tokens.atEnd(), true);
  tokens.end();
});

test('literal8 and NUL are refused in strings; literal8 only where allowed', () => {
  assertSyntaxError(
    () => tokensOf('', { literal: 'x', binary: true }, '').astring('user'),
    'user: literal8 is not allowed here',
  );
  assertSyntaxError(() => tokensOf('', { literal: 'a\0b' }, '').astring('user'), 'user: NUL in a literal');
  assert.deepEqual(tokensOf('', { literal: 'a\0b', binary: true }, '').literal('message', true), {
    bytes: Buffer.from('a\0b'),
    binary: true,
  });
});

test('an unexpected literal and a missing argument are named', () => {
  assertSyntaxError(
    () => tokensOf('', { literal: 'x' }, '').atom('keyword'),
    'unexpected literal where keyword was expected',
  );
  assertSyntaxError(() => tokensOf('').atom('keyword'), 'missing keyword');
  assertSyntaxError(() => tokensOf('(x').atom('keyword'), 'invalid keyword "(x"');
  assertSyntaxError(() => tokensOf('x').space('password'), 'expected SP before password, not "x"');
  assertSyntaxError(() => tokensOf('').space('password'), 'missing password');
});

test('numbers: limits, nz-number, and no reading past the digits', () => {
  assert.equal(tokensOf('4294967295').number('uid', MAX_NUMBER), 4294967295);
  assertSyntaxError(
    () => tokensOf('4294967296').number('uid', MAX_NUMBER),
    'uid is too large (at most 4294967295)',
  );
  assert.equal(tokensOf('9007199254740991').number('modseq', MAX_NUMBER64), Number.MAX_SAFE_INTEGER);
  assertSyntaxError(
    () => tokensOf('9223372036854775808').number('modseq', MAX_NUMBER64),
    /modseq is too large/,
  );
  assertSyntaxError(() => tokensOf('0').number('uidvalidity', MAX_NUMBER, true), 'uidvalidity must not be 0');
  assertSyntaxError(() => tokensOf('x1').number('size', MAX_NUMBER64), 'invalid size "x1"');
  const tokens = tokensOf('123>');
  assert.equal(tokens.number('offset', MAX_NUMBER64), 123);
  assert.equal(tokens.peek(), 0x3e);
});

test('nstring: NIL in any case is null; a string "NIL" is the text', () => {
  assert.equal(tokensOf('nil').nstring('value'), null);
  assert.equal(tokensOf('"NIL"').nstring('value'), 'NIL');
});

test('skipKeyword matches whole atoms only, in any case', () => {
  const tokens = tokensOf('return (x');
  assert.equal(tokens.skipKeyword('RETURNS'), false);
  assert.equal(tokens.skipKeyword('RETURN'), true);
  assert.equal(tokensOf('RETURNED').skipKeyword('RETURN'), false);
});

test('separator() takes the SP before a further argument, but not trailing spaces; end() tolerates them', () => {
  const tokens = tokensOf('a b  ');
  tokens.atom('first');
  assert.equal(tokens.separator(), true);
  tokens.atom('second');
  assert.equal(tokens.separator(), false);
  tokens.end();
  assertSyntaxError(() => tokensOf('a b').end(), 'unexpected "a b" after the arguments');
  assertSyntaxError(() => tokensOf('', { literal: 'x' }, '').end(), 'unexpected literal after the arguments');
  // Spaces before a literal are not trailing.
  const beforeLiteral = tokensOf('a ', { literal: 'x' }, '');
  beforeLiteral.atom('first');
  assert.equal(beforeLiteral.separator(), true);
});

test('character classes follow RFC 9051 §9: tags exclude "+", sequence sets take digits : , * $', () => {
  const is = (char: string, charClass: number): boolean => {
    const tokens = tokensOf(char);
    return tokens.run(charClass) === char;
  };
  assert.equal(is('+', CharClass.tag), false);
  assert.equal(is('+', CharClass.atom), true);
  assert.equal(is(']', CharClass.tag), true);
  assert.equal(is('*', CharClass.atom), false);
  assert.equal(is('%', CharClass.list), true);
  assert.equal(is('{', CharClass.astring), false);
  assert.equal(is('\x7f', CharClass.atom), false);
  assert.equal(is('1:*,$', CharClass.sequence), true);
  assert.equal(SP, 0x20);
});

test('the item text of a fetch item is found across brackets', () => {
  const tokens = tokensOf('BODY[HEADER.FIELDS (A B)]<0.5> FLAGS');
  const mark = tokens.mark();
  assert.equal(tokens.textFrom(mark, tokens.itemEnd(mark)), 'BODY[HEADER.FIELDS (A B)]<0.5>');
});
