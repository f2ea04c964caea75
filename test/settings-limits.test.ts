import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { LIMITS_CACHE_MS } from '../src/settings/live-limits.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { runCoo } from './support/cli.ts';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';
import { pythonSmtp, rfc5322, type SmtpStep } from './support/python-smtp.ts';
import { messageOf, RawSmtp } from './support/smtp-inbound.ts';
import { TusClient } from './support/tus-client.ts';

const MIB = 1024 ** 2;

/**
 * The limits an admin changes at run time (docs/api.md, "Settings"), end to
 * end: one server, never restarted; each change goes through the REST API
 * and the next upload or mail session obeys it.
 */
describe('limits changed at run time apply without a restart', () => {
  let server: ImTestServer;
  let caFile: string;
  let taro: TestUser;

  before(async () => {
    server = await startImServer({ mail: true });
    caFile = path.join(server.dataDir, 'tls', 'cert.pem');
    taro = await server.createUser('taro');
  });
  after(() => server.stop());

  async function setLimit(name: string, value: string | number): Promise<unknown> {
    const response = await server.call('PUT', `/api/v1/settings/${name}`, { body: { value } });
    assert.equal(response.status, 200, response.text);
    return response.json.value;
  }

  async function inboxSubjects(user: TestUser): Promise<string[]> {
    const inbox = await findMailbox(server.services.store.db, user.id, 'INBOX');
    return inbox ? (await listMessages(server.services.store.db, inbox.id)).map((m) => m.subject ?? '') : [];
  }

  /** A message of about `bytes` bytes from outside to taro. */
  const inboundMessage = (subject: string, bytes: number) =>
    messageOf({
      from: 'alice@sender.example',
      to: taro.address,
      subject,
      body: `${'x'.repeat(76)}\n`.repeat(Math.ceil(bytes / 78)),
    });

  /** One inbound session on port 25: EHLO's SIZE, then the message, then QUIT. */
  async function inbound(message: string, sizeParameter?: number) {
    const raw = await RawSmtp.connect(server.mailPort('smtp'));
    try {
      const ehlo = await raw.command('EHLO client.example.net');
      const advertised = /^SIZE (\d+)$/m.exec(ehlo.text)?.[1];
      const size = sizeParameter === undefined ? '' : ` SIZE=${sizeParameter}`;
      const mail = await raw.command(`MAIL FROM:<alice@sender.example>${size}`);
      if (mail.code !== 250) return { advertised: Number(advertised), mail, data: undefined };
      const rcpt = await raw.command(`RCPT TO:<${taro.address}>`);
      assert.equal(rcpt.code, 250, rcpt.text);
      assert.equal((await raw.command('DATA')).code, 354);
      const data = await raw.data(message);
      await raw.command('QUIT');
      return { advertised: Number(advertised), mail, data };
    } finally {
      raw.destroy();
    }
  }

  test('inbound SMTP: after mail.max-message-size is lowered, EHLO advertises the new SIZE and a larger message gets 552 5.3.4', async () => {
    const before = await inbound(inboundMessage('before the change', 1.5 * MIB));
    assert.equal(
      before.advertised,
      25 * MIB,
      'coo.toml’s [mail] max_message_size while the setting is unset',
    );
    assert.equal(before.data?.code, 250, before.data?.text);

    assert.equal(await setLimit('mail.max-message-size', '1M'), MIB);

    const over = await inbound(inboundMessage('over the new limit', 1.5 * MIB));
    assert.equal(over.advertised, MIB);
    assert.equal(over.data?.code, 552);
    assert.match(over.data?.text ?? '', /^5\.3\.4 /);
    const declared = await inbound(inboundMessage('declared too large', 100), 2 * MIB);
    assert.equal(declared.mail.code, 552, 'RFC 1870: MAIL with SIZE= over the limit is refused at once');
    assert.match(declared.mail.text, /^5\.3\.4 /);
    const under = await inbound(inboundMessage('under the new limit', 0.5 * MIB));
    assert.equal(under.data?.code, 250, under.data?.text);

    const subjects = await inboxSubjects(taro);
    assert.ok(subjects.includes('before the change') && subjects.includes('under the new limit'));
    assert.ok(!subjects.includes('over the new limit') && !subjects.includes('declared too large'));

    // The change is in the audit log, with who made it.
    const audit = await server.call('GET', '/api/v1/audit?action=settings.set&target=mail.max-message-size');
    assert.equal(audit.status, 200, audit.text);
    const entries = (audit.json as { entries: { actor: string; details: { value: unknown } }[] }).entries;
    assert.deepEqual(
      entries.map((e) => e.details.value),
      [MIB],
    );
  });

  test('submission: the new SIZE is advertised after STARTTLS, and a larger message gets 552 5.3.4', async () => {
    const user = await server.createUser('sizer');
    await setLimit('mail.max-message-size', 2 * MIB);
    const port = server.mailPort('submission');
    const ehlo = async () => {
      const replies = await pythonSmtp(caFile, [
        ['connect', port],
        ['ehlo'],
        ['starttls'],
        ['ehlo'],
        ['quit'],
      ]);
      return Number(/^SIZE (\d+)$/m.exec(replies[3]?.[1] ?? '')?.[1]);
    };
    assert.equal(await ehlo(), 2 * MIB);
    const send = (subject: string, bytes: number) =>
      nodemailer
        .createTransport({
          host: '127.0.0.1',
          port,
          requireTLS: true,
          auth: { user: user.address, pass: user.password },
          tls: { ca: server.ca, servername: 'localhost' },
        })
        .sendMail({ from: user.address, to: taro.address, subject, text: 'x'.repeat(bytes) });

    const fits = await send('1.5 MB by submission', 1.5 * MIB);
    assert.match(fits.response, /^250 /);

    await setLimit('mail.max-message-size', '1M');
    assert.equal(await ehlo(), MIB);
    await assert.rejects(
      send('1.5 MB after the change', 1.5 * MIB),
      (error: { responseCode?: number; response?: string }) => {
        assert.equal(error.responseCode, 552);
        assert.match(error.response ?? '', /5\.3\.4/);
        return true;
      },
    );
    const subjects = await inboxSubjects(taro);
    assert.ok(subjects.includes('1.5 MB by submission'));
    assert.ok(!subjects.includes('1.5 MB after the change'));
  });

  test('submission: mail.max-recipients applies to the next session', async () => {
    const user = await server.createUser('many');
    const port = server.mailPort('submission');
    const threeRecipients: SmtpStep[] = [
      ['connect', port],
      ['ehlo'],
      ['starttls'],
      ['ehlo'],
      ['login', user.address, user.password],
      ['mail', user.address],
      ['rcpt', 'a@remote.example'],
      ['rcpt', 'b@remote.example'],
      ['rcpt', 'c@remote.example'],
      ['quit'],
    ];
    const before = await pythonSmtp(caFile, threeRecipients);
    assert.deepEqual(
      before.slice(6, 9).map((r) => r[0]),
      [250, 250, 250],
    );
    await setLimit('mail.max-recipients', '2');
    const after = await pythonSmtp(caFile, threeRecipients);
    assert.deepEqual(
      after.slice(6, 9).map((r) => r[0]),
      [250, 250, 452],
    );
    assert.match(after[8]?.[1] ?? '', /^4\.5\.3 /);
  });

  test('submission: mail.max-messages-per-hour applies to the next MAIL; 0 lifts it', async () => {
    const user = await server.createUser('hourly');
    const port = server.mailPort('submission');
    const send: SmtpStep = [
      'sendmail',
      user.address,
      ['bob@remote.example'],
      rfc5322({ from: user.address, to: 'bob@remote.example' }),
    ];
    const session = (count: number) =>
      pythonSmtp(caFile, [
        ['connect', port],
        ['ehlo'],
        ['starttls'],
        ['ehlo'],
        ['login', user.address, user.password],
        ...Array.from({ length: count }, () => send),
        ['quit'],
      ]);
    const first = await session(2);
    assert.deepEqual(
      first.slice(5, 7).map((r) => r[0]),
      [250, 250],
      'coo.toml’s 300 an hour',
    );
    await setLimit('mail.max-messages-per-hour', 2);
    const limited = await session(1);
    assert.equal(limited[5]?.[0], 450);
    assert.match(limited[5]?.[1] ?? '', /^4\.7\.1 Send limit reached: at most 2 messages per hour/);
    await setLimit('mail.max-messages-per-hour', 0);
    const unlimited = await session(1);
    assert.equal(unlimited[5]?.[0], 250);
  });

  test('a value the limit does not take is refused with 400 and a message; the limit stays', async () => {
    const refused = await server.call('PUT', '/api/v1/settings/mail.max-recipients', {
      body: { value: 'plenty' },
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error.code, 'INVALID_INPUT');
    assert.match(refused.json.error.message, /mail\.max-recipients: expected a whole number from 1 to 10000/);
    const current = await server.call('GET', '/api/v1/settings/mail.max-recipients');
    assert.equal(current.json.value, 2);
  });

  test('messenger uploads: im.max-upload-size applies to the next upload (413 BLOB_TOO_LARGE), deferred lengths too', async () => {
    const tus = new TusClient(server);
    try {
      const client = await ImTestClient.connect(server);
      const hello = await client.hello(taro.address, taro.password, {
        remember: true,
        device: { kind: 'web', name: 'tests' },
      });
      await client.close();
      const token = hello.resumeToken;
      assert.ok(token);

      const fits = await tus.create(token, 3 * MIB, { filename: 'before.bin' });
      assert.equal(fits.status, 201, fits.body.toString());

      assert.equal(await setLimit('im.max-upload-size', '2M'), 2 * MIB);
      const uploads = path.join(server.dataDir, 'uploads');
      const before = readdirSync(uploads).length;
      const refused = await tus.create(token, 3 * MIB, { filename: 'after.bin' });
      assert.equal(refused.status, 413);
      assert.equal(refused.json.error.code, 'BLOB_TOO_LARGE');
      assert.match(refused.json.error.message, /files may be at most 2097152 bytes/);
      assert.equal(readdirSync(uploads).length, before, 'nothing stored');
      const options = await tus.send('OPTIONS', '/api/v1/im/files', { token: null });
      assert.equal(options.headers['tus-max-size'], String(2 * MIB));

      // tus creation-defer-length: the length comes with a PATCH, checked by tus against the same limit.
      const deferred = await tus.send('POST', '/api/v1/im/files', {
        token,
        headers: { 'tus-resumable': '1.0.0', 'upload-defer-length': '1' },
      });
      assert.equal(deferred.status, 201, deferred.body.toString());
      const tooLong = await tus.send('PATCH', String(deferred.headers.location), {
        token,
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'upload-length': String(3 * MIB),
          'content-type': 'application/offset+octet-stream',
        },
        body: Buffer.alloc(10),
      });
      assert.equal(tooLong.status, 413);
      assert.equal(tooLong.json.error.code, 'BLOB_TOO_LARGE');

      const small = await tus.create(token, MIB, { filename: 'small.bin' });
      assert.equal(small.status, 201);
      const done = await tus.patch(token, String(small.headers.location), 0, Buffer.alloc(MIB, 7));
      assert.equal(done.status, 204, done.body.toString());
    } finally {
      await tus.close();
    }
  });

  test('coo settings set beside the running server takes "2GiB"-style sizes; the server follows within LIMITS_CACHE_MS', async () => {
    const tusMaxSize = async () =>
      (await server.call('OPTIONS', '/api/v1/im/files', { token: null })).headers['tus-max-size'];
    await setLimit('im.max-upload-size', '2M');
    assert.equal(await tusMaxSize(), String(2 * MIB));
    const set = await runCoo(['settings', 'set', 'im.max-upload-size', '1.5GiB', '--data', server.dataDir]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout.trim(), `im.max-upload-size = ${1.5 * 1024 * MIB}`);
    const refused = await runCoo([
      'settings',
      'set',
      'im.max-upload-size',
      '12 parsecs',
      '--data',
      server.dataDir,
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /im\.max-upload-size: expected a size such as "500M", "2G"/);

    // Another process changed the table: this server sees it once its short cache ages.
    const deadline = Date.now() + LIMITS_CACHE_MS + 3000;
    while ((await tusMaxSize()) !== String(1.5 * 1024 * MIB) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(await tusMaxSize(), String(1.5 * 1024 * MIB));

    const listed = await runCoo(['settings', 'list', '--data', server.dataDir]);
    assert.match(listed.stdout, new RegExp(`im\\.max-upload-size\\s+${1.5 * 1024 * MIB}\\s`));
    assert.match(listed.stdout, /default \(from config, \[submission\] max_messages_per_hour\): 300/);
  });
});
