import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddressList, type EnvelopeAddress } from './address-list.ts';

/** The addresses as "name|adl|mailbox|host" with "-" for null, to compare many at a glance. */
function read(value: string): string[] {
  const show = (part: string | null) => part ?? '-';
  return parseAddressList(value).map(
    (address: EnvelopeAddress) =>
      `${show(address.name)}|${show(address.adl)}|${show(address.mailbox)}|${show(address.host)}`,
  );
}

test('the usual forms: name-addr, addr-spec, quoted names, dotted words', () => {
  assert.deepEqual(read('Taro Yamada <taro@example.jp>'), ['Taro Yamada|-|taro|example.jp']);
  assert.deepEqual(read('taro@example.jp'), ['-|-|taro|example.jp']);
  assert.deepEqual(read('"Yamada, Taro" <taro@example.jp>, hanako@example.com'), [
    'Yamada, Taro|-|taro|example.jp',
    '-|-|hanako|example.com',
  ]);
  assert.deepEqual(read('John Q. Public <jqp@example.com>'), ['John Q. Public|-|jqp|example.com']);
  assert.deepEqual(read('J.R.R. Tolkien <jrr@example.com>'), ['J.R.R. Tolkien|-|jrr|example.com']);
  assert.deepEqual(read('"a\\"b\\\\c" <x@y>'), ['a"b\\c|-|x|y']);
});

test('encoded words and 8-bit octets stay as sent; spaces between words become one', () => {
  assert.deepEqual(read('=?UTF-8?B?5bGx55Sw?=  =?UTF-8?B?5aSq6YOO?= <t@example.jp>'), [
    '=?UTF-8?B?5bGx55Sw?= =?UTF-8?B?5aSq6YOO?=|-|t|example.jp',
  ]);
  assert.deepEqual(read('\x97\xe9\x96\xd8 <s@example.jp>'), ['\x97\xe9\x96\xd8|-|s|example.jp']);
});

test('comments: skipped, or the name of an address that has none', () => {
  assert.deepEqual(read('pete(his account)@silly.test(his host)'), ['his host|-|pete|silly.test']);
  assert.deepEqual(read('a@b.example (Alice)'), ['Alice|-|a|b.example']);
  assert.deepEqual(read('Bob (the builder) <bob@b.example> (ignored)'), ['Bob|-|bob|b.example']);
  assert.deepEqual(read('a (nested (comment) here) @ b . example'), ['nested (comment) here|-|a|b.example']);
});

test('groups: a start with the group name, the members, an end; an unclosed group still ends', () => {
  assert.deepEqual(read('undisclosed-recipients:;'), ['-|-|undisclosed-recipients|-', '-|-|-|-']);
  assert.deepEqual(read('Team: a@x.example, B <b@x.example>; c@y.example'), [
    '-|-|Team|-',
    '-|-|a|x.example',
    'B|-|b|x.example',
    '-|-|-|-',
    '-|-|c|y.example',
  ]);
  assert.deepEqual(read('Open: a@x.example'), ['-|-|Open|-', '-|-|a|x.example', '-|-|-|-']);
});

test('obsolete syntax: routes, empty elements, CFWS around dots and @', () => {
  assert.deepEqual(read('<@r1.example,@r2.example:u@h.example>'), ['-|@r1.example,@r2.example|u|h.example']);
  assert.deepEqual(read(',, a@b.example ,,'), ['-|-|a|b.example']);
  assert.deepEqual(read('john . doe @ example . com'), ['-|-|john.doe|example.com']);
  assert.deepEqual(read('x@[192.0.2.1]'), ['-|-|x|[192.0.2.1]']);
});

test('missing parts: a bare local part or <local> has a NIL host, "<>" names no one', () => {
  assert.deepEqual(read('postmaster'), ['-|-|postmaster|-']);
  assert.deepEqual(read('<postmaster>'), ['-|-|postmaster|-']);
  assert.deepEqual(read('Name <>'), []);
  assert.deepEqual(read('a@'), ['-|-|a|-']);
  assert.deepEqual(read('<a@b.example'), ['-|-|a|b.example']);
});

test('garbage never throws, and what is readable after a comma is still read', () => {
  assert.deepEqual(read('<<>>"unterminated, a@b.example'), []);
  assert.deepEqual(read('>>, a@b.example'), ['-|-|a|b.example']);
  assert.deepEqual(read(';;:;@,<>()"'), []);
  assert.deepEqual(read('a@b.example c@d.example'), ['-|-|a|b.example']);
  assert.deepEqual(read(''), []);
  const noise = '<>@,;:"()[]\\. \tab\x00\xff';
  let seed = 7;
  for (let round = 0; round < 3000; round++) {
    let value = '';
    for (let i = 0; i < 25; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      value += noise[seed % noise.length];
    }
    assert.doesNotThrow(() => parseAddressList(value), value);
  }
});
