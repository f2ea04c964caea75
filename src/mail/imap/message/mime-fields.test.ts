import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseDisposition,
  parseEncoding,
  parseLanguages,
  parseMediaType,
  stripComments,
} from './mime-fields.ts';

test('Content-Type: type and subtype in lower case, parameters unquoted, comments dropped (RFC 2045 §5.1)', () => {
  assert.deepEqual(parseMediaType('Text/Plain; Charset="ISO-2022-JP"; format=flowed'), {
    type: 'text',
    subtype: 'plain',
    params: [
      { name: 'charset', value: 'ISO-2022-JP' },
      { name: 'format', value: 'flowed' },
    ],
  });
  // The example of RFC 2045 §5.1, comment and all.
  assert.deepEqual(parseMediaType('text/plain; charset=us-ascii (Plain text)')?.params, [
    { name: 'charset', value: 'us-ascii' },
  ]);
  assert.deepEqual(parseMediaType('multipart/mixed; boundary="a;b (not a comment)\\"q"')?.params, [
    { name: 'boundary', value: 'a;b (not a comment)"q' },
  ]);
  assert.deepEqual(parseMediaType(' (lead) image/png ; name = x.png ')?.params, [
    { name: 'name', value: 'x.png' },
  ]);
});

test('Content-Type: junk is tolerated where it can be, and an invalid type is null', () => {
  assert.deepEqual(parseMediaType('application/pdf; name=report 2026.pdf;;junk; =x')?.params, [
    { name: 'name', value: 'report 2026.pdf' },
  ]);
  assert.deepEqual(parseMediaType('text/plain; name="unterminated')?.params, [
    { name: 'name', value: 'unterminated' },
  ]);
  for (const invalid of ['', 'text', 'text/', '/plain', 'te xt/plain', '"text"/plain']) {
    assert.equal(parseMediaType(invalid), null, invalid);
  }
});

test('RFC 2231 continuations are joined; extended values stay encoded as "name*"', () => {
  assert.deepEqual(
    parseMediaType(
      "application/x-stuff; title*1*=%2A%2A%2Afun%2A%2A%2A; title*0*=us-ascii'en'This%20is%20even%20more%20",
    )?.params,
    [{ name: 'title*', value: "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A" }],
  );
  assert.deepEqual(
    parseDisposition('attachment; filename*0="long "; filename*1="name.txt"; size=3')?.params,
    [
      { name: 'filename', value: 'long name.txt' },
      { name: 'size', value: '3' },
    ],
  );
  // RFC 2231 §4.1: unextended sections after an extended one are percent-encoded into the joined value.
  assert.deepEqual(parseDisposition("attachment; f*0*=utf-8''%E5%A0%B1; f*1=a b.txt")?.params, [
    { name: 'f*', value: "utf-8''%E5%A0%B1a%20b.txt" },
  ]);
  assert.deepEqual(parseDisposition("inline; f*=utf-8'ja'%E5%A0%B1")?.params, [
    { name: 'f*', value: "utf-8'ja'%E5%A0%B1" },
  ]);
});

test('dispositions, encodings and languages', () => {
  assert.deepEqual(parseDisposition('Attachment'), { type: 'attachment', params: [] });
  assert.equal(parseDisposition('; filename=x'), null);
  assert.equal(parseEncoding(' Base64 (yes)'), 'base64');
  assert.equal(parseEncoding(' '), null);
  assert.deepEqual(parseLanguages('ja-JP, (Japanese) en'), ['ja-JP', 'en']);
  assert.equal(parseLanguages(' , '), null);
  assert.equal(stripComments('a (b (c) d) e "(kept)"'), 'a   e "(kept)"');
});
