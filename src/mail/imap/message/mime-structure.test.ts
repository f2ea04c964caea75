import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyStructureWire } from './body-structure.ts';
import { envelopeWire } from './envelope.ts';
import { MimeLimits, parseMessageStructure, type MessageStructure, type MimePart } from './mime-structure.ts';
import { ALTERNATIVE, DIGEST, MIXED, PLAIN, between, crlf } from './test-messages.ts';

function header(raw: Buffer, part: MimePart): string {
  return raw.subarray(part.headerStart, part.headerEnd).toString('latin1');
}

function body(raw: Buffer, part: MimePart): string {
  return raw.subarray(part.bodyStart, part.bodyEnd).toString('latin1');
}

function child(part: MimePart | undefined, index: number): MimePart {
  const found = part?.children[index];
  assert.ok(found, `child ${index}`);
  return found;
}

function nested(part: MimePart): MessageStructure {
  assert.ok(part.message, 'an encapsulated message');
  return part.message;
}

test('a plain message: header with its empty line, body to the end, lines counted', () => {
  const { root } = parseMessageStructure(PLAIN);
  assert.equal(header(PLAIN, root), between(PLAIN, 'Return-Path', 'Hello').toString('latin1'));
  assert.ok(header(PLAIN, root).endsWith('7bit\r\n\r\n'));
  assert.equal(body(PLAIN, root), 'Hello Hanako,\r\n\r\nThe meeting is at 10:00.\r\n-- \r\nTaro\r\n');
  assert.equal(root.bodyEnd, PLAIN.length);
  assert.deepEqual(
    [root.type, root.subtype, root.params],
    ['text', 'plain', [{ name: 'charset', value: 'UTF-8' }]],
  );
  assert.equal(root.encoding, '7bit');
  assert.equal(root.lines, 5);
  assert.deepEqual(root.children, []);
});

test('multipart/alternative: preamble and epilogue belong to no part, the CRLF before a delimiter to the delimiter', () => {
  const { root } = parseMessageStructure(ALTERNATIVE);
  assert.equal(root.children.length, 2);
  const [plain, html] = [child(root, 0), child(root, 1)];
  assert.equal(
    header(ALTERNATIVE, plain),
    'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
  );
  assert.equal(
    body(ALTERNATIVE, plain),
    'Caf=C3=A9 sale: 50% off =E2=80=94 today only.=20\r\nLong line that is soft=\r\n broken.   ',
  );
  assert.equal(body(ALTERNATIVE, html), 'PGI+Q2Fmw6k8L2I+IHNhbGU=');
  assert.deepEqual([plain.encoding, html.encoding, html.subtype], ['quoted-printable', 'base64', 'html']);
  assert.equal(plain.lines, 2);
  // The multipart's own body runs from the preamble to the end, epilogue included.
  assert.ok(body(ALTERNATIVE, root).startsWith('This is a multi-part message'));
  assert.ok(body(ALTERNATIVE, root).endsWith('--==alt==--\r\n\r\nepilogue text\r\n'));
});

test('multipart/mixed with an attachment and a message/rfc822 that is itself multipart', () => {
  const { root } = parseMessageStructure(MIXED);
  assert.deepEqual(
    root.children.map((part) => `${part.type}/${part.subtype}`),
    ['text/plain', 'application/pdf', 'message/rfc822'],
  );
  const pdf = child(root, 1);
  assert.equal(body(MIXED, pdf), 'JVBERi0xLjQKJcOkw7zDtsOfCg==');
  assert.deepEqual(pdf.params, [{ name: 'name', value: 'report.pdf' }]);
  assert.deepEqual(pdf.disposition, {
    type: 'attachment',
    params: [{ name: 'filename*', value: "UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8.pdf" }],
  });
  assert.deepEqual(
    [pdf.id, pdf.description, pdf.md5, pdf.language, pdf.location],
    [
      '<pdf1@example.jp>',
      'Quarterly report',
      'Q2hlY2sgSW50ZWdyaXR5IQ==',
      ['ja', 'en'],
      'http://example.jp/report.pdf',
    ],
  );

  const forwarded = child(root, 2);
  const inner = nested(forwarded);
  assert.equal(body(MIXED, forwarded), between(MIXED, 'From: Jiro', '\r\n--outer--').toString('latin1'));
  assert.equal(forwarded.lines, 17);
  assert.equal(inner.envelope.subject, 'report');
  assert.equal(inner.root.headerStart, forwarded.bodyStart);
  assert.equal(inner.root.bodyEnd, forwarded.bodyEnd);
  assert.deepEqual(
    inner.root.children.map((part) => body(MIXED, part)),
    ['Here is the report.', 'iVBORw0KGgo='],
  );
  // No charset: the parser keeps what was sent; BODYSTRUCTURE adds the default.
  assert.deepEqual(child(inner.root, 0).params, []);
});

