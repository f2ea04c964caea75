/// <reference types="node" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countFromForm, formatFormSize, sizeFromForm, sizeToForm, withinRange } from './settings-limits.ts';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

describe('the limits form of the Settings screen', () => {
  test('a size shows in GB when it is a round number of them, else in MB', () => {
    assert.deepEqual(sizeToForm(2 * GIB), { amount: '2', unit: 'GB' });
    assert.deepEqual(sizeToForm(1.5 * GIB), { amount: '1.5', unit: 'GB' });
    assert.deepEqual(sizeToForm(25 * MIB), { amount: '25', unit: 'MB' });
    assert.deepEqual(sizeToForm(500 * MIB), { amount: '500', unit: 'MB' });
    assert.deepEqual(sizeToForm(256 * 1024), { amount: '0.25', unit: 'MB' });
    assert.equal(formatFormSize(1024 * GIB), '1024 GB');
  });

  test('what is typed becomes bytes in powers of 1024, as coo.toml reads "25M"', () => {
    assert.equal(sizeFromForm('500', 'MB'), 500 * MIB);
    assert.equal(sizeFromForm(' 1.5 ', 'GB'), 1.5 * GIB);
    assert.equal(sizeFromForm('0.25', 'MB'), 256 * 1024);
    for (const shown of [sizeToForm(3 * GIB), sizeToForm(700 * MIB), sizeToForm(256 * 1024)]) {
      const bytes = sizeFromForm(shown.amount, shown.unit);
      assert.equal(sizeToForm(bytes ?? -1).amount, shown.amount, 'what is shown reads back the same');
    }
  });

  test('malformed sizes and counts are not numbers', () => {
    for (const bad of ['', 'abc', '-1', '1e3', '1,5', '2GB', '1.2345', '.5']) {
      assert.equal(sizeFromForm(bad, 'MB'), undefined, bad);
    }
    for (const bad of ['', '1.5', '-1', 'ten', '1e3']) assert.equal(countFromForm(bad), undefined, bad);
    assert.equal(countFromForm(' 40 '), 40);
    assert.equal(countFromForm('0'), 0);
  });

  test('the ranges are the server’s: sizes from 1 MB, mail up to 1 GB, uploads up to 1024 GB', () => {
    assert.equal(withinRange('im.max-upload-size', MIB), true);
    assert.equal(withinRange('im.max-upload-size', MIB - 1), false);
    assert.equal(withinRange('im.max-upload-size', 1024 * GIB), true);
    assert.equal(withinRange('im.max-upload-size', 1024 * GIB + 1), false);
    assert.equal(withinRange('mail.max-message-size', GIB), true);
    assert.equal(withinRange('mail.max-message-size', 2 * GIB), false);
    assert.equal(withinRange('mail.max-messages-per-hour', 0), true, '0: no limit');
    assert.equal(withinRange('mail.max-recipients', 0), false);
    assert.equal(withinRange('mail.max-recipients', 10_000), true);
    assert.equal(withinRange('mail.max-recipients', undefined), false);
  });
});
