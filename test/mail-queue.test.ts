import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { configuredBlobStore } from '../src/blob/blob-store.ts';
import type { QueueConfig } from '../src/config/schema.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { initDataDir } from '../src/init.ts';
import { createLogger } from '../src/log.ts';
import { mailDnsRecords } from '../src/mail/autoconfig/dns-records.ts';
import type { DnsResolver } from '../src/mail/mail-system.ts';
import type { MailResolver } from '../src/mail/queue/dns.ts';
import { startServer } from '../src/server.ts';
import { listQueueRows, type QueueRow } from '../src/store/mail-queue.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { PASSWORD, startMailWorld, type MailWorld } from './support/mail-world.ts';
import { pythonSmtp, rfc5322 } from './support/python-smtp.ts';
import { useFastHashing } from './support/rest-call.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './support/smtp-sink.ts';

/** A clock the test moves; it starts a minute ahead, so mail queued just now is due. */
function testClock() {
  const clock = { t: Date.now() + 60_000, now: () => clock.t, advance: (ms: number) => (clock.t += ms) };
  return clock;
}

const dnsError = (code: string) => Object.assign(new Error(code), { code });

/** MX records per domain ('nodata': none, so the domain itself is its MX), A records per host. */
function resolverFor(
  mx: Record<string, { exchange: string; priority: number }[] | 'nodata'>,
  a: Record<string, string[]>,
): MailResolver & { mxQueries: string[] } {
  const mxQueries: string[] = [];
  return {
    mxQueries,
    resolveMx: async (domain) => {
      mxQueries.push(domain);
      const records = mx[domain];
      if (records === 'nodata') throw dnsError('ENODATA');
      if (!records) throw dnsError('ENOTFOUND');
      return records;
    },
    resolve4: async (host) => {
      const addresses = a[host];
      if (!addresses) throw dnsError('ENOTFOUND');
      return addresses;
    },
    resolve6: async () => {
      throw dnsError('ENODATA');
    },
  };
}

const REMOTE = resolverFor(
  { 'remote.test': [{ exchange: 'mx.remote.test', priority: 10 }] },
  { 'mx.remote.test': ['127.0.0.1'] },
);

async function queueMessage(
  world: MailWorld,
  input: { from: string; to: string[]; subject?: string; kind?: 'submission' | 'bounce'; ret?: 'HDRS' },
) {
  const body = rfc5322({
    from: input.from || 'MAILER-DAEMON@example.com',
    to: input.to.join(', '),
    subject: input.subject,
  });
  const blob = await world.blobs.put(Buffer.from(body));
  await world.queue.enqueue({
    mailFrom: input.from,
    recipients: input.to,
    message: { sha256: blob.id, size: blob.size },
    kind: input.kind ?? 'submission',
    dsn: input.ret ? { ret: input.ret } : undefined,
  });
}

const rows = async (world: MailWorld): Promise<QueueRow[]> => listQueueRows(world.services.store.db);
const rowOf = async (world: MailWorld, recipient: string) =>
  (await rows(world)).find((r) => r.recipient === recipient);

async function worldWithSink(queue: Partial<QueueConfig> = {}, sink: SmtpSinkOptions = {}) {
  const world = await startMailWorld({ queue });
  const keys = {
    key: readFileSync(world.context.config.paths.tlsKey, 'utf8'),
    cert: world.context.tls.certPem,
  };
  const smtp = await startSmtpSink({ tls: keys, ...sink });
  const taro = await world.createUser('taro');
  return {
    world,
    sink: smtp,
    taro,
    tlsKeys: keys,
    stop: async () => Promise.all([smtp.close(), world.stop()]),
  };
}

