import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import nodemailer from 'nodemailer';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { initDataDir } from '../src/init.ts';
import { createLogger } from '../src/log.ts';
import { startServer } from '../src/server.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { mailDnsRecords } from '../src/mail/autoconfig/dns-records.ts';
import { listQueueRows } from '../src/store/mail-queue.ts';
import { countSubmissionsSince } from '../src/store/mail-submissions.ts';
import { offlineResolver, PASSWORD, startMailWorld, type MailWorld } from './support/mail-world.ts';
import { pythonSmtp, rfc5322, type SmtpStep } from './support/python-smtp.ts';
import { useFastHashing } from './support/rest-call.ts';

type User = { id: number; address: string; password: string };

const tls = (port: number): SmtpStep[] => [['connect', port], ['ehlo'], ['starttls'], ['ehlo']];
const login = (port: number, user: User, mechanism: 'PLAIN' | 'LOGIN' = 'PLAIN'): SmtpStep[] => [
  ...tls(port),
  ['login', user.address, user.password, mechanism],
];

describe('submission on 587 and 465', () => {
  let world: MailWorld;
  let port587: number;
  let port465: number;
  let taro: User;
  let hanako: User;

  before(async () => {
    world = await startMailWorld();
    await world.services.directory.domains.add('example.net', CLI_ACTOR, { aliasOf: 'example.com' });
    taro = await world.createUser('taro');
    hanako = await world.createUser('hanako');
    port587 = await world.listen('submission');
    port465 = await world.listen('submissions');
  });
  after(() => world.stop());

  test('before STARTTLS, EHLO on 587 offers STARTTLS but not AUTH, and AUTH is refused with 530 5.7.0', async () => {
    const replies = await pythonSmtp(world.caFile, [
      ['connect', port587],
      ['ehlo'],
      ['docmd', `AUTH PLAIN ${Buffer.from(`\0${taro.address}\0${taro.password}`).toString('base64')}`],
      ['starttls'],
      ['ehlo'],
    ]);
    const before = replies[1]?.[2] as string[];
    assert.ok(before.includes('starttls'));
    assert.ok(!before.includes('auth'), `AUTH offered before TLS: ${before.join(' ')}`);
    assert.equal(replies[2]?.[0], 530);
    assert.match(replies[2]?.[1] ?? '', /^5\.7\.0 Must issue a STARTTLS command first/);
    const afterTls = replies[4]?.[2] as string[];
    assert.ok(afterTls.includes('auth'));
    assert.ok(!afterTls.includes('starttls'));
  });

  test('unauthenticated relaying is refused: on 587 without TLS, on 587 after STARTTLS, and on 465', async () => {
    const plain = await pythonSmtp(world.caFile, [
      ['connect', port587],
      ['ehlo'],
      ['mail', 'someone@elsewhere.example'],
      ['rcpt', 'victim@remote.example'],
    ]);
    assert.equal(plain[2]?.[0], 530);
    assert.match(plain[2]?.[1] ?? '', /^5\.7\.0 Must issue a STARTTLS command first/);
    assert.equal(plain[3]?.[0], 530);
    const starttls = await pythonSmtp(world.caFile, [
      ...tls(port587),
      ['mail', 'someone@elsewhere.example'],
      ['rcpt', 'victim@remote.example'],
      ['docmd', 'DATA'],
    ]);
    assert.deepEqual(
      starttls.slice(4).map((r) => r[0]),
      [530, 530, 530],
    );
    assert.match(starttls[4]?.[1] ?? '', /^5\.7\.0 Authentication required/);
    const implicit = await pythonSmtp(world.caFile, [
      ['connect_ssl', port465],
      ['ehlo'],
      ['mail', 'someone@elsewhere.example'],
      ['rcpt', 'victim@remote.example'],
    ]);
    assert.equal(implicit[2]?.[0], 530);
    assert.equal(implicit[3]?.[0], 530);
    assert.equal((await listQueueRows(world.services.store.db)).length, 0);
  });

  test('python smtplib on 587 (STARTTLS, AUTH PLAIN) sends to a local user at once and queues the remote one', async () => {
    const calls = world.delivery.calls.length;
    const message = rfc5322({ from: `Taro <${taro.address}>`, to: `${hanako.address}, bob@remote.example` });
    const replies = await pythonSmtp(world.caFile, [
      ...login(port587, taro),
      ['sendmail', taro.address, [hanako.address, 'bob@remote.example'], message],
      ['quit'],
    ]);
    assert.equal(replies[4]?.[0], 235);
    assert.deepEqual(replies[5], [250, 'sent', {}]);
    const call = world.delivery.calls[calls];
    assert.ok(call, 'no local delivery');
    assert.deepEqual(call.recipients, [hanako.address]);
    assert.equal(call.mailFrom, taro.address);
    assert.deepEqual(call.submittedBy, { userId: taro.id, address: taro.address });
    // RFC 6409 §8: the MSA adds Message-ID and Date; then the DKIM signature goes on top.
    assert.match(call.content, /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example\.com;/);
    assert.match(call.content, /\r\nMessage-ID: <[0-9a-f]+@mail\.example\.com>\r\n/);
    assert.match(call.content, /\r\nDate: \w{3}, \d{1,2} \w{3} \d{4} /);
    const queued = (await listQueueRows(world.services.store.db)).filter(
      (r) => r.recipient === 'bob@remote.example',
    );
    assert.equal(queued.length, 1);
    assert.equal(queued[0]?.sender, taro.address);
    assert.equal(queued[0]?.kind, 'submission');
    assert.equal(queued[0]?.origin_user_id, taro.id);
    assert.equal(queued[0]?.blob_sha256, call.message.sha256);
    assert.equal(await countSubmissionsSince(world.services.store.db, taro.id, 0), 1);
    const audit = await world.services.audit.query({ action: 'mail.submitted' });
    assert.ok(audit.some((e) => e.actor === taro.address && e.protocol === 'smtp'));
  });

  test('python smtplib SMTP_SSL on 465 with AUTH LOGIN sends mail', async () => {
    const calls = world.delivery.calls.length;
    const replies = await pythonSmtp(world.caFile, [
      ['connect_ssl', port465],
      ['ehlo'],
      ['login', hanako.address, hanako.password, 'LOGIN'],
      ['sendmail', hanako.address, [taro.address], rfc5322({ from: hanako.address, to: taro.address })],
    ]);
    assert.equal(replies[2]?.[0], 235);
    assert.equal(replies[3]?.[0], 250);
    assert.deepEqual(world.delivery.calls[calls]?.recipients, [taro.address]);
  });

  test('sending as someone else is refused with 550 5.7.1: the envelope sender', async () => {
    const replies = await pythonSmtp(world.caFile, [...login(port587, taro), ['mail', hanako.address]]);
    assert.equal(replies[5]?.[0], 550);
    assert.match(
      replies[5]?.[1] ?? '',
      /^5\.7\.1 You may send only as yourself: the sender hanako@example\.com is not taro@example\.com/,
    );
  });

  test('sending as someone else is refused with 550 5.7.1: the From header', async () => {
    const calls = world.delivery.calls.length;
    const rows = (await listQueueRows(world.services.store.db)).length;
    const replies = await pythonSmtp(world.caFile, [
      ...login(port587, taro),
      ['mail', taro.address],
      ['rcpt', 'bob@remote.example'],
      ['data', rfc5322({ from: `"Hanako" <${hanako.address}>`, to: 'bob@remote.example' })],
    ]);
    assert.equal(replies[5]?.[0], 250);
    assert.equal(replies[7]?.[0], 550);
    assert.match(
      replies[7]?.[1] ?? '',
      /^5\.7\.1 You may send only as yourself: the From header hanako@example\.com is not taro/,
    );
    assert.equal(world.delivery.calls.length, calls);
    assert.equal((await listQueueRows(world.services.store.db)).length, rows);
  });

  test('a message without a From header is refused with 550 5.7.1', async () => {
    const replies = await pythonSmtp(world.caFile, [
      ...login(port587, taro),
      [
        'sendmail',
        taro.address,
        ['bob@remote.example'],
        'To: bob@remote.example\r\nSubject: x\r\n\r\nbody\r\n',
      ],
    ]);
    assert.equal(replies[5]?.[0], 550);
    assert.match(replies[5]?.[1] ?? '', /^5\.7\.1 .*no From header/);
  });

  test('the alias domain counts as yourself: taro@example.net may send, signed for example.net', async () => {
    const calls = world.delivery.calls.length;
    const replies = await pythonSmtp(world.caFile, [
      ...login(port587, taro),
      [
        'sendmail',
        'taro@example.net',
        [hanako.address],
        rfc5322({ from: 'Taro <taro@example.net>', to: hanako.address }),
      ],
    ]);
    assert.equal(replies[5]?.[0], 250, JSON.stringify(replies));
    assert.match(world.delivery.calls[calls]?.content ?? '', /^DKIM-Signature: [^\r]*d=example\.net;/);
  });

  test('RCPT to an unknown local user is refused with 550 5.1.1, a bad address with 501 5.1.3', async () => {
    const replies = await pythonSmtp(world.caFile, [
      ...login(port587, taro),
      ['mail', taro.address],
      ['rcpt', 'nobody@example.com'],
      ['rcpt', 'nobody@example.net'],
      ['rcpt', 'bad@-dash-.example'],
    ]);
    assert.equal(replies[6]?.[0], 550);
    assert.match(replies[6]?.[1] ?? '', /^5\.1\.1 /);
    assert.equal(replies[7]?.[0], 550);
    assert.equal(replies[8]?.[0], 501);
    assert.match(replies[8]?.[1] ?? '', /^5\.1\.3 /);
  });

  test('nodemailer sends through 587 with STARTTLS and AUTH, and through 465', async () => {
    const calls = world.delivery.calls.length;
    for (const [port, secure] of [
      [port587, false],
      [port465, true],
    ] as const) {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port,
        secure,
        requireTLS: !secure,
        auth: { user: taro.address, pass: taro.password },
        tls: { ca: world.context.tls.certPem, servername: 'localhost' },
      });
      const info = await transport.sendMail({
        from: `太郎 <${taro.address}>`,
        to: hanako.address,
        subject: 'こんにちは',
        text: '日本語の本文',
      });
      transport.close();
      assert.deepEqual(info.accepted, [hanako.address]);
    }
    assert.equal(world.delivery.calls.length, calls + 2);
  });

  test('the DKIM signature verifies against the key that coo dns publishes', async () => {
    const calls = world.delivery.calls.length;
    await pythonSmtp(world.caFile, [
      ...login(port587, taro),
      [
        'sendmail',
        taro.address,
        [hanako.address],
        rfc5322({ from: taro.address, to: hanako.address }, 'Signed body.'),
      ],
    ]);
    const content = world.delivery.calls[calls]?.content ?? '';
    const key = await world.services.directory.domains.dkimKey('example.com');
    assert.ok(key);
    const [records] = mailDnsRecords({
      hostname: world.hostname,
      domains: [{ name: 'example.com', aliasOf: null, dkim: key }],
      ports: new Map(),
      dmarc: 'none',
    });
    const dkim = records?.records.find((r) => r.name.includes('._domainkey.'));
    assert.ok(dkim?.strings);
    const txt = new Map([[dkim.name.replace(/\.$/, ''), [dkim.strings]]]);
    const result = await dkimVerify(Buffer.from(content), {
      resolver: async (name: string, type: string) => {
        const answer = type === 'TXT' ? txt.get(name) : undefined;
        if (!answer) throw Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' });
        return answer;
      },
    });
    assert.deepEqual(
      result.results.map((r) => [r.status.result, r.signingDomain]),
      [['pass', 'example.com']],
    );
  });
});

