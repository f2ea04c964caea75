import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configuredBlobStore } from '../src/blob/blob-store.ts';
import { finishRow, insertQueueRows, listQueueRows } from '../src/store/mail-queue.ts';
import { describeHttpApi, DOMAIN, lastAuditEntry, type TestServer } from './support/http-server.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Puts a message in the queue as the submission listener would, due
 * tomorrow so the running queue leaves it alone; returns its id.
 */
async function queueMessage(server: TestServer, recipient: string): Promise<number> {
  const { services } = server.server;
  const blobs = configuredBlobStore(services.config, services.store.db);
  const body = Buffer.from(`Subject: to ${recipient}\r\n\r\nhello\r\n`);
  const blob = await blobs.put(body);
  const now = Date.now();
  await insertQueueRows(
    services.store.db,
    [
      {
        sender: `admin@${DOMAIN}`,
        recipient,
        domain: recipient.split('@')[1] ?? '',
        blobSha256: blob.id,
        size: body.length,
        originUserId: null,
        kind: 'submission',
        options: '{}',
        nextAttemptAt: now + DAY_MS,
      },
    ],
    now,
  );
  const row = (await listQueueRows(services.store.db)).find((r) => r.recipient === recipient);
  assert.ok(row, 'the row was inserted');
  return row.id;
}

