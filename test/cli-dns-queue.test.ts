import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { configuredBlobStore } from '../src/blob/blob-store.ts';
import { loadConfig } from '../src/config/loader.ts';
import { OutboundQueue } from '../src/mail/queue/outbound-queue.ts';
import { openServices } from '../src/services.ts';
import { listQueueRows } from '../src/store/mail-queue.ts';
import { cooOn, DataDirTemplate, oneLine } from './support/cli.ts';

function expectOk(result: { code: number | null; stderr: string }): void {
  assert.equal(result.code, 0, result.stderr);
}

/** Runs `fn` over the data dir's services, as a second process would. */
async function onDataDir<T>(
  dataDir: string,
  fn: (services: Awaited<ReturnType<typeof openServices>>) => Promise<T>,
) {
  const services = await openServices(loadConfig(dataDir));
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

describe('coo dns', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() =>
    template.create([
      '--listen',
      'submission=0.0.0.0:587',
      '--listen',
      'submissions=0.0.0.0:465',
      '--listen',
      'pop3s=0.0.0.0:995',
      '--listen',
      'imap=off',
      '--listen',
      'imaps=off',
      '--listen',
      'pop3=off',
    ]),
  );
  after(() => template.remove());

  test('coo dns prints MX, SPF, DKIM, DMARC, autoconfig and SRV records with the configured ports', async () => {
    const dataDir = template.copy();
    const coo = cooOn(dataDir);
    const result = await coo(['dns']);
    expectOk(result);
    const lines = result.stdout.split('\n');
    const record = (name: string, type: string) =>
      lines
        .find((line) => line.startsWith(`${name} `) && line.includes(` IN  ${type.padEnd(5)}  `))
        ?.split(/ IN {2}\S+ +/)[1];
    assert.equal(record('example.com.', 'MX'), '10 mail.example.com.');
    assert.equal(record('example.com.', 'TXT'), '"v=spf1 mx -all"');
    assert.equal(record('_dmarc.example.com.', 'TXT'), '"v=DMARC1; p=quarantine"');
    assert.equal(record('autoconfig.example.com.', 'CNAME'), 'mail.example.com.');
    assert.equal(record('autodiscover.example.com.', 'CNAME'), 'mail.example.com.');
    assert.equal(record('_submission._tcp.example.com.', 'SRV'), '0 1 587 mail.example.com.');
    assert.equal(record('_submissions._tcp.example.com.', 'SRV'), '0 1 465 mail.example.com.');
    assert.equal(record('_pop3s._tcp.example.com.', 'SRV'), '0 1 995 mail.example.com.');
    // RFC 6186 §4: a listener that is off is published as "not offered".
    assert.equal(record('_imap._tcp.example.com.', 'SRV'), '0 0 0 .');
    assert.equal(record('_imaps._tcp.example.com.', 'SRV'), '0 0 0 .');
    assert.equal(record('_pop3._tcp.example.com.', 'SRV'), '0 0 0 .');
    const { selector, publicKey } = await onDataDir(dataDir, async (services) => {
      const key = await services.directory.domains.dkimKey('example.com');
      assert.ok(key);
      const der = createPublicKey(key.privateKeyPem).export({ type: 'spki', format: 'der' });
      return { selector: key.selector, publicKey: der.toString('base64') };
    });
    const dkim = record(`${selector}._domainkey.example.com.`, 'TXT');
    assert.ok(dkim, `no DKIM record for selector ${selector}`);
    const strings = [...dkim.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
    assert.ok(
      strings.every((s) => s.length <= 255),
      'TXT strings of at most 255 characters',
    );
    assert.equal(strings.join(''), `v=DKIM1; k=rsa; p=${publicKey}`);
  });

  test('coo dns --json lists alias domains with the main domain key; --domain and --dmarc choose', async () => {
    const coo = cooOn(template.copy());
    expectOk(await coo(['domain', 'add', 'example.net', '--alias-of', 'example.com']));
    const json = await coo(['dns', '--json']);
    expectOk(json);
    const groups = JSON.parse(json.stdout) as {
      domain: string;
      aliasOf: string | null;
      records: { name: string; type: string; value: string }[];
    }[];
    assert.deepEqual(
      groups.map((g) => [g.domain, g.aliasOf]),
      [
        ['example.com', null],
        ['example.net', 'example.com'],
      ],
    );
    const dkimOf = (domain: string) =>
      groups.find((g) => g.domain === domain)?.records.find((r) => r.name.includes('._domainkey.'))?.value;
    assert.ok(dkimOf('example.net'));
    assert.equal(dkimOf('example.net'), dkimOf('example.com'));
    const only = await coo(['dns', '--domain', 'example.net', '--dmarc', 'none']);
    expectOk(only);
    assert.doesNotMatch(only.stdout, /^example\.com\./m);
    assert.match(only.stdout, /^_dmarc\.example\.net\. +IN {2}TXT +"v=DMARC1; p=none"$/m);
    const unknown = await coo(['dns', '--domain', 'nowhere.test']);
    assert.equal(unknown.code, 1);
    assert.equal(oneLine(unknown), 'coo: unknown domain "nowhere.test"');
    const bad = await coo(['dns', '--dmarc', 'maybe']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--dmarc must be one of none, quarantine, reject/);
  });
});