describe('submission limits', () => {
  let world: MailWorld;
  let port: number;
  let taro: User;

  before(async () => {
    world = await startMailWorld({
      auth: { max_failures_per_account: 3 },
      submission: { max_messages_per_hour: 2, max_recipients: 2 },
      maxMessageSize: 2048,
    });
    taro = await world.createUser('taro');
    port = await world.listen('submission');
  });
  after(() => world.stop());

  test('a wrong password is refused with 535 5.7.8, and after 3 failures even the right one gets 454 4.7.0', async () => {
    const wrong: User = { ...taro, password: 'not the password' };
    const replies = await pythonSmtp(world.caFile, [
      ...login(port, wrong),
      ['login', wrong.address, wrong.password],
      ['login', wrong.address, wrong.password],
      ['login', taro.address, taro.password],
    ]);
    assert.deepEqual(
      replies.slice(4).map((r) => r[0]),
      [535, 535, 535, 454],
    );
    assert.match(replies[4]?.[1] ?? '', /^5\.7\.8 /);
    assert.match(replies[7]?.[1] ?? '', /^4\.7\.0 Too many failed logins/);
    const audit = await world.services.audit.query({ action: 'auth.login', target: taro.address });
    assert.ok(audit.filter((e) => e.protocol === 'smtp' && e.outcome === 'failure').length >= 4);
  });

  test('the hourly send limit answers 450 4.7.1 once reached', async () => {
    const user = await world.createUser('sender');
    const send: SmtpStep = [
      'sendmail',
      user.address,
      ['bob@remote.example'],
      rfc5322({ from: user.address, to: 'x' }),
    ];
    const replies = await pythonSmtp(world.caFile, [...login(port, user), send, send, send]);
    assert.deepEqual(
      replies.slice(5).map((r) => r[0]),
      [250, 250, 450],
    );
    assert.match(
      replies[7]?.[1] ?? '',
      /^4\.7\.1 Send limit reached: at most 2 messages per hour; try again in 60 minutes/,
    );
  });

  test('too many recipients are refused with 452 4.5.3, an oversized message with 552 5.3.4', async () => {
    const user = await world.createUser('big');
    const replies = await pythonSmtp(world.caFile, [
      ...login(port, user),
      ['mail', user.address],
      ['rcpt', 'a@remote.example'],
      ['rcpt', 'b@remote.example'],
      ['rcpt', 'c@remote.example'],
      ['data', rfc5322({ from: user.address, to: 'a@remote.example' }, 'x'.repeat(4000))],
    ]);
    assert.deepEqual(
      replies.slice(5).map((r) => r[0]),
      [250, 250, 250, 452, 552],
    );
    assert.match(replies[8]?.[1] ?? '', /^4\.5\.3 /);
    assert.match(replies[9]?.[1] ?? '', /^5\.3\.4 /);
    assert.equal(
      (await listQueueRows(world.services.store.db)).filter((r) => r.sender === user.address).length,
      0,
    );
  });

  test('a local delivery that is deferred (mailbox full) goes to the queue for a retry', async () => {
    const user = await world.createUser('full-sender');
    const full = await world.createUser('full');
    world.delivery.outcomes.set(full.address, {
      recipient: full.address,
      outcome: 'deferred',
      reply: { code: 452, enhanced: '4.2.2', message: 'mailbox full' },
    });
    const replies = await pythonSmtp(world.caFile, [
      ...login(port, user),
      ['sendmail', user.address, [full.address], rfc5322({ from: user.address, to: full.address })],
    ]);
    assert.equal(replies[5]?.[0], 250);
    const rows = (await listQueueRows(world.services.store.db)).filter((r) => r.recipient === full.address);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.domain, 'example.com');
    assert.equal(rows[0]?.status, 'queued');
  });
});

