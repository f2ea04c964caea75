import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SectionSpec } from '../protocol/ast.ts';
import { parseMessageStructure } from './mime-structure.ts';
import { applyPartial, sectionBytes } from './sections.ts';
import { DIGEST, MIXED, PLAIN, between, crlf } from './test-messages.ts';

/** "3.HEADER.FIELDS" and friends, written as in a FETCH command. */
function spec(text: string): SectionSpec {
  const fieldsMatch = /^(?:([\d.]*)\.)?HEADER\.FIELDS(\.NOT)? \((.*)\)$/.exec(text);
  const path = (numbers: string) => (numbers === '' ? [] : numbers.split('.').map(Number));
  if (fieldsMatch) {
    return {
      part: path(fieldsMatch[1] ?? ''),
      text: {
        kind: 'HEADER.FIELDS',
        fields: (fieldsMatch[3] ?? '').split(' '),
        not: fieldsMatch[2] !== undefined,
      },
    };
  }
  const kindMatch = /^(?:([\d.]*?)\.?)(HEADER|TEXT|MIME)?$/.exec(text);
  const kind = kindMatch?.[2] as 'HEADER' | 'TEXT' | 'MIME' | undefined;
  return { part: path(kindMatch?.[1] ?? ''), ...(kind ? { text: { kind } } : {}) };
}

function section(raw: Buffer, text: string): string | null {
  return sectionBytes(raw, parseMessageStructure(raw), spec(text))?.toString('latin1') ?? null;
}

test('the section helper reads specs as a FETCH command writes them', () => {
  assert.deepEqual(spec(''), { part: [] });
  assert.deepEqual(spec('3.2.MIME'), { part: [3, 2], text: { kind: 'MIME' } });
  assert.deepEqual(spec('HEADER'), { part: [], text: { kind: 'HEADER' } });
  assert.deepEqual(spec('3.HEADER.FIELDS.NOT (A b)'), {
    part: [3],
    text: { kind: 'HEADER.FIELDS', fields: ['A', 'b'], not: true },
  });
});

test('BODY[], HEADER (with its empty line) and TEXT of the whole message', () => {
  const headerEnd = MIXED.indexOf('\r\n\r\n') + 4;
  assert.equal(section(MIXED, ''), MIXED.toString('latin1'));
  assert.equal(section(MIXED, 'HEADER'), MIXED.subarray(0, headerEnd).toString('latin1'));
  assert.ok(section(MIXED, 'HEADER')?.endsWith('boundary="outer"\r\n\r\n'));
  assert.equal(section(MIXED, 'TEXT'), MIXED.subarray(headerEnd).toString('latin1'));
});

test('part numbers, MIME headers, and the sections of an encapsulated message', () => {
  const expected: Array<[string, string]> = [
    ['1', 'See attached.'],
    ['1.MIME', 'Content-Type: text/plain; charset=us-ascii\r\n\r\n'],
    ['2', 'JVBERi0xLjQKJcOkw7zDtsOfCg=='],
    ['3', between(MIXED, 'From: Jiro', '\r\n--outer--').toString('latin1')],
    ['3.MIME', 'Content-Type: message/rfc822\r\n\r\n'],
    ['3.HEADER', between(MIXED, 'From: Jiro', '--inner\r\n').toString('latin1')],
    ['3.TEXT', between(MIXED, '--inner\r\n', '\r\n--outer--').toString('latin1')],
    ['3.1', 'Here is the report.'],
    ['3.1.MIME', 'Content-Type: text/plain\r\n\r\n'],
    ['3.2', 'iVBORw0KGgo='],
    ['3.2.MIME', 'Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n'],
  ];
  for (const [text, bytes] of expected) assert.equal(section(MIXED, text), bytes, text);
  assert.ok(section(MIXED, '3.HEADER')?.endsWith('boundary="inner"\r\n\r\n'));
});

test('HEADER.FIELDS and HEADER.FIELDS.NOT: names in any case, fields as sent, then the empty line', () => {
  assert.equal(
    section(MIXED, '3.HEADER.FIELDS (SUBJECT from)'),
    'From: Jiro <jiro@example.com>\r\nSubject: report\r\n\r\n',
  );
  assert.equal(
    section(MIXED, 'HEADER.FIELDS.NOT (Content-Type MIME-Version message-id DATE)'),
    'From: Taro <taro@example.jp>\r\nTo: team@example.com\r\nSubject: Fwd: report\r\n\r\n',
  );
  assert.equal(section(MIXED, 'HEADER.FIELDS (X-None)'), '\r\n');
  // Folded fields keep their folding.
  assert.equal(
    section(PLAIN, 'HEADER.FIELDS (Subject Received)'),
    'Received: from mx.example.jp (mx.example.jp [192.0.2.1])\r\n\tby mail.example.com; Mon, 23 Nov 2026 09:00:01 +0900\r\n' +
      'Subject: Meeting notes\r\n for Monday\r\n\r\n',
  );
  // Bare LF: each field still ends in CRLF; a fold inside a field goes as it came.
  const lf = Buffer.from('Subject: a\n b\nFrom: x@example.com\n\nbody');
  assert.equal(section(lf, 'HEADER.FIELDS (SUBJECT FROM)'), 'Subject: a\n b\r\nFrom: x@example.com\r\n\r\n');
});

test('a single-part message: part 1 is its body, 1.MIME its header', () => {
  const header = PLAIN.subarray(0, PLAIN.indexOf('\r\n\r\n') + 4).toString('latin1');
  assert.equal(section(PLAIN, '1'), 'Hello Hanako,\r\n\r\nThe meeting is at 10:00.\r\n-- \r\nTaro\r\n');
  assert.equal(section(PLAIN, '1.MIME'), header);
  const forwarded = crlf('Content-Type: message/rfc822\n\nSubject: inner\n\nhi');
  assert.equal(section(forwarded, '1'), 'Subject: inner\r\n\r\nhi');
  assert.equal(section(forwarded, '1.HEADER'), 'Subject: inner\r\n\r\n');
  assert.equal(section(forwarded, '1.1'), 'hi');
  assert.equal(section(forwarded, 'HEADER'), 'Content-Type: message/rfc822\r\n\r\n');
});

test('in a digest, the message parts go on numbering into their messages', () => {
  assert.equal(section(DIGEST, '1.MIME'), '\r\n');
  assert.equal(section(DIGEST, '1.HEADER.FIELDS (subject)'), 'Subject: first\r\n\r\n');
  assert.equal(section(DIGEST, '1.1'), 'One.');
  assert.equal(section(DIGEST, '2'), 'Not a message.');
});

test('sections that do not exist are null', () => {
  for (const text of ['4', '0', '1.1', '2.HEADER', '2.TEXT', '3.3', '3.1.1', '3.2.HEADER', 'MIME', '1.2']) {
    assert.equal(section(MIXED, text), null, text);
  }
  assert.equal(section(PLAIN, '2'), null);
  assert.equal(section(PLAIN, '1.TEXT'), null);
});

test('partials: a window of the octets; an offset past the end gives none', () => {
  const bytes = Buffer.from('0123456789');
  assert.equal(applyPartial(bytes, undefined), bytes);
  assert.equal(applyPartial(bytes, { offset: 0, length: 4 }).toString(), '0123');
  assert.equal(applyPartial(bytes, { offset: 7, length: 100 }).toString(), '789');
  assert.equal(applyPartial(bytes, { offset: 10, length: 1 }).length, 0);
  assert.equal(applyPartial(bytes, { offset: 50, length: 5 }).length, 0);
  assert.equal(applyPartial(bytes, { offset: 3, length: 0 }).length, 0);
});