describe('outbound queue: delivery over SMTP', () => {
  let world: MailWorld;
  let sink: SmtpSink;
  let taro: { address: string };
  let stop: () => Promise<unknown>;

  before(async () => {
    ({ world, sink, taro, stop } = await worldWithSink(
      {},
      {
        rcptReply: (address) =>
          address.startsWith('nobody@') ? { code: 550, message: '5.1.1 no such user here' } : undefined,
      },
    ));
  });
  after(() => stop());

  test('queued mail goes to the MX found through DNS, over STARTTLS, and is audited mail.sent', async () => {
    await queueMessage(world, {
      from: taro.address,
      to: ['bob@remote.test', 'carol@remote.test'],
      subject: 'to MX',
    });
    const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: testClock().now });
    assert.equal(await worker.runOnce(), 1, 'one job: one message, one destination');
    const received = sink.messages.find((m) => m.data.includes('Subject: to MX'));
    assert.ok(received);
    assert.deepEqual(received.to.sort(), ['bob@remote.test', 'carol@remote.test']);
    assert.equal(received.from, taro.address);
    assert.equal(received.secure, true, 'STARTTLS was used');
    assert.equal((await rowOf(world, 'bob@remote.test'))?.status, 'delivered');
    const audit = await world.services.audit.query({ action: 'mail.sent', target: 'bob@remote.test' });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor, taro.address);
  });

  test('a domain without MX records gets its mail at its own address (implicit MX), in plain text when TLS is not offered', async () => {
    const plain = await startSmtpSink();
    try {
      await queueMessage(world, { from: taro.address, to: ['dave@bare.test'], subject: 'implicit' });
      const resolver = resolverFor({ 'bare.test': 'nodata' }, { 'bare.test': ['127.0.0.1'] });
      await world.worker({ resolver, mxPort: plain.port, now: testClock().now }).runOnce();
      const received = plain.messages.find((m) => m.data.includes('Subject: implicit'));
      assert.equal(received?.secure, false);
      assert.equal((await rowOf(world, 'dave@bare.test'))?.status, 'delivered');
    } finally {
      await plain.close();
    }
  });

  test('an MX that refuses connections is skipped for the next one', async () => {
    await queueMessage(world, { from: taro.address, to: ['erin@two.test'], subject: 'second mx' });
    const resolver = resolverFor(
      {
        'two.test': [
          { exchange: 'down.two.test', priority: 5 },
          { exchange: 'up.two.test', priority: 20 },
        ],
      },
      { 'down.two.test': ['127.0.0.2'], 'up.two.test': ['127.0.0.1'] },
    );
    await world.worker({ resolver, mxPort: sink.port, now: testClock().now }).runOnce();
    assert.equal((await rowOf(world, 'erin@two.test'))?.status, 'delivered');
  });

  test('a permanent 5xx returns the message to the local sender with a multipart/report DSN, audited mail.bounced', async () => {
    await queueMessage(world, { from: taro.address, to: ['nobody@remote.test'], subject: 'will bounce' });
    const clock = testClock();
    const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: clock.now });
    await worker.runOnce();
    const failed = await rowOf(world, 'nobody@remote.test');
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.last_error ?? '', /550 5\.1\.1 no such user here/);
    const bounce = (await rows(world)).find((r) => r.kind === 'bounce' && r.recipient === taro.address);
    assert.ok(bounce, 'a DSN is queued to the sender');
    assert.equal(bounce.sender, '');
    await worker.runOnce();
    const call = await world.delivery.waitFor(
      (c) => c.mailFrom === '' && c.content.includes('nobody@remote.test'),
    );
    assert.deepEqual(call.recipients, [taro.address]);
    assert.match(call.content, /Content-Type: multipart\/report; report-type=delivery-status;/);
    const status =
      /Content-Type: message\/delivery-status\r\n\r\n([\s\S]*?)\r\n--/.exec(call.content)?.[1] ?? '';
    assert.match(status, /^Reporting-MTA: dns; mail\.example\.com\r\n/);
    assert.match(
      status,
      /Final-Recipient: rfc822; nobody@remote\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\n/,
    );
    assert.match(
      status,
      /Remote-MTA: dns; mx\.remote\.test\r\nDiagnostic-Code: smtp; 550 5\.1\.1 no such user here/,
    );
    assert.match(
      call.content,
      /Content-Type: message\/rfc822\r\n\r\nFrom: taro@example\.com\r\n[\s\S]*Subject: will bounce/,
    );
    const parsed = await simpleParser(call.content);
    assert.equal(parsed.subject, 'Undelivered Mail Returned to Sender');
    assert.match(parsed.text ?? '', /could not be delivered/);
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-replied');
    const audit = await world.services.audit.query({ action: 'mail.bounced', target: 'nobody@remote.test' });
    assert.equal(audit[0]?.outcome, 'failure');
  });

  test('a bounce is never bounced: a DSN that cannot be delivered is dropped', async () => {
    const before = (await rows(world)).length;
    await queueMessage(world, { from: '', to: ['nobody@remote.test'], subject: 'a bounce', kind: 'bounce' });
    await world.worker({ resolver: REMOTE, mxPort: sink.port, now: testClock().now }).runOnce();
    const after = await rows(world);
    assert.equal(after.length, before + 1, 'no DSN about the DSN');
    const bounce = after.find((r) => r.kind === 'bounce' && r.recipient === 'nobody@remote.test');
    assert.equal(bounce?.status, 'failed');
  });

  test('a domain that does not exist fails at once with 5.1.2; a null MX (RFC 7505) with 5.1.10', async () => {
    await queueMessage(world, { from: taro.address, to: ['x@nowhere.test', 'y@nullmx.test'] });
    const resolver = resolverFor({ 'nullmx.test': [{ exchange: '', priority: 0 }] }, {});
    await world.worker({ resolver, mxPort: sink.port, now: testClock().now }).runOnce();
    assert.match((await rowOf(world, 'x@nowhere.test'))?.last_error ?? '', /nowhere\.test does not exist/);
    assert.match((await rowOf(world, 'y@nullmx.test'))?.last_error ?? '', /accepts no mail \(null MX/);
    const reports = world.delivery.calls.filter((c) => c.mailFrom === '');
    assert.ok(reports.length === 0 || reports.every((c) => !c.content.includes('x@nowhere.test')));
  });

  test('queued mail for a local domain goes through local delivery', async () => {
    const hanako = await world.createUser('hanako');
    await queueMessage(world, { from: taro.address, to: [hanako.address], subject: 'local from queue' });
    await world.worker({ resolver: REMOTE, mxPort: sink.port, now: testClock().now }).runOnce();
    const call = await world.delivery.waitFor((c) => c.content.includes('Subject: local from queue'));
    assert.deepEqual(call.recipients, [hanako.address]);
    assert.equal((await rowOf(world, hanako.address))?.status, 'delivered');
  });
});