describeHttpApi('REST: /api/v1/mail/dns and /api/v1/mail/queue', (server) => {
  test('GET /mail/dns gives MX, SPF, DKIM, DMARC, autoconfig and SRV records per domain', async () => {
    const response = await server().call('GET', '/api/v1/mail/dns');
    assert.equal(response.status, 200, response.text);
    const group = response.json.domains.find((d: { domain: string }) => d.domain === DOMAIN);
    assert.ok(group, response.text);
    const records = group.records as { type: string; name: string; value: string; purpose: string }[];
    const mx = records.find((r) => r.type === 'MX');
    assert.equal(mx?.name, `${DOMAIN}.`);
    assert.equal(mx.value, `10 ${response.json.hostname}.`);
    assert.ok(records.some((r) => r.type === 'TXT' && r.value === 'v=spf1 mx -all'));
    const dkim = records.find((r) => r.name.includes('._domainkey.'));
    assert.match(dkim?.value ?? '', /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    assert.ok(records.some((r) => r.name === `_dmarc.${DOMAIN}.` && r.value === 'v=DMARC1; p=quarantine'));
    assert.ok(records.every((r) => r.purpose.length > 0));
    assert.ok(records.some((r) => r.type === 'SRV'));
  });

  test('GET /mail/dns takes ?domain and ?dmarc; an unknown domain is 404', async () => {
    const one = await server().call('GET', `/api/v1/mail/dns?domain=${DOMAIN}&dmarc=none`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.json.domains.length, 1);
    const records = one.json.domains[0].records as { name: string; value: string }[];
    assert.ok(records.some((r) => r.name === `_dmarc.${DOMAIN}.` && r.value === 'v=DMARC1; p=none'));
    const unknown = await server().call('GET', '/api/v1/mail/dns?domain=nowhere.example');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'DOMAIN_UNKNOWN');
    const badPolicy = await server().call('GET', '/api/v1/mail/dns?dmarc=maybe');
    assert.equal(badPolicy.status, 400);
  });

  test('GET /mail/queue lists entries and filters by status', async () => {
    const waiting = await queueMessage(server(), 'list-waiting@remote.example');
    const failed = await queueMessage(server(), 'list-failed@remote.example');
    await finishRow(server().server.services.store.db, failed, {
      status: 'failed',
      attempts: 3,
      lastError: '550 5.1.1 no such user',
      now: Date.now(),
    });
    const all = await server().call('GET', '/api/v1/mail/queue');
    assert.equal(all.status, 200, all.text);
    const entry = all.json.entries.find((e: { id: number }) => e.id === waiting);
    assert.deepEqual(Object.keys(entry).sort(), [
      'attempts',
      'createdAt',
      'id',
      'kind',
      'lastError',
      'nextAttemptAt',
      'recipient',
      'sender',
      'size',
      'status',
    ]);
    assert.equal(entry.sender, `admin@${DOMAIN}`);
    assert.equal(entry.recipient, 'list-waiting@remote.example');
    assert.equal(entry.kind, 'submission');
    assert.equal(entry.status, 'queued');
    assert.equal(entry.attempts, 0);
    assert.equal(entry.lastError, null);
    assert.ok(Date.parse(entry.nextAttemptAt) > Date.now());

    const queued = await server().call('GET', '/api/v1/mail/queue?status=queued');
    const queuedIds = queued.json.entries.map((e: { id: number }) => e.id);
    assert.ok(queuedIds.includes(waiting) && !queuedIds.includes(failed));
    const failedOnly = await server().call('GET', '/api/v1/mail/queue?status=failed');
    assert.deepEqual(
      failedOnly.json.entries.map((e: { id: number; lastError: string }) => [e.id, e.lastError]),
      [[failed, '550 5.1.1 no such user']],
    );
    assert.equal((await server().call('GET', '/api/v1/mail/queue?status=lost')).status, 400);
  });

  test('POST /mail/queue/{id}/retry makes a waiting entry due now, audited; a failed one is 400', async () => {
    const id = await queueMessage(server(), 'retry@remote.example');
    const before = Date.now();
    const retried = await server().call('POST', `/api/v1/mail/queue/${id}/retry`);
    assert.equal(retried.status, 204, retried.text);
    const audit = await lastAuditEntry(server(), 'mail.queue.retry', String(id));
    assert.equal(audit?.actor, `admin@${DOMAIN}`);
    // The running queue may already have tried it; either way it was not left for tomorrow.
    const rows = await listQueueRows(server().server.services.store.db);
    const row = rows.find((r) => r.id === id);
    assert.ok(!row || row.next_attempt_at < before + DAY_MS / 2);

    const failed = await queueMessage(server(), 'retry-failed@remote.example');
    await finishRow(server().server.services.store.db, failed, {
      status: 'failed',
      attempts: 1,
      lastError: null,
      now: Date.now(),
    });
    const refused = await server().call('POST', `/api/v1/mail/queue/${failed}/retry`);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'INVALID_INPUT');
  });

  test('DELETE /mail/queue/{id} removes the entry, audited', async () => {
    const id = await queueMessage(server(), 'delete@remote.example');
    const removed = await server().call('DELETE', `/api/v1/mail/queue/${id}`);
    assert.equal(removed.status, 204, removed.text);
    const list = await server().call('GET', '/api/v1/mail/queue');
    assert.ok(!list.json.entries.some((e: { id: number }) => e.id === id));
    const audit = await lastAuditEntry(server(), 'mail.queue.delete', 'delete@remote.example');
    assert.equal(audit?.actor, `admin@${DOMAIN}`);
  });

  test('an unknown queue id is 404, a malformed one 400', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/mail/queue/999999/retry'],
      ['DELETE', '/api/v1/mail/queue/999999'],
    ] as const) {
      const response = await server().call(method, path);
      assert.equal(response.status, 404, `${method} ${path}: ${response.text}`);
      assert.equal(response.json.error.code, 'NOT_FOUND');
    }
    assert.equal((await server().call('DELETE', '/api/v1/mail/queue/abc')).status, 400);
  });

  test('without a token every mail route is 401', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/mail/dns'],
      ['GET', '/api/v1/mail/queue'],
      ['POST', '/api/v1/mail/queue/1/retry'],
      ['DELETE', '/api/v1/mail/queue/1'],
    ] as const) {
      const response = await server().call(method, path, { token: null });
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.json.error.code, 'AUTH_REQUIRED');
    }
  });
});
