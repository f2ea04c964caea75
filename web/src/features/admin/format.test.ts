/// <reference types="node" />
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUDIT_CSV_HEADER, auditCsvRow, toCsv } from './csv.ts';
import { diskUsed, listenersFromMetrics } from './dashboard-model.ts';
import {
  daysUntil,
  formatBytes,
  formatQuota,
  parseQuota,
  parseSize,
  toDateInput,
  validityState,
} from './format.ts';

describe('console formats', () => {
  test('sizes read and write as the server does (powers of 1024)', () => {
    assert.equal(parseSize('5G'), 5 * 1024 ** 3);
    assert.equal(parseSize('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(parseSize('500 m'), 500 * 1024 ** 2);
    assert.equal(parseSize('12'), 12);
    assert.equal(parseSize('5X'), undefined);
    assert.equal(formatQuota(5 * 1024 ** 3), '5G');
    assert.equal(formatQuota(1536), '1536');
    assert.equal(formatQuota(0), 'unlimited');
    assert.equal(formatQuota(null), '');
  });

  test('a quota is blank (the default), unlimited, or a size', () => {
    assert.deepEqual(parseQuota(' '), { ok: true, bytes: null });
    assert.deepEqual(parseQuota('Unlimited'), { ok: true, bytes: 0 });
    assert.deepEqual(parseQuota('無制限'), { ok: true, bytes: 0 });
    assert.deepEqual(parseQuota('2G'), { ok: true, bytes: 2 * 1024 ** 3 });
    assert.deepEqual(parseQuota('lots'), { ok: false });
  });

  test('bytes for reading', () => {
    assert.equal(formatBytes(0, 'en'), '0 B');
    assert.equal(formatBytes(1536, 'en'), '1.5 KB');
    assert.equal(formatBytes(3 * 1024 ** 3, 'ja'), '3 GB');
  });

  test('dates and validity', () => {
    const local = new Date(2027, 2, 31, 23, 59).toISOString();
    assert.equal(toDateInput(local), '2027-03-31');
    assert.equal(toDateInput(null), '');
    const now = Date.parse('2026-06-01T00:00:00Z');
    assert.equal(validityState({ validFrom: null, validUntil: '2026-05-31T00:00:00Z' }, now), 'expired');
    assert.equal(validityState({ validFrom: '2026-07-01T00:00:00Z', validUntil: null }, now), 'not-yet');
    assert.equal(validityState({ validFrom: null, validUntil: null }, now), 'valid');
    assert.equal(daysUntil('2026-06-11T12:00:00Z', now), 10);
    assert.equal(daysUntil('2026-05-31T12:00:00Z', now), -1);
  });

  test('CSV quotes what needs it, ends lines with CRLF, and defuses formulas', () => {
    assert.equal(
      toCsv([
        ['a', 'b,c', 'say "hi"'],
        ['=SUM(A1)', 'line\nbreak', '-5'],
      ]),
      '\uFEFFa,"b,c","say ""hi"""\r\n\'=SUM(A1),"line\nbreak",-5\r\n',
    );
    const row = auditCsvRow({
      seq: 7,
      at: '2026-11-22T03:00:00.000Z',
      actor: 'admin@example.com',
      action: 'user.create',
      target: 'taro@example.com',
      protocol: 'http',
      remote: '127.0.0.1',
      outcome: 'success',
      details: { unit: '営業部' },
      hash: 'abc',
    });
    assert.equal(row.length, AUDIT_CSV_HEADER.length);
    assert.equal(row[8], '{"unit":"営業部"}');
  });

  test('listener states come from the Prometheus text when the dashboard has none', () => {
    const text = [
      '# HELP coo_listener_up 1 for each configured listener that is running, 0 for one that is skipped.',
      '# TYPE coo_listener_up gauge',
      'coo_listener_up{listener="http"} 1',
      'coo_listener_up{listener="smtp"} 0',
      'coo_users 4',
    ].join('\n');
    assert.deepEqual(
      listenersFromMetrics(text).map((l) => [l.name, l.running]),
      [
        ['http', true],
        ['smtp', false],
      ],
    );
    assert.equal(diskUsed(25, 100), 0.75);
    assert.equal(diskUsed(null, 100), null);
  });
});