describe('outbound queue: retries, expiry and delay warnings', () => {
  test('a 4xx is retried with doubling waits until the server takes the message', async () => {
    let refusals = 3;
    const { world, sink, taro, stop } = await worldWithSink(
      { retry_min_seconds: 60, retry_max_seconds: 200 },
      { rcptReply: () => (refusals-- > 0 ? { code: 451, message: '4.3.0 try again later' } : undefined) },
    );
    try {
      await queueMessage(world, { from: taro.address, to: ['bob@remote.test'] });
      const clock = testClock();
      const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: clock.now });
      const waits: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.equal(await worker.runOnce(), 1);
        const row = await rowOf(world, 'bob@remote.test');
        assert.equal(row?.status, 'queued');
        assert.equal(row?.attempts, attempt);
        assert.match(row?.last_error ?? '', /451 4\.3\.0 try again later/);
        waits.push((row?.next_attempt_at ?? 0) - clock.t);
        assert.equal(await worker.runOnce(), 0, 'not due before its time');
        clock.advance(waits.at(-1) ?? 0);
      }
      assert.deepEqual(waits, [60_000, 120_000, 200_000]);
      assert.equal(await worker.runOnce(), 1);
      assert.equal((await rowOf(world, 'bob@remote.test'))?.status, 'delivered');
      assert.equal(sink.messages.length, 1);
    } finally {
      await stop();
    }
  });

  test('after delay_warning_hours the sender is told once that the message is delayed', async () => {
    const { world, sink, taro, stop } = await worldWithSink(
      { delay_warning_hours: 4, retry_min_seconds: 600, retry_max_seconds: 3600 },
      { rcptReply: () => ({ code: 450, message: '4.2.1 mailbox busy' }) },
    );
    try {
      await queueMessage(world, { from: taro.address, to: ['bob@remote.test'], subject: 'slow one' });
      const clock = testClock();
      const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: clock.now });
      await worker.runOnce();
      assert.equal(world.delivery.calls.length, 0, 'no warning before 4 hours');
      clock.advance(4 * 3_600_000);
      await worker.runOnce();
      const bounces = (await rows(world)).filter((r) => r.kind === 'bounce');
      assert.equal(bounces.length, 1);
      await worker.runOnce();
      const call = await world.delivery.waitFor((c) => c.mailFrom === '');
      assert.match(call.content, /Subject: Delayed Mail \(still being retried\)/);
      assert.match(call.content, /Action: delayed\r\nStatus: 4\.2\.1\r\n/);
      assert.match(call.content, /Will-Retry-Until: /);
      assert.match(call.content, /Content-Type: text\/rfc822-headers\r\n\r\nFrom: taro@example\.com/);
      assert.doesNotMatch(call.content, /Hello\./, 'a delay report carries the header only');
      assert.equal((await rowOf(world, 'bob@remote.test'))?.delay_warned, 1);
      clock.advance(3_600_000);
      await worker.runOnce();
      assert.equal((await rows(world)).filter((r) => r.kind === 'bounce').length, 1, 'warned once');
    } finally {
      await stop();
    }
  });

  test('a message still undeliverable after max_age_hours is returned with status 4.4.7', async () => {
    const { world, sink, taro, stop } = await worldWithSink(
      { max_age_hours: 2, delay_warning_hours: 0 },
      { rcptReply: () => ({ code: 451, message: '4.4.0 greylisted' }) },
    );
    try {
      await queueMessage(world, { from: taro.address, to: ['bob@remote.test'], ret: 'HDRS' });
      const clock = testClock();
      const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: clock.now });
      await worker.runOnce();
      assert.equal((await rowOf(world, 'bob@remote.test'))?.status, 'queued');
      clock.advance(2 * 3_600_000);
      await worker.runOnce();
      const row = await rowOf(world, 'bob@remote.test');
      assert.equal(row?.status, 'failed');
      await worker.runOnce();
      const call = await world.delivery.waitFor((c) => c.mailFrom === '');
      assert.match(call.content, /Action: failed\r\nStatus: 4\.4\.7\r\n/);
      assert.match(call.content, /Diagnostic-Code: smtp; 451 4\.4\.0 greylisted/);
      assert.match(call.content, /Content-Type: text\/rfc822-headers/, 'RET=HDRS returns the header only');
      const audit = await world.services.audit.query({ action: 'mail.bounced', target: 'bob@remote.test' });
      assert.equal(audit[0]?.details.expired, true);
    } finally {
      await stop();
    }
  });

  test('at most per_domain_concurrency deliveries run to one destination at a time', async () => {
    const { world, sink, taro, stop } = await worldWithSink({ per_domain_concurrency: 2 }, { holdMs: 150 });
    try {
      for (let i = 0; i < 5; i++)
        await queueMessage(world, { from: taro.address, to: ['bob@remote.test'], subject: `n${i}` });
      const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: testClock().now });
      const rounds: number[] = [];
      while ((await rows(world)).some((r) => r.status === 'queued')) rounds.push(await worker.runOnce());
      assert.deepEqual(rounds, [2, 2, 1]);
      assert.equal(sink.messages.length, 5);
      assert.equal(sink.maxConcurrent, 2);
    } finally {
      await stop();
    }
  });
});