describe('submission end to end (coo serve, real local delivery)', () => {
  test("mail sent with python smtplib on 587 and 465 lands in the local recipient's INBOX, signed", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'coo-submission-'));
    const dataDir = path.join(root, 'data');
    try {
      await initDataDir({
        dataDir,
        domain: 'example.com',
        admin: 'admin@example.com',
        password: PASSWORD,
        hostname: 'mail.example.com',
        listen: ['http=off', 'smtp=off', 'imap=off', 'imaps=off', 'pop3=off', 'pop3s=off'].concat([
          'submission=127.0.0.1:0',
          'submissions=127.0.0.1:0',
        ]),
      });
      useFastHashing(path.join(dataDir, 'coo.toml'));
      const server = await startServer({
        dataDir,
        logger: createLogger('silent'),
        mail: { resolver: offlineResolver },
      });
      try {
        const users = server.services.directory.users;
        const taro = await users.create('taro@example.com', { displayName: 'Taro' }, CLI_ACTOR, {
          password: PASSWORD,
        });
        const hanako = await users.create('hanako@example.com', { displayName: 'Hanako' }, CLI_ACTOR, {
          password: PASSWORD,
        });
        const caFile = path.join(dataDir, 'tls', 'cert.pem');
        const message = (subject: string) =>
          rfc5322({ from: `Taro <${taro.address}>`, to: hanako.address, subject });
        const viaStartTls = await pythonSmtp(caFile, [
          ['connect', server.address('submission')?.port ?? 0],
          ['ehlo'],
          ['starttls'],
          ['ehlo'],
          ['login', taro.address, PASSWORD],
          ['sendmail', taro.address, [hanako.address], message('over 587')],
        ]);
        assert.equal(viaStartTls[5]?.[0], 250, JSON.stringify(viaStartTls));
        const viaTls = await pythonSmtp(caFile, [
          ['connect_ssl', server.address('submissions')?.port ?? 0],
          ['ehlo'],
          ['login', taro.address, PASSWORD, 'LOGIN'],
          ['sendmail', taro.address, [hanako.address], message('over 465')],
        ]);
        assert.equal(viaTls[3]?.[0], 250, JSON.stringify(viaTls));
        const inbox = await findMailbox(server.services.store.db, hanako.id, 'INBOX');
        assert.ok(inbox, 'hanako has an INBOX');
        const subjects = (await listMessages(server.services.store.db, inbox.id)).map((m) => m.subject);
        assert.deepEqual(subjects, ['over 587', 'over 465']);
        const sent = await findMailbox(server.services.store.db, taro.id, 'Sent');
        const copies = sent ? await listMessages(server.services.store.db, sent.id) : [];
        assert.equal(copies.length, 0, 'no copy in Sent: mail apps save it over IMAP');
      } finally {
        await server.close();
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