test('in a multipart/digest a part without Content-Type is a message/rfc822', () => {
  const { root } = parseMessageStructure(DIGEST);
  const first = child(root, 0);
  assert.deepEqual([first.type, first.subtype, header(DIGEST, first)], ['message', 'rfc822', '\r\n']);
  assert.equal(nested(first).envelope.subject, 'first');
  assert.equal(body(DIGEST, nested(first).root), 'One.');
  assert.equal(`${child(root, 1).type}/${child(root, 1).subtype}`, 'text/plain');
});

test('a missing close delimiter: the last part runs to the end of the message', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=b1

--b1
Content-Type: text/plain

first
--b1
Content-Type: text/plain

second, never closed
`);
  const { root } = parseMessageStructure(raw);
  assert.deepEqual(
    root.children.map((part) => body(raw, part)),
    ['first', 'second, never closed\r\n'],
  );
  assert.equal(root.bodyEnd, raw.length);
});

test('an outer delimiter ends an inner multipart that was never closed (RFC 2046 §5.1.2)', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain

plain
--outer
Content-Type: text/plain

after
--outer--
`);
  const { root } = parseMessageStructure(raw);
  const alternative = child(root, 0);
  assert.deepEqual(
    alternative.children.map((part) => body(raw, part)),
    ['plain'],
  );
  assert.equal(alternative.bodyEnd, child(alternative, 0).bodyEnd);
  assert.equal(body(raw, child(root, 1)), 'after');
});