describe('outbound queue on PostgreSQL', () => {
  test('delivery, a bounce and its DSN settle the same on PostgreSQL', async () => {
    const world = await startMailWorld({ database: 'postgres' });
    const sink = await startSmtpSink({
      rcptReply: (address) =>
        address.startsWith('nobody@') ? { code: 550, message: '5.1.1 unknown' } : undefined,
    });
    try {
      const taro = await world.createUser('taro');
      await queueMessage(world, {
        from: taro.address,
        to: ['bob@remote.test', 'nobody@remote.test'],
        subject: 'pg',
      });
      const worker = world.worker({ resolver: REMOTE, mxPort: sink.port, now: testClock().now });
      await worker.runOnce();
      await worker.runOnce();
      assert.equal((await rowOf(world, 'bob@remote.test'))?.status, 'delivered');
      assert.equal((await rowOf(world, 'nobody@remote.test'))?.status, 'failed');
      const report = await world.delivery.waitFor((c) => c.mailFrom === '');
      assert.match(report.content, /Final-Recipient: rfc822; nobody@remote\.test/);
      assert.equal((await world.services.audit.verify()).ok, true);
    } finally {
      await sink.close();
      await world.stop();
    }
  });
});

describe('outbound queue: smarthost', () => {
  const noDns: MailResolver = {
    resolveMx: async () => assert.fail('no MX lookup with a smarthost'),
    resolve4: async () => assert.fail('no lookup with a smarthost'),
    resolve6: async () => assert.fail('no lookup with a smarthost'),
  };

  test('every remote domain goes through the smarthost, with STARTTLS and AUTH', async () => {
    const auth = { user: 'relay-user', pass: 'relay secret' };
    const world = await startMailWorld();
    const keys = {
      key: readFileSync(world.context.config.paths.tlsKey, 'utf8'),
      cert: world.context.tls.certPem,
    };
    const sink = await startSmtpSink({ tls: keys, auth });
    try {
      world.context.config.config.queue.smarthost = {
        host: '127.0.0.1',
        port: sink.port,
        user: auth.user,
        password: auth.pass,
        tls: 'starttls',
        verify_tls: false,
      };
      const taro = await world.createUser('taro');
      await queueMessage(world, { from: taro.address, to: ['a@one.test', 'b@two.test'], subject: 'relayed' });
      await world.worker({ resolver: noDns, now: testClock().now }).runOnce();
      assert.equal(sink.messages.length, 2);
      assert.ok(sink.messages.every((m) => m.user === 'relay-user' && m.secure));
      assert.ok((await rows(world)).every((r) => r.status === 'delivered'));
    } finally {
      await sink.close();
      await world.stop();
    }
  });

  test('a smarthost that refuses the login keeps the mail queued (4.7.0), never bounced', async () => {
    const world = await startMailWorld();
    const keys = {
      key: readFileSync(world.context.config.paths.tlsKey, 'utf8'),
      cert: world.context.tls.certPem,
    };
    const sink = await startSmtpSink({
      tls: keys,
      secure: true,
      auth: { user: 'relay-user', pass: 'right' },
    });
    try {
      world.context.config.config.queue.smarthost = {
        host: '127.0.0.1',
        port: sink.port,
        user: 'relay-user',
        password: 'wrong',
        tls: 'tls',
        verify_tls: false,
      };
      const taro = await world.createUser('taro');
      await queueMessage(world, { from: taro.address, to: ['a@one.test'] });
      await world.worker({ resolver: noDns, now: testClock().now }).runOnce();
      const row = await rowOf(world, 'a@one.test');
      assert.equal(row?.status, 'queued');
      assert.match(row?.last_error ?? '', /refused the login.*535/);
      assert.equal((await rows(world)).filter((r) => r.kind === 'bounce').length, 0);
    } finally {
      await sink.close();
      await world.stop();
    }
  });
});

