import assert from 'node:assert/strict';
import { test } from 'node:test';
import { envelopeWire } from './envelope.ts';
import { parseMessageStructure } from './mime-structure.ts';
import {
  ADDRESSES,
  JAPANESE_ENCODED,
  JAPANESE_RAW,
  MIXED,
  PLAIN,
  SJIS_NAME,
  SJIS_SUBJECT,
  crlf,
} from './test-messages.ts';

function envelope(raw: Buffer): string {
  return envelopeWire(parseMessageStructure(raw)).toString('latin1');
}

test('a plain message: fields unfolded, Sender and Reply-To taken from From, absent fields NIL', () => {
  assert.equal(
    envelope(PLAIN),
    '("Mon, 23 Nov 2026 09:00:00 +0900" "Meeting notes for Monday" ' +
      '(("Yamada, Taro" NIL "taro" "example.jp")) (("Yamada, Taro" NIL "taro" "example.jp")) ' +
      '(("Yamada, Taro" NIL "taro" "example.jp")) ' +
      '(("Hanako Suzuki" NIL "hanako" "example.com")(NIL NIL "jiro" "example.com")) ' +
      '((NIL NIL "ops" "example.com")) NIL "<prev@example.com>" "<20261123090000.1234@example.jp>")',
  );
});

test('the envelope of an encapsulated message is its own', () => {
  const structure = parseMessageStructure(MIXED);
  const forwarded = structure.root.children[2]?.message;
  assert.ok(forwarded);
  assert.equal(
    envelopeWire(forwarded).toString('latin1'),
    '("Mon, 23 Nov 2026 08:00:00 +0900" "report" (("Jiro" NIL "jiro" "example.com")) ' +
      '(("Jiro" NIL "jiro" "example.com")) (("Jiro" NIL "jiro" "example.com")) ' +
      '(("Taro" NIL "taro" "example.jp")) NIL NIL NIL "<inner-1@example.com>")',
  );
});

test('encoded words are not decoded', () => {
  assert.equal(
    envelope(JAPANESE_ENCODED),
    '("Wed, 25 Nov 2026 09:30:00 +0900" "=?ISO-2022-JP?B?GyRCMnE1RBsoQg==?=" ' +
      '(("=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=" NIL "yamada" "example.jp")) ' +
      '(("=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=" NIL "yamada" "example.jp")) ' +
      '(("=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?=" NIL "yamada" "example.jp")) ' +
      '((NIL NIL "suzuki" "example.jp")) NIL NIL NIL "<jp-1@example.jp>")',
  );
  // The fixture says what it means to: 山田 and 会議 in ISO-2022-JP.
  const decoder = new TextDecoder('iso-2022-jp');
  assert.equal(decoder.decode(Buffer.from('GyRCOzNFRBsoQg==', 'base64')), '山田');
  assert.equal(decoder.decode(Buffer.from('GyRCMnE1RBsoQg==', 'base64')), '会議');
});

test('raw 8-bit Shift_JIS header octets go as literals, untouched', () => {
  const name = Buffer.concat([Buffer.from('{4}\r\n'), SJIS_NAME]);
  const expected = Buffer.concat([
    Buffer.from('("Wed, 25 Nov 2026 10:00:00 +0900" {10}\r\n'),
    SJIS_SUBJECT,
    Buffer.from(' (('),
    name,
    Buffer.from(' NIL "suzuki" "example.jp")) (('),
    name,
    Buffer.from(' NIL "suzuki" "example.jp")) (('),
    name,
    Buffer.from(' NIL "suzuki" "example.jp")) NIL NIL NIL NIL NIL)'),
  ]);
  assert.deepEqual(envelopeWire(parseMessageStructure(JAPANESE_RAW)), expected);
  assert.equal(new TextDecoder('shift_jis').decode(SJIS_SUBJECT), '会議の案内');
  assert.equal(new TextDecoder('shift_jis').decode(SJIS_NAME), '鈴木');
});

test('groups, routes, comments, quoted names, domain literals and a list of garbage', () => {
  const from = '(("Joe Q. Public" NIL "john.q.public" "example.com"))';
  assert.equal(
    envelope(ADDRESSES),
    `("Thu, 26 Nov 2026 12:00:00 +0000" "addresses" ${from} ${from} ` +
      '(("Mary Smith" "@relay1.example,@relay2.example" "mary" "x.test")) ' +
      '((NIL NIL "A Group" NIL)("Ed Jones" NIL "c" "a.test")(NIL NIL "joe" "where.test")' +
      '("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL)(NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ' +
      '(("Giant; \\"Big\\" Box" NIL "sysservices" "example.net")("his host" NIL "pete" "silly.test")' +
      '(NIL NIL "bare-local" NIL)(NIL NIL "postmaster" NIL)("Jane Doe" NIL "jane" "[192.0.2.7]")) ' +
      'NIL NIL NIL)',
  );
});

test('empty fields: an empty Subject is "", an empty Reply-To is From, an empty To is NIL', () => {
  assert.equal(
    envelope(crlf('Subject:\nFrom: a@b.example\nReply-To:\nTo:\nMessage-ID:   \n\n')),
    '(NIL "" ((NIL NIL "a" "b.example")) ((NIL NIL "a" "b.example")) ((NIL NIL "a" "b.example")) ' +
      'NIL NIL NIL NIL "")',
  );
  assert.equal(envelope(Buffer.alloc(0)), '(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
});
