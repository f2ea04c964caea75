import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryBytes, binarySize } from './binary.ts';
import { parseMessageStructure } from './mime-structure.ts';
import { ALTERNATIVE, MIXED, between, crlf } from './test-messages.ts';
import { decodeBase64, decodeQuotedPrintable } from './transfer-decoding.ts';

function binary(raw: Buffer, part: number[]) {
  return binaryBytes(raw, parseMessageStructure(raw), part);
}

test('quoted-printable and base64 parts come out decoded', () => {
  assert.deepEqual(binary(ALTERNATIVE, [1]), {
    ok: Buffer.from('Café sale: 50% off — today only. \r\nLong line that is soft broken.'),
  });
  assert.deepEqual(binary(ALTERNATIVE, [2]), { ok: Buffer.from('<b>Café</b> sale') });
  assert.deepEqual(binary(MIXED, [2]), { ok: Buffer.from('%PDF-1.4\n%äüöß\n') });
  assert.deepEqual(binary(MIXED, [3, 2]), {
    ok: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  });
});

test('7bit parts, message parts and BINARY[] come as stored', () => {
  assert.deepEqual(binary(MIXED, [1]), { ok: Buffer.from('See attached.') });
  assert.deepEqual(binary(MIXED, [3]), { ok: between(MIXED, 'From: Jiro', '\r\n--outer--') });
  assert.deepEqual(binary(MIXED, []), { ok: MIXED });
});

test('a missing part is missing; an unknown encoding or a multipart is unknownCte', () => {
  assert.deepEqual(binary(MIXED, [4]), { missing: true });
  assert.deepEqual(binary(MIXED, [3, 3]), { missing: true });
  assert.deepEqual(binary(MIXED, [1, 1]), { missing: true });
  const uuencoded = crlf(
    'Content-Type: application/zip\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 a\n',
  );
  assert.deepEqual(binary(uuencoded, [1]), { unknownCte: true });
  const nested = crlf(`Content-Type: multipart/mixed; boundary=o

--o
Content-Type: multipart/alternative; boundary=i

--i

a
--i--
--o--
`);
  assert.deepEqual(binary(nested, [1]), { unknownCte: true });
  assert.deepEqual(binary(nested, [1, 1]), { ok: Buffer.from('a') });
});

test('BINARY.SIZE is the length of the decoded octets', () => {
  const structure = parseMessageStructure(ALTERNATIVE);
  assert.deepEqual(binarySize(ALTERNATIVE, structure, [2]), { ok: Buffer.byteLength('<b>Café</b> sale') });
  assert.deepEqual(binarySize(ALTERNATIVE, structure, [1]), {
    ok: Buffer.byteLength('Café sale: 50% off — today only. \r\nLong line that is soft broken.'),
  });
  assert.deepEqual(binarySize(ALTERNATIVE, structure, [9]), { missing: true });
  assert.deepEqual(binarySize(MIXED, parseMessageStructure(MIXED), []), { ok: MIXED.length });
});

test('base64: white space and garbage ignored, padded blocks glued together, a lone last character dropped', () => {
  const decode = (text: string) => decodeBase64(Buffer.from(text, 'latin1')).toString('latin1');
  assert.equal(decode('SGVs\r\nbG8g*!d29y\tbGQ='), 'Hello world');
  assert.equal(decode('SGk=SGk='), 'HiHi');
  assert.equal(decode('SGk=\r\nQ'), 'Hi');
  assert.equal(decode('Zm9vYg'), 'foob');
  assert.equal(decode('Zm9vYmE'), 'fooba');
  assert.equal(decode(''), '');
  assert.equal(decode('===='), '');
  const random = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 256));
  const wrapped = random.toString('base64').replace(/.{76}/g, '$&\r\n');
  assert.deepEqual(decodeBase64(Buffer.from(wrapped)), random);
});

test('quoted-printable: escapes in either case, soft breaks, transport padding removed, broken "=" kept', () => {
  const decode = (text: string) => decodeQuotedPrintable(Buffer.from(text, 'latin1')).toString('latin1');
  assert.equal(decode('caf=C3=a9'), 'caf\xc3\xa9');
  assert.equal(decode('a=\r\nb'), 'ab');
  assert.equal(decode('a=  \t\r\nb'), 'ab');
  assert.equal(decode('a=\nb'), 'ab');
  assert.equal(decode('trailing   \r\nnext'), 'trailing\r\nnext');
  assert.equal(decode('kept=20\r\n'), 'kept \r\n');
  assert.equal(decode('kept=20  \r\n'), 'kept \r\n');
  assert.equal(decode('bare\nlf'), 'bare\nlf');
  assert.equal(decode('=ZZ and x=4'), '=ZZ and x=4');
  assert.equal(decode('end='), 'end');
  assert.equal(decode('end=  '), 'end');
  assert.equal(decode('tab\t'), 'tab');
  assert.equal(decode('lone\rcr'), 'lone\rcr');
});
