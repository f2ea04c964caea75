import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyStructureWire } from './body-structure.ts';
import { parseMessageStructure } from './mime-structure.ts';
import { ALTERNATIVE, DIGEST, JAPANESE_ENCODED, JAPANESE_RAW, MIXED, PLAIN, crlf } from './test-messages.ts';

function structure(raw: Buffer, extensible = true): string {
  return bodyStructureWire(parseMessageStructure(raw), extensible).toString('latin1');
}

test('a plain text message: basic fields, line count, four extension fields', () => {
  assert.equal(structure(PLAIN), '("text" "plain" ("charset" "UTF-8") NIL NIL "7bit" 54 5 NIL NIL NIL NIL)');
  assert.equal(structure(PLAIN, false), '("text" "plain" ("charset" "UTF-8") NIL NIL "7bit" 54 5)');
});

test('multipart/alternative: parts side by side, then the subtype and the multipart extension data', () => {
  assert.equal(
    structure(ALTERNATIVE),
    '(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 86 2 NIL NIL NIL NIL)' +
      '("text" "html" ("charset" "utf-8") NIL NIL "base64" 24 0 NIL NIL NIL NIL) ' +
      '"alternative" ("boundary" "==alt==") NIL NIL NIL)',
  );
  assert.equal(
    structure(ALTERNATIVE, false),
    '(("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 86 2)' +
      '("text" "html" ("charset" "utf-8") NIL NIL "base64" 24 0) "alternative")',
  );
});

test('multipart/mixed: attachment extension data, and a message/rfc822 with envelope, body and lines', () => {
  const envelope =
    '("Mon, 23 Nov 2026 08:00:00 +0900" "report" (("Jiro" NIL "jiro" "example.com")) ' +
    '(("Jiro" NIL "jiro" "example.com")) (("Jiro" NIL "jiro" "example.com")) ' +
    '(("Taro" NIL "taro" "example.jp")) NIL NIL NIL "<inner-1@example.com>")';
  assert.equal(
    structure(MIXED),
    '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL)' +
      '("application" "pdf" ("name" "report.pdf") "<pdf1@example.jp>" "Quarterly report" "base64" 28 ' +
      '"Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename*" "UTF-8\'\'%E5%A0%B1%E5%91%8A%E6%9B%B8.pdf")) ' +
      '("ja" "en") "http://example.jp/report.pdf")' +
      `("message" "rfc822" NIL NIL NIL "7bit" 372 ${envelope} ` +
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 19 0 NIL NIL NIL NIL)' +
      '("image" "png" NIL NIL NIL "base64" 12 NIL NIL NIL NIL) "mixed" ("boundary" "inner") NIL NIL NIL) ' +
      '17 NIL NIL NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL)',
  );
  assert.equal(
    structure(MIXED, false),
    '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0)' +
      '("application" "pdf" ("name" "report.pdf") "<pdf1@example.jp>" "Quarterly report" "base64" 28)' +
      `("message" "rfc822" NIL NIL NIL "7bit" 372 ${envelope} ` +
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 19 0)("image" "png" NIL NIL NIL "base64" 12) "mixed") ' +
      '17) "mixed")',
  );
});

test('Japanese mail: charset as sent, sizes in octets', () => {
  assert.equal(
    structure(JAPANESE_ENCODED),
    '("text" "plain" ("charset" "ISO-2022-JP") NIL NIL "7bit" 20 1 NIL NIL NIL NIL)',
  );
  assert.equal(
    structure(JAPANESE_RAW),
    '("text" "plain" ("charset" "Shift_JIS") NIL NIL "8bit" 12 1 NIL NIL NIL NIL)',
  );
});

test('a digest: parts without Content-Type are messages', () => {
  assert.equal(
    structure(DIGEST, false),
    '(("message" "rfc822" NIL NIL NIL "7bit" 43 (NIL "first" ((NIL NIL "a" "example.org")) ' +
      '((NIL NIL "a" "example.org")) ((NIL NIL "a" "example.org")) NIL NIL NIL NIL NIL) ' +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 4 0) 3)' +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 14 0) "digest")',
  );
});

test('defaults and odd values: us-ascii for text, 8-bit description as a literal, disposition without params', () => {
  const raw = Buffer.concat([
    crlf('Content-Type: text/html\nContent-Disposition: INLINE\nContent-Language: de\nContent-Description: '),
    Buffer.from([0x8c, 0xa9]),
    crlf('\n\n<p>x</p>\n'),
  ]);
  const wire = bodyStructureWire(parseMessageStructure(raw), true);
  assert.deepEqual(
    wire,
    Buffer.concat([
      Buffer.from('("text" "html" ("charset" "us-ascii") NIL {2}\r\n'),
      Buffer.from([0x8c, 0xa9]),
      Buffer.from(' "7bit" 10 1 NIL ("inline" NIL) ("de") NIL)'),
    ]),
  );
});

test('broken multiparts still give valid BODYSTRUCTURE: an empty text/plain stands in for no part', () => {
  assert.equal(
    structure(crlf('Content-Type: multipart/mixed; boundary=b\n\nno parts\n')),
    '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) ' +
      '"mixed" ("boundary" "b") NIL NIL NIL)',
  );
  assert.equal(
    structure(
      crlf('Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeA==\n'),
      false,
    ),
    '("application" "octet-stream" NIL NIL NIL "base64" 18)',
  );
  assert.equal(
    structure(
      crlf('Content-Type: message/global\nContent-Transfer-Encoding: 8bit\n\nSubject: x\n\ny\n'),
      false,
    ),
    '("message" "global" NIL NIL NIL "8bit" 17 (NIL "x" NIL NIL NIL NIL NIL NIL NIL NIL) ' +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1) 3)',
  );
});
