import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldNameIs, fieldValue, firstFieldValues, forEachField } from './header-scan.ts';

function fields(text: string): Array<[string, string]> {
  const raw = Buffer.from(text, 'latin1');
  const found: Array<[string, string]> = [];
  forEachField(raw, 0, raw.length, (field) => {
    found.push([raw.toString('latin1', field.nameStart, field.nameEnd), fieldValue(raw, field)]);
  });
  return found;
}

test('fields are unfolded, stop at the empty line, and lines without a colon are no field', () => {
  assert.deepEqual(fields('Subject: a\r\n b\r\n\tc\r\nX-Empty:\r\nTo : x\r\n\r\nBody: no\r\n'), [
    ['Subject', 'a b\tc'],
    ['X-Empty', ''],
    ['To', 'x'],
  ]);
  assert.deepEqual(fields('junk line\n continued\nA: 1\n: no name\nB: 2'), [
    ['A', '1'],
    ['B', '2'],
  ]);
  assert.deepEqual(fields(''), []);
});

test('names compare case-insensitively; only the first of each wanted field is kept', () => {
  const raw = Buffer.from('SUBJECT: one\r\nsubject: two\r\nFrom: a\r\n\r\n');
  assert.deepEqual([...firstFieldValues(raw, 0, raw.length, ['subject', 'to'])], [['subject', 'one']]);
  forEachField(raw, 0, raw.length, (field) => {
    assert.equal(fieldNameIs(raw, field, 'subject'), field.nameStart < 28);
  });
});

test('a header of millions of fields is read in one pass', () => {
  const raw = Buffer.from('X-A: b\r\n'.repeat(1_000_000) + 'Subject: last\r\n\r\n');
  const started = performance.now();
  assert.equal(firstFieldValues(raw, 0, raw.length, ['subject']).get('subject'), 'last');
  assert.ok(performance.now() - started < 3000);
});