test('the longest matching boundary wins, and trailing garbage after a boundary is tolerated', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=x

--x
Content-Type: multipart/alternative; boundary=x-inner

--x-inner
Content-Type: text/plain

a
--x-inner   trailing junk
Content-Type: text/plain

b
--x-inner--
--x--
`);
  const { root } = parseMessageStructure(raw);
  assert.equal(root.children.length, 1);
  assert.deepEqual(
    child(root, 0).children.map((part) => body(raw, part)),
    ['a', 'b'],
  );
});

test('bare LF line ends are handled like CRLF', () => {
  const raw = Buffer.from(
    'From: a@example.com\nSubject: lf\nContent-Type: multipart/alternative; boundary=x\n\n' +
      '--x\nContent-Type: text/plain\n\none\ntwo\n--x\nContent-Type: text/html\n\n<p>one</p>\n--x--\n',
  );
  const structure = parseMessageStructure(raw);
  assert.equal(structure.envelope.subject, 'lf');
  const [plain, html] = [child(structure.root, 0), child(structure.root, 1)];
  assert.equal(header(raw, plain), 'Content-Type: text/plain\n\n');
  assert.deepEqual([body(raw, plain), plain.lines], ['one\ntwo', 1]);
  assert.equal(body(raw, html), '<p>one</p>');
});

test('no empty line: the message is all header; an empty message is an empty text/plain', () => {
  const raw = crlf('From: a@example.com\nSubject: no body');
  const { root, envelope } = parseMessageStructure(raw);
  assert.deepEqual([root.headerEnd, root.bodyStart, root.bodyEnd], [raw.length, raw.length, raw.length]);
  assert.equal(envelope.subject, 'no body');
  const empty = parseMessageStructure(Buffer.alloc(0)).root;
  assert.deepEqual([empty.type, empty.subtype, empty.bodyEnd, empty.lines], ['text', 'plain', 0, 0]);
});

test('a multipart without boundary, or an unreadable Content-Type, is text/plain; charset=us-ascii', () => {
  for (const contentType of ['multipart/mixed', 'multipart/mixed; boundary=""', 'text', '/plain', '']) {
    const raw = crlf(`Content-Type: ${contentType}\n\n--b\nbody\n`);
    const { root } = parseMessageStructure(raw);
    assert.deepEqual(
      [root.type, root.subtype, root.params, root.children.length],
      ['text', 'plain', [{ name: 'charset', value: 'us-ascii' }], 0],
      contentType,
    );
    assert.equal(body(raw, root), '--b\r\nbody\r\n');
  }
  const junk = parseMessageStructure(crlf('Content-Type: TEXT/HTML garbage (comment); Charset="x"\n\n')).root;
  assert.deepEqual(
    [junk.type, junk.subtype, junk.params],
    ['text', 'html', [{ name: 'charset', value: 'x' }]],
  );
});

test('8-bit header octets are kept as latin1 characters, one per octet', () => {
  const sjis = Buffer.from([0x95, 0xf1, 0x8d, 0x90]);
  const raw = Buffer.concat([crlf('Content-Description: '), sjis, crlf('\nSubject: '), sjis, crlf('\n\nx')]);
  const structure = parseMessageStructure(raw);
  assert.deepEqual(Buffer.from(structure.root.description ?? '', 'latin1'), sjis);
  assert.deepEqual(Buffer.from(structure.envelope.subject ?? '', 'latin1'), sjis);
});

test('a message/rfc822 in base64 cannot be parsed in place: it is an opaque application/octet-stream', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: message/rfc822
Content-Transfer-Encoding: base64

RnJvbTogYUBiDQoNCmhp
--b--
`);
  const part = child(parseMessageStructure(raw).root, 0);
  assert.deepEqual(
    [part.type, part.subtype, part.encoding, part.message],
    ['application', 'octet-stream', 'base64', null],
  );
});

