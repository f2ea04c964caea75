import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBytes, isImageType } from './format.ts';

describe('file sizes and types', () => {
  test('sizes are shown in the largest fitting unit of 1024', () => {
    assert.equal(formatBytes(512, 'en'), '512 byte');
    assert.equal(formatBytes(1536, 'en'), '1.5 kB');
    assert.equal(formatBytes(20 * 1024 * 1024, 'en'), '20 MB');
    assert.equal(formatBytes(3 * 1024 ** 3, 'ja'), '3 GB');
  });

  test('only types a browser shows are previewed locally', () => {
    assert.ok(isImageType('image/png'));
    assert.ok(!isImageType('image/svg+xml'));
    assert.ok(!isImageType('application/pdf'));
  });
});
