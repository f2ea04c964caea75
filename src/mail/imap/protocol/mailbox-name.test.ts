import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeModifiedUtf7, encodeModifiedUtf7, ModifiedUtf7Error } from './mailbox-name.ts';

test('RFC 3501 §5.1.3 examples and common names decode and encode both ways', () => {
  const pairs: Array<[string, string]> = [
    ['~peter/mail/&U,BTFw-/&ZeVnLIqe-', '~peter/mail/台北/日本語'],
    ['&ZeVnLIqe-', '日本語'],
    ['INBOX', 'INBOX'],
    ['Tom &- Jerry', 'Tom & Jerry'],
    ['&-', '&'],
    ['', ''],
    ['&AOQ-rger', 'ärger'],
    ['&MLQw33ux-', 'ゴミ箱'],
    ['&kAFP4W4IMH8-', '送信済み'],
    ['&2D3eAA-', '😀'],
    ['Entw&APw-rfe', 'Entwürfe'],
    ['a&AAk-b', 'a\tb'],
  ];
  for (const [encoded, decoded] of pairs) {
    assert.equal(decodeModifiedUtf7(encoded), decoded, encoded);
    assert.equal(encodeModifiedUtf7(decoded), encoded, decoded);
  }
});

test('anything the encoder would not write is refused with a typed error', () => {
  const invalid = [
    '&', // no closing "-"
    '&ZeVn', // unterminated run
    '&Ze-', // 12 bits: not a whole character
    '&ZeVnLI-', // a character and 20 bits of another
    '&ZeV-', // "日" is &ZeU-: the 2 padding bits must be zero
    '&AGE-', // "a" must be written as itself
    '&ZeVnLIqe-&ZeVnLIqe-', // two runs side by side
    '&2D0-', // unpaired high surrogate
    '&3gA-', // lone low surrogate
    '&Ze/n-', // "/" is "," in modified base64
    '日本語', // 8-bit as is
    'a\tb', // control character as is
  ];
  for (const name of invalid) {
    assert.throws(
      () => decodeModifiedUtf7(name),
      (error: unknown) => error instanceof ModifiedUtf7Error && error.code === 'IMAP_MAILBOX_NAME',
      name,
    );
  }
  assert.throws(() => encodeModifiedUtf7('bad \ud800 surrogate'), ModifiedUtf7Error);
});

test('round trip over many characters, BMP and astral', () => {
  let text = '';
  for (let code = 0x20; code < 0x3000; code += 7) text += String.fromCodePoint(code);
  text += '𠀋𡈽 x 🎉&';
  assert.equal(decodeModifiedUtf7(encodeModifiedUtf7(text)), text);
});
