import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  LOW_OPEN_FILES_LIMIT,
  openFilesLimit,
  openFilesWarning,
  parseOpenFilesLimit,
} from './open-files-limit.ts';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test('the open-files line of /proc/self/limits is read, "unlimited" included', () => {
  assert.deepEqual(parseOpenFilesLimit(LIMITS), { soft: 1024, hard: 524288 });
  assert.deepEqual(
    parseOpenFilesLimit('Max open files            unlimited            unlimited            files\n'),
    { soft: Infinity, hard: Infinity },
  );
  assert.equal(parseOpenFilesLimit('Max cpu time unlimited unlimited seconds\n'), undefined);
  assert.equal(
    parseOpenFilesLimit('Max open files            many                 more                 files\n'),
    undefined,
  );
});

test("this process's limit is the one the kernel reports", async () => {
  const expected = parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  assert.ok(expected, 'Linux reports the limit');
  assert.deepEqual(await openFilesLimit(), expected);
});

test('a low limit is a warning that names the number and what to change; a high one is not', () => {
  const warning = openFilesWarning({ soft: 1024, hard: 4096 });
  assert.ok(warning);
  assert.match(warning, /limit of open files is 1024 \(hard 4096\)/);
  assert.match(warning, /about 924 clients/);
  assert.match(warning, /LimitNOFILE=65536/);
  assert.equal(openFilesWarning({ soft: LOW_OPEN_FILES_LIMIT, hard: LOW_OPEN_FILES_LIMIT }), undefined);
  assert.equal(openFilesWarning({ soft: Infinity, hard: Infinity }), undefined);
  assert.equal(openFilesWarning(undefined), undefined);
});