test('a part whose header runs into a delimiter has an empty body; a multipart with no part gets an empty one', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain
--b
Content-Type: message/rfc822
--b
--b--
`);
  const { root } = parseMessageStructure(raw);
  const [text, message, empty] = [child(root, 0), child(root, 1), child(root, 2)];
  assert.deepEqual([header(raw, text), body(raw, text)], ['Content-Type: text/plain', '']);
  assert.equal(nested(message).root.bodyEnd - nested(message).root.headerStart, 0);
  assert.deepEqual([header(raw, empty), body(raw, empty), empty.type], ['', '', 'text']);

  const partless = crlf('Content-Type: multipart/mixed; boundary=b\n\nno delimiter at all\n');
  const only = child(parseMessageStructure(partless).root, 0);
  assert.deepEqual(
    [only.type, only.subtype, only.bodyStart, only.bodyEnd],
    ['text', 'plain', partless.length, partless.length],
  );
});

test('nesting deeper than the limit is opaque, and never overflows the stack', () => {
  const depth = 200;
  let text = '';
  for (let level = 0; level < depth; level++) {
    // RFC 2046 §5.1.1: no boundary may start with an enclosing one ("b6" / "b64"): hence the "_".
    text += `Content-Type: multipart/mixed; boundary=b${level}_\n\n--b${level}_\n`;
  }
  text += 'Content-Type: text/plain\n\ndeep\n';
  for (let level = depth - 1; level >= 0; level--) text += `--b${level}_--\n`;
  const raw = crlf(text);
  const structure = parseMessageStructure(raw);
  let part = structure.root;
  let levels = 0;
  while (part.type === 'multipart') {
    part = child(part, 0);
    levels++;
  }
  assert.equal(levels, MimeLimits.maxDepth);
  assert.deepEqual([part.type, part.subtype], ['application', 'octet-stream']);
  assert.ok(body(raw, part).includes('deep'));
  assert.ok(bodyStructureWire(structure, true).length > 0);

  const messages = crlf(`${'Content-Type: message/rfc822\n\n'.repeat(5000)}Subject: bottom\n\nx\n`);
  const deepest = parseMessageStructure(messages);
  assert.ok(envelopeWire(deepest).length > 0 && bodyStructureWire(deepest, false).length > 0);
});

test('past the part limit further parts are not split out, and the bytes are still all there', () => {
  const count = MimeLimits.maxParts + 50;
  const raw = crlf(`Content-Type: multipart/mixed; boundary=p\n\n${'--p\n\nx\n'.repeat(count)}--p--\n`);
  const { root } = parseMessageStructure(raw);
  assert.ok(root.children.length < MimeLimits.maxParts, `${root.children.length} parts`);
  assert.equal(root.bodyEnd, raw.length);
});

test('random MIME-looking garbage never throws and always gives a complete structure', () => {
  const pieces = [
    '--b\r\n',
    '--b--\r\n',
    '--c\n',
    'Content-Type: multipart/mixed; boundary=b\r\n',
    'Content-Type: multipart/digest; boundary=c\n',
    'Content-Type: message/rfc822\r\n',
    'Content-Transfer-Encoding: base64\r\n',
    'From: "a (b" <c@d>, ;;: e\r\n',
    '\r\n',
    '\n',
    '\r',
    'text\r\n',
    '\xff\xfe\x00',
    '(',
    '"',
  ];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let round = 0; round < 2000; round++) {
    let text = '';
    const length = next() % 30;
    for (let i = 0; i < length; i++) text += pieces[next() % pieces.length];
    const raw = Buffer.from(text, 'latin1');
    const structure = parseMessageStructure(raw);
    const check = (part: MimePart) => {
      assert.ok(part.headerStart <= part.headerEnd && part.headerEnd <= part.bodyStart, text);
      assert.ok(part.bodyStart <= part.bodyEnd && part.bodyEnd <= raw.length, text);
      assert.ok(part.type !== 'multipart' || part.children.length > 0, text);
      part.children.forEach(check);
      if (part.message) check(part.message.root);
    };
    check(structure.root);
    envelopeWire(structure);
    bodyStructureWire(structure, true);
  }
});

test('a 20 MB message parses in well under a second', () => {
  const base64Line = `${'QUJD'.repeat(19)}\r\n`;
  const textLine = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n';
  const raw = Buffer.concat([
    crlf('From: a@example.com\nSubject: big\nContent-Type: multipart/mixed; boundary=big\n\n--big\n'),
    crlf('Content-Type: text/plain\n\n'),
    Buffer.from(textLine.repeat(Math.ceil(10_000_000 / textLine.length))),
    crlf('--big\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'),
    Buffer.from(base64Line.repeat(Math.ceil(10_000_000 / base64Line.length))),
    crlf('--big--\n'),
  ]);
  assert.ok(raw.length > 20_000_000);
  const started = performance.now();
  const { root } = parseMessageStructure(raw);
  const elapsed = performance.now() - started;
  assert.equal(root.children.length, 2);
  assert.equal(child(root, 0).lines, Math.ceil(10_000_000 / textLine.length) - 1);
  assert.ok(elapsed < 3000, `${Math.round(elapsed)} ms`);
});

test('hostile shapes stay linear: "--" lines inside deep multiparts, millions of header lines', () => {
  let nest = '';
  for (let level = 0; level < 70; level++)
    nest += `Content-Type: multipart/mixed; boundary=level${level}_\r\n\r\n--level${level}_\r\n`;
  const shapes = [
    Buffer.concat([Buffer.from(nest), Buffer.from('--level1\r\n'.repeat(500_000))]),
    Buffer.from('X-A: b\r\n'.repeat(1_000_000)),
    Buffer.from(`Content-Type: multipart/mixed; boundary=p\r\n\r\n${'--p\r\n\r\nx\r\n'.repeat(400_000)}`),
  ];
  for (const raw of shapes) {
    const started = performance.now();
    const structure = parseMessageStructure(raw);
    bodyStructureWire(structure, true);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3000, `${raw.length} octets: ${Math.round(elapsed)} ms`);
  }
});
