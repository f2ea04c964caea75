import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDateTime, parseSearchDate } from './date-time.ts';

test('search dates: one or two digit days, any month case, real days only', () => {
  assert.equal(parseSearchDate('1-Feb-1994'), '1994-02-01');
  assert.equal(parseSearchDate('01-feb-1994'), '1994-02-01');
  assert.equal(parseSearchDate('29-FEB-2000'), '2000-02-29');
  assert.equal(parseSearchDate('31-Dec-0099'), '0099-12-31');
  for (const bad of [
    '29-Feb-1900',
    '31-Apr-2024',
    '0-Jan-2024',
    '1-Foo-2024',
    '1-Feb-94',
    '001-Feb-1994',
    '1 Feb 1994',
    '1-Feb-1994 ',
    '',
  ]) {
    assert.equal(parseSearchDate(bad), undefined, bad);
  }
});

test('APPEND date-times to milliseconds since the epoch, with the zone applied', () => {
  assert.equal(parseDateTime('17-Jul-1996 02:44:25 -0700'), Date.UTC(1996, 6, 17, 9, 44, 25));
  assert.equal(parseDateTime(' 7-Feb-1994 21:52:25 +0900'), Date.UTC(1994, 1, 7, 12, 52, 25));
  assert.equal(parseDateTime('07-Feb-1994 21:52:25 +0000'), Date.UTC(1994, 1, 7, 21, 52, 25));
  assert.equal(parseDateTime('1-Jan-1970 00:00:00 +0000'), 0);
  // Years below 100 are years, not 1900 + the number as Date.UTC would take them.
  assert.equal(parseDateTime('1-Jan-0050 00:00:00 +0000'), -60589296000000);
  for (const bad of [
    '17-Jul-1996 24:00:00 -0700',
    '17-Jul-1996 02:60:25 -0700',
    '17-Jul-1996 02:44:25 -0760',
    '17-Jul-1996 02:44:25',
    '17-Jul-1996 2:44:25 -0700',
    '32-Jul-1996 02:44:25 -0700',
    '17-Jul-96 02:44:25 -0700',
    '17-Jul-1996T02:44:25 -0700',
    '17-Jul-1996 02:44:25 -0700 ',
  ]) {
    assert.equal(parseDateTime(bad), undefined, bad);
  }
});
