import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, request } from 'undici';
import { configuredBlobStore } from '../src/blob/blob-store.ts';
import { initDataDir } from '../src/init.ts';
import { createLogger } from '../src/log.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { insertQueueRows, makeRowsDue } from '../src/store/mail-queue.ts';
import { useFastHashing } from './support/rest-call.ts';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { createPostgresDatabase, type TestDatabase } from './support/stores.ts';

/**
 * The outbound queue on GET /metrics, through a real server: queue size and
 * age read at scrape time, and the worker's outcome counters after a real
 * delivery (through a smarthost that is a test SMTP sink: one recipient
 * accepted, one deferred with 451, one refused with 550).
 */

const DOMAIN = 'example.com';
const ADMIN = `admin@${DOMAIN}`;
/** No DNS at all (a smarthost needs none). */
const OFFLINE_RESOLVER = (name: string) =>
  Promise.reject(Object.assign(new Error(`ECONNREFUSED ${name}`), { code: 'ECONNREFUSED' }));
const OFF = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'].map((n) => `${n}=off`);

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`mail queue metrics [${kind}]`, () => {
    const root = mkdtempSync(path.join(tmpdir(), 'coo-queue-metrics-'));
    const dataDir = path.join(root, 'data');
    let database: TestDatabase | undefined;
    let sink: SmtpSink;
    let server: RunningServer;
    let agent: Agent;
    let baseUrl: string;

    before(async () => {
      sink = await startSmtpSink({
        rcptReply: (address) =>
          address.startsWith('later@')
            ? { code: 451, message: '4.3.0 try again later' }
            : address.startsWith('gone@')
              ? { code: 550, message: '5.1.1 no such user' }
              : undefined,
      });
      if (kind === 'postgres') database = await createPostgresDatabase();
      await initDataDir({
        dataDir,
        domain: DOMAIN,
        admin: ADMIN,
        password: 'correct horse battery staple',
        listen: ['http=127.0.0.1:0', ...OFF],
        databaseUrl: database?.target.kind === 'postgres' ? database.target.url : undefined,
      });
      const configFile = path.join(dataDir, 'coo.toml');
      useFastHashing(configFile);
      appendFileSync(
        configFile,
        `\n[queue.smarthost]\nhost = "127.0.0.1"\nport = ${sink.port}\ntls = "none"\n`,
      );
      server = await startServer({
        dataDir,
        logger: createLogger('silent'),
        mail: { resolver: OFFLINE_RESOLVER },
      });
      const ca = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
      agent = new Agent({ connect: { ca, servername: 'localhost' } });
      baseUrl = `https://127.0.0.1:${server.address('http')?.port ?? 0}`;
    });
    after(async () => {
      await agent.close();
      await server.close();
      await sink.close();
      await database?.drop();
      rmSync(root, { recursive: true, force: true });
    });

    async function scrape(): Promise<string> {
      const response = await request(`${baseUrl}/metrics`, { dispatcher: agent });
      assert.equal(response.statusCode, 200);
      return response.body.text();
    }

    /** The value of one series; undefined when it is not there. */
    function sample(text: string, series: string): number | undefined {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    }

    async function waitFor(check: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await scrape();
        if (check(text)) return text;
        if (Date.now() > deadline) assert.fail(`metrics never matched:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    test('before any mail: every queue series is there, at 0', async () => {
      const text = await scrape();
      for (const status of ['queued', 'delivered', 'failed']) {
        assert.equal(sample(text, `coo_mail_queue_messages{status="${status}"}`), 0, status);
      }
      assert.equal(sample(text, 'coo_mail_queue_oldest_seconds'), 0);
      for (const mailKind of ['submission', 'forward', 'bounce', 'autoreply', 'notice']) {
        assert.equal(sample(text, `coo_mail_delivered_total{kind="${mailKind}"}`), 0, mailKind);
      }
      assert.equal(sample(text, 'coo_mail_deferred_total'), 0);
      assert.equal(sample(text, 'coo_mail_bounced_total'), 0);
    });

    test('queued mail shows in the gauges; the worker counts delivered, deferred and bounced entries', async () => {
      const blobs = configuredBlobStore(server.services.config, server.services.store.db);
      const body = Buffer.from(
        `From: ${ADMIN}\r\nTo: ok@remote.example\r\nSubject: metrics\r\nMessage-ID: <m1@${DOMAIN}>\r\n\r\nHello.\r\n`,
      );
      const blob = await blobs.put(body);
      const created = Date.now() - 90_000;
      const db = server.services.store.db;
      // Not due for an hour: the worker leaves them while the gauges are read.
      await insertQueueRows(
        db,
        ['ok', 'later', 'gone'].map((name) => ({
          sender: ADMIN,
          recipient: `${name}@remote.example`,
          domain: 'remote.example',
          blobSha256: blob.id,
          size: blob.size,
          originUserId: null,
          kind: 'submission',
          options: '{}',
          nextAttemptAt: Date.now() + 3_600_000,
        })),
        created,
      );
      // Read at most once a second: within a second of the last scrape it may still say 0.
      const queued = await waitFor((text) => sample(text, 'coo_mail_queue_messages{status="queued"}') === 3);
      const age = sample(queued, 'coo_mail_queue_oldest_seconds') ?? 0;
      assert.ok(age >= 90 && age < 300, `oldest is ${age} s`);

      await makeRowsDue(db, undefined, Date.now());
      // The worker finds them at its next poll; the 550 sends a DSN to the admin, delivered here.
      await waitFor(
        (text) =>
          sample(text, 'coo_mail_delivered_total{kind="submission"}') === 1 &&
          sample(text, 'coo_mail_delivered_total{kind="bounce"}') === 1,
      );
      // The gauges are read at most once a second: the next scrape after that sees the settled queue.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const done = await scrape();
      assert.equal(sample(done, 'coo_mail_delivered_total{kind="submission"}'), 1);
      assert.equal(sample(done, 'coo_mail_deferred_total'), 1);
      assert.equal(sample(done, 'coo_mail_bounced_total'), 1);
      assert.equal(sample(done, 'coo_mail_queue_messages{status="queued"}'), 1, 'the deferred one waits');
      assert.equal(sample(done, 'coo_mail_queue_messages{status="delivered"}'), 2);
      assert.equal(sample(done, 'coo_mail_queue_messages{status="failed"}'), 1);
      assert.deepEqual(
        sink.messages.map((m) => m.to),
        [['ok@remote.example']],
        'the sink got the message for the one it accepted',
      );
    });
  });
}
