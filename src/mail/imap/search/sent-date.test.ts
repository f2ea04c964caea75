import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayInZone, dayNumber, parseSentDate } from './sent-date.ts';

test('RFC 5322 dates with numeric and obsolete zones give the UTC instant and the written day', () => {
  const cases: Array<[string, number, string]> = [
    ['Tue, 1 Jul 2003 10:52:37 +0200', Date.UTC(2003, 6, 1, 8, 52, 37), '2003-07-01'],
    ['Fri, 31 Dec 2027 23:30:00 -0500', Date.UTC(2028, 0, 1, 4, 30), '2027-12-31'],
    ['1 Jan 2025 00:00 EST', Date.UTC(2025, 0, 1, 5), '2025-01-01'],
    ['Mon, 7 Apr 2025 00:10:00 +0900 (JST)', Date.UTC(2025, 3, 6, 15, 10), '2025-04-07'],
    ['Sun, 06 Nov 94 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 37), '1994-11-06'],
    ['6 Nov 03 08:49 Z', Date.UTC(2003, 10, 6, 8, 49), '2003-11-06'],
    ['Thu, 13 Feb 1969 23:32:54 -0330', Date.UTC(1969, 1, 14, 3, 2, 54), '1969-02-13'],
    // An ISO 8601 date is no RFC 5322 date, but mailers send it: read, its day taken in UTC.
    ['2025-04-07T09:00:00+09:00', Date.UTC(2025, 3, 7), '2025-04-07'],
  ];
  for (const [value, time, day] of cases) {
    assert.deepEqual(parseSentDate(value), { time, day: dayNumber(day) }, value);
  }
});

test('text that is no date gives null', () => {
  for (const value of [
    '',
    'tomorrow',
    'Mon, 32 Foo 2025 10:00:00 +0000',
    '1 Jan 2025 25:00:00 +0000',
    '7 Apr',
  ]) {
    assert.equal(parseSentDate(value), null, value);
  }
});

test('search dates and zone days', () => {
  assert.equal(dayNumber('1970-01-02'), 1);
  assert.equal(dayNumber('2024-02-29'), Date.UTC(2024, 1, 29) / 86_400_000);
  assert.equal(dayNumber('2025-02-29'), null);
  assert.equal(dayNumber('2025-4-7'), null);
  assert.equal(dayInZone(Date.UTC(2025, 3, 6, 15), 540), dayNumber('2025-04-07'));
  assert.equal(dayInZone(Date.UTC(2025, 3, 6, 15), 0), dayNumber('2025-04-06'));
  assert.equal(dayInZone(Date.UTC(2025, 3, 7, 2), -300), dayNumber('2025-04-06'));
});
