import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayWidth, formatKeyValues, formatTable } from './output.ts';

test('displayWidth counts Japanese and fullwidth characters as two columns, combining marks as none', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('山田 太郎'), 9);
  assert.equal(displayWidth('ｶﾀｶﾅ'), 4, 'halfwidth katakana is one column');
  assert.equal(displayWidth('Ａ'), 2);
  assert.equal(displayWidth('e\u0301'), 1);
});

test('formatTable lines up columns by display width, capitalises headers and leaves no trailing blanks', () => {
  assert.deepEqual(
    formatTable(
      ['name', 'count', 'note'],
      [
        ['山田', '7', ''],
        ['Bob', '12', 'x'],
      ],
      { alignRight: [1] },
    ),
    ['NAME  COUNT  NOTE', '山田      7', 'Bob      12  x'],
  );
});

test('formatKeyValues lines values up after the longest key', () => {
  assert.deepEqual(
    formatKeyValues([
      ['name', 'A'],
      ['valid until', ''],
    ]),
    ['name:        A', 'valid until:'],
  );
});