describe('one Coo delivering to another', () => {
  test('mail submitted on the first Coo reaches the INBOX of a user of the second, DKIM-signed and verified; an unknown user there bounces', async (t) => {
    const first = await startMailWorld({ domain: 'coo-a.test' });
    const cleanups: (() => Promise<unknown>)[] = [() => first.stop()];
    try {
      const key = await first.services.directory.domains.dkimKey('coo-a.test');
      assert.ok(key);
      const published =
        mailDnsRecords({
          hostname: first.hostname,
          domains: [{ name: 'coo-a.test', aliasOf: null, dkim: key }],
          ports: new Map(),
          dmarc: 'reject',
        })[0]?.records ?? [];
      // The second Coo's view of DNS: what the first one's admin published after `coo dns`.
      const txt = new Map<string, string[][]>();
      for (const record of published.filter((r) => r.type === 'TXT')) {
        txt.set(record.name.replace(/\.$/, ''), [record.strings ?? [record.value]]);
      }
      txt.set('coo-a.test', [['v=spf1 ip4:127.0.0.1 -all']]);
      const second = await startSecondCoo(t.name, async (name, rrtype) => {
        const answer = rrtype === 'TXT' ? txt.get(name) : undefined;
        if (!answer) throw dnsError('ENOTFOUND');
        return answer;
      });
      cleanups.push(second.stop);
      const bob = await second.createUser('bob@coo-b.test');
      const taro = await first.createUser('taro');
      const port = await first.listen('submission');
      const replies = await pythonSmtp(first.caFile, [
        ['connect', port],
        ['ehlo'],
        ['starttls'],
        ['ehlo'],
        ['login', taro.address, taro.password],
        [
          'sendmail',
          taro.address,
          [bob.address, 'nobody@coo-b.test'],
          rfc5322(
            { from: `Taro <${taro.address}>`, to: bob.address, subject: 'across' },
            'From one Coo to another.',
          ),
        ],
      ]);
      assert.equal(replies[5]?.[0], 250, JSON.stringify(replies));
      const resolver = resolverFor(
        { 'coo-b.test': [{ exchange: 'mail.coo-b.test', priority: 10 }] },
        { 'mail.coo-b.test': ['127.0.0.1'] },
      );
      const worker = first.worker({ resolver, mxPort: second.smtpPort, now: testClock().now });
      await worker.runOnce();
      assert.equal((await rowOf(first, bob.address))?.status, 'delivered');
      const inbox = await findMailbox(second.services.store.db, bob.id, 'INBOX');
      assert.ok(inbox, 'bob has an INBOX');
      const [stored] = await listMessages(second.services.store.db, inbox.id);
      assert.ok(stored, 'the message is in bob’s INBOX');
      assert.equal(stored.subject, 'across');
      const chunks: Buffer[] = [];
      for await (const chunk of await second.blobs.get(stored.blob_sha256)) chunks.push(chunk as Buffer);
      const content = Buffer.concat(chunks).toString('utf8');
      assert.match(
        content,
        /Authentication-Results: mail\.coo-b\.test;\r\n dkim=pass header\.i=@coo-a\.test /,
      );
      assert.match(content, /\r\n spf=pass .*\r\n dmarc=pass /);
      const refused = await rowOf(first, 'nobody@coo-b.test');
      assert.equal(refused?.status, 'failed');
      assert.match(refused?.last_error ?? '', /^smtp; 550 5\.1\.1/);
      await worker.runOnce();
      const report = await first.delivery.waitFor(
        (c) => c.mailFrom === '' && c.recipients.includes(taro.address),
      );
      assert.match(
        report.content,
        /Final-Recipient: rfc822; nobody@coo-b\.test\r\nAction: failed\r\nStatus: 5\.1\.1/,
      );
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  });
});

/** A second, complete Coo (startServer) for domain coo-b.test with its inbound SMTP on 127.0.0.1:0. */
async function startSecondCoo(name: string, resolver: DnsResolver) {
  const root = mkdtempSync(path.join(tmpdir(), 'coo-second-'));
  const dataDir = path.join(root, 'data');
  await initDataDir({
    dataDir,
    domain: 'coo-b.test',
    admin: 'admin@coo-b.test',
    password: PASSWORD,
    hostname: 'mail.coo-b.test',
    listen: [
      'http=off',
      'submission=off',
      'submissions=off',
      'imap=off',
      'imaps=off',
      'pop3=off',
      'pop3s=off',
      'smtp=127.0.0.1:0',
    ],
  });
  useFastHashing(path.join(dataDir, 'coo.toml'));
  const server = await startServer({ dataDir, logger: createLogger('silent'), mail: { resolver } });
  const blobs = configuredBlobStore(server.services.config, server.services.store.db);
  const smtpPort = server.address('smtp')?.port;
  assert.ok(smtpPort, `${name}: the second Coo has no smtp listener`);
  return {
    services: server.services,
    blobs,
    smtpPort,
    createUser: async (address: string) => {
      const user = await server.services.directory.users.create(address, { displayName: 'Bob' }, CLI_ACTOR, {
        password: PASSWORD,
      });
      return { id: user.id, address: user.address };
    },
    stop: async () => {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