describe('coo queue', { concurrency: true }, () => {
  const template = new DataDirTemplate();
  before(() => template.create());
  after(() => template.remove());

  /** Queues a message to the recipients through the real OutboundQueue; returns the blob id. */
  async function enqueue(dataDir: string, recipients: string[]): Promise<string> {
    return onDataDir(dataDir, async (services) => {
      const blobs = configuredBlobStore(services.config, services.store.db);
      const blob = await blobs.put(
        Buffer.from(`From: admin@example.com\r\nSubject: ${recipients.join()}\r\n\r\nhi\r\n`),
      );
      await new OutboundQueue(services.store).enqueue({
        mailFrom: 'admin@example.com',
        recipients,
        message: { sha256: blob.id, size: blob.size },
        kind: 'submission',
      });
      return blob.id;
    });
  }

  test('queue list shows waiting mail, as a table and as JSON', async () => {
    const dataDir = template.copy();
    const coo = cooOn(dataDir);
    const empty = await coo(['queue', 'list']);
    expectOk(empty);
    assert.equal(empty.stdout, 'no mail is waiting\n');
    await enqueue(dataDir, ['bob@remote.test', 'carol@remote.test']);
    const table = await coo(['queue', 'list']);
    expectOk(table);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^ID +STATUS +QUEUED +NEXT TRY +TRIES +SIZE +SENDER +RECIPIENT +LAST ERROR$/,
    );
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /queued .* 0 +\d+ +admin@example\.com +bob@remote\.test$/);
    const json = JSON.parse((await coo(['queue', 'list', '--json'])).stdout) as {
      recipient: string;
      status: string;
      nextAttemptAt: string;
    }[];
    assert.deepEqual(
      json.map((e) => [e.recipient, e.status]),
      [
        ['bob@remote.test', 'queued'],
        ['carol@remote.test', 'queued'],
      ],
    );
    assert.match(json[0]?.nextAttemptAt ?? '', /^\d{4}-\d{2}-\d{2}T/);
  });

  test('queue retry makes entries due now and is audited; retry needs IDs or --all', async () => {
    const dataDir = template.copy();
    const coo = cooOn(dataDir);
    await enqueue(dataDir, ['bob@remote.test', 'carol@remote.test']);
    const later = Date.now() + 3_600_000;
    const ids = await onDataDir(dataDir, async (services) => {
      await services.store.db.updateTable('mail_queue').set({ next_attempt_at: later }).execute();
      return (await listQueueRows(services.store.db)).map((r) => r.id);
    });
    const one = await coo(['queue', 'retry', String(ids[0])]);
    expectOk(one);
    assert.equal(one.stdout, '1 entry will be tried again now\n');
    const due = await onDataDir(dataDir, async (services) =>
      (await listQueueRows(services.store.db)).map((r) => r.next_attempt_at < later),
    );
    assert.deepEqual(due, [true, false]);
    assert.equal((await coo(['queue', 'retry', '--all'])).stdout, '2 entries will be tried again now\n');
    const audit = await coo(['audit', 'list', '--action', 'mail.queue.retry']);
    assert.match(audit.stdout, /mail\.queue\.retry/);
    const neither = await coo(['queue', 'retry']);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /give the IDs to retry, or --all/);
    const missing = await coo(['queue', 'retry', '999']);
    assert.equal(missing.code, 1);
    assert.equal(oneLine(missing), 'coo: no queued mail with id 999');
  });

  test('queue delete removes an entry, and its body once nothing else uses it', async () => {
    const dataDir = template.copy();
    const coo = cooOn(dataDir);
    const blob = await enqueue(dataDir, ['bob@remote.test', 'carol@remote.test']);
    const ids = await onDataDir(dataDir, async (services) =>
      (await listQueueRows(services.store.db)).map((r) => r.id),
    );
    const blobs = {
      has: (id: string) =>
        onDataDir(dataDir, (services) => configuredBlobStore(services.config, services.store.db).has(id)),
    };
    const first = await coo(['queue', 'delete', String(ids[0])]);
    expectOk(first);
    assert.equal(first.stdout, `deleted ${ids[0]}: admin@example.com → bob@remote.test (queued)\n`);
    assert.equal(await blobs.has(blob), true, 'carol’s entry still needs the body');
    expectOk(await coo(['queue', 'delete', String(ids[1])]));
    assert.equal(await blobs.has(blob), false);
    assert.equal((await coo(['queue', 'list'])).stdout, 'no mail is waiting\n');
    const audit = await coo(['audit', 'list', '--action', 'mail.queue.delete']);
    assert.match(audit.stdout, /bob@remote\.test/);
    const again = await coo(['queue', 'delete', String(ids[0])]);
    assert.equal(again.code, 1);
    assert.equal(oneLine(again), `coo: no queued mail with id ${ids[0]}`);
    const bad = await coo(['queue', 'delete', 'abc']);
    assert.equal(bad.code, 1);
  });
});
