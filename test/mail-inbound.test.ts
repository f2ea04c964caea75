import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { configuredBlobStore, type BlobStore } from '../src/blob/blob-store.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { loadSrsSecret, SrsCodec } from '../src/mail/delivery/srs.ts';
import type { DnsResolver } from '../src/mail/mail-system.ts';
import { authenticateInbound } from '../src/mail/smtp/authenticate.ts';
import { checkDnsbl } from '../src/mail/smtp/dnsbl.ts';
import { createLogger } from '../src/log.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { ImTestClient, startImServer, type ImTestServer, type TestUser } from './support/im-server.ts';
import { messageOf, pythonSmtp, RawSmtp } from './support/smtp-inbound.ts';

/** DNS of the test: answers only what a test put here; everything else fails as on a LAN with no DNS. */
const records = new Map<string, unknown>();
const resolver: DnsResolver = async (name, rrtype) => {
  const answer = records.get(`${name.toLowerCase()}:${rrtype}`);
  if (answer !== undefined) return answer;
  throw Object.assign(new Error(`query${rrtype} ECONNREFUSED ${name}`), { code: 'ECONNREFUSED' });
};

/** Blobs (not temp files) whose bytes contain the marker: none may hold a refused or cut-off message. */
function blobsContaining(dataDir: string, marker: string): string[] {
  const root = path.join(dataDir, 'blobs');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        if (name !== 'tmp') walk(full);
      } else if (readFileSync(full).includes(marker)) found.push(path.relative(root, full));
    }
  };
  walk(root);
  return found;
}

/** DATA spooled to disk while it arrives (large messages only). */
function spoolFiles(dataDir: string): string[] {
  return readdirSync(path.join(dataDir, 'blobs', 'tmp')).filter((name) => name.startsWith('smtp-'));
}

describe('inbound SMTP (port 25)', { concurrency: true }, () => {
  let server: ImTestServer;
  let port: number;
  let taro: TestUser;
  let blobs: BlobStore;

  before(async () => {
    server = await startImServer({ mail: { resolver, config: { max_message_size: '256K' } } });
    port = server.mailPort('smtp');
    taro = await server.createUser('taro', { name: '山田太郎' });
    blobs = configuredBlobStore(server.services.config, server.services.store.db);
  });
  after(() => server.stop());

  async function inboxOf(userId: number) {
    const inbox = await findMailbox(server.services.store.db, userId, 'INBOX');
    return inbox ? listMessages(server.services.store.db, inbox.id) : [];
  }

  async function storedText(sha256: string): Promise<string> {
    return text(await blobs.get(sha256));
  }

  test('mail to a local user over STARTTLS (python smtplib) lands in the INBOX with Authentication-Results; offline DNS gives temperror', async () => {
    const user = await server.createUser('starttls');
    const body = 'Hello over TLS.\r\n.leading dot stays\r\n';
    const message = messageOf({
      from: 'Alice <alice@sender.example>',
      to: user.address,
      subject: 'Over TLS',
      body,
    });
    const result = await pythonSmtp({
      port,
      ca: server.ca,
      from: 'alice@sender.example',
      to: [user.address],
      message,
    });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.tls, true);
    assert.ok(result.features.includes('size'), 'SIZE is advertised');
    assert.ok(!result.features.includes('auth'), 'no AUTH on port 25, even after STARTTLS');

    const [row, ...more] = await inboxOf(user.id);
    assert.ok(row);
    assert.equal(more.length, 0);
    assert.equal(row.subject, 'Over TLS');
    assert.equal(row.from_address, 'alice@sender.example');
    const stored = await storedText(row.blob_sha256);
    assert.match(stored, /^Return-Path: <alice@sender\.example>\r\n/);
    assert.match(stored, /\r\nAuthentication-Results: example\.com;/);
    assert.match(stored, /spf=temperror/);
    assert.match(stored, /dmarc=temperror/);
    assert.match(
      stored,
      /\r\nReceived: from client\.example\.net \(\[127\.0\.0\.1\]\)\r\n\tby example\.com \(Coo\) with ESMTPS/,
    );
    assert.ok(stored.endsWith(message), 'the message itself is stored byte for byte below our fields');

    const audit = await server.services.audit.query({ action: 'mail.accepted', target: user.address });
    assert.equal(audit.length, 1);
  });

  test('RCPT to an unknown user is refused with 550 5.1.1', async () => {
    const result = await pythonSmtp({
      port,
      ca: server.ca,
      from: 'alice@sender.example',
      to: ['nobody@example.com', taro.address],
      message: messageOf({ from: 'alice@sender.example', to: 'nobody@example.com', subject: 'x', body: 'x' }),
    });
    assert.equal(result.ok, true, 'the known recipient still gets it');
    assert.deepEqual(result.refused['nobody@example.com']?.[0], 550);
    assert.match(result.refused['nobody@example.com']?.[1] ?? '', /^5\.1\.1 /);
  });

  test('RCPT to a disabled user is refused with 550 5.2.1; one not valid yet takes mail', async () => {
    const gone = await server.createUser('gone');
    await server.services.directory.users.setDisabled(gone.address, true, CLI_ACTOR);
    const future = await server.createUser('newhire', { validFrom: Date.now() + 7 * 24 * 3600 * 1000 });
    const raw = await RawSmtp.connect(port);
    await raw.command('EHLO client.example.net');
    await raw.command('MAIL FROM:<alice@sender.example>');
    const refused = await raw.command(`RCPT TO:<${gone.address}>`);
    assert.equal(refused.code, 550);
    assert.match(refused.text, /^5\.2\.1 /);
    const accepted = await raw.command(`RCPT TO:<${future.address}>`);
    assert.equal(accepted.code, 250);
    await raw.command('QUIT');
  });

  test('relaying to another domain without AUTH is refused with 554 5.7.1', async () => {
    const result = await pythonSmtp({
      port,
      ca: server.ca,
      from: 'spammer@sender.example',
      to: ['victim@elsewhere.example'],
      message: messageOf({
        from: 'spammer@sender.example',
        to: 'victim@elsewhere.example',
        subject: 'x',
        body: 'x',
      }),
    });
    assert.equal(result.ok, false);
    assert.equal(result.refused['victim@elsewhere.example']?.[0], 554);
    assert.match(result.refused['victim@elsewhere.example']?.[1] ?? '', /^5\.7\.1 .*relay access denied/);
  });

  test('an alias domain, a +tag and postmaster@ reach their users', async () => {
    await server.services.directory.domains.add('example.jp', CLI_ACTOR, { aliasOf: 'example.com' });
    const raw = await RawSmtp.connect(port);
    await raw.command('EHLO client.example.net');
    await raw.command('MAIL FROM:<alice@sender.example>');
    for (const rcpt of [
      'taro@example.jp',
      'taro+news@example.com',
      'postmaster@example.com',
      'POSTMASTER@EXAMPLE.JP',
    ]) {
      const reply = await raw.command(`RCPT TO:<${rcpt}>`);
      assert.equal(reply.code, 250, `${rcpt}: ${reply.text}`);
    }
    await raw.command('QUIT');
  });

  test('a message over max_message_size gets 552 5.3.4, at MAIL (SIZE=) or after DATA, and leaves nothing', async () => {
    const user = await server.createUser('big');
    const marker = `oversize-${Date.now()}`;
    const big = messageOf({
      from: 'a@sender.example',
      to: user.address,
      subject: marker,
      body: 'x'.repeat(300 * 1024),
    });
    const viaPython = await pythonSmtp({
      port,
      ca: server.ca,
      from: 'a@sender.example',
      to: [user.address],
      message: big,
    });
    assert.equal(viaPython.error?.code, 552);
    assert.match(viaPython.error?.message ?? '', /^5\.3\.4 /);

    const raw = await RawSmtp.connect(port);
    await raw.command('EHLO client.example.net');
    await raw.command('MAIL FROM:<a@sender.example>');
    await raw.command(`RCPT TO:<${user.address}>`);
    assert.equal((await raw.command('DATA')).code, 354);
    const reply = await raw.data(big);
    assert.equal(reply.code, 552);
    assert.match(reply.text, /^5\.3\.4 /);
    // The session goes on.
    assert.equal((await raw.command('RSET')).code, 250);
    assert.equal((await raw.command('QUIT')).code, 221);
    assert.deepEqual(await inboxOf(user.id), []);
    assert.deepEqual(blobsContaining(server.dataDir, marker), []);
  });

  test('a client that disconnects in the middle of DATA leaves nothing behind: no blob, no message, no spool', async () => {
    const user = await server.createUser('cut');
    const marker = `cut-${Date.now()}`;
    const raw = await RawSmtp.connect(port);
    await raw.command('EHLO client.example.net');
    await raw.command('MAIL FROM:<a@sender.example>');
    await raw.command(`RCPT TO:<${user.address}>`);
    assert.equal((await raw.command('DATA')).code, 354);
    raw.write(`Subject: ${marker}\r\n\r\n${'y'.repeat(64 * 1024)}\r\n`);
    await delay(200);
    raw.destroy();
    await raw.closed;
    await delay(300);
    assert.deepEqual(await inboxOf(user.id), []);
    assert.deepEqual(blobsContaining(server.dataDir, marker), []);
    assert.deepEqual(spoolFiles(server.dataDir), []);
  });

  test('a message spooled to disk (over the 1 MiB kept in memory) that is cut off leaves no spool either; stopping says 421 4.3.2', async () => {
    const marker = `cutbig-${Date.now()}`;
    const local = await startImServer({ mail: { resolver } });
    try {
      const target = await local.createUser('cutbig');
      const raw = await RawSmtp.connect(local.mailPort('smtp'));
      await raw.command('EHLO client.example.net');
      await raw.command('MAIL FROM:<a@sender.example>');
      await raw.command(`RCPT TO:<${target.address}>`);
      await raw.command('DATA');
      raw.write(`Subject: ${marker}\r\n\r\n`);
      for (let i = 0; i < 48; i++) raw.write(`${'z'.repeat(64 * 1024)}\r\n`);
      await delay(500);
      assert.equal(spoolFiles(local.dataDir).length, 1, 'the message was being spooled');
      raw.destroy();
      await raw.closed;
      await delay(300);
      assert.deepEqual(spoolFiles(local.dataDir), []);
      assert.deepEqual(blobsContaining(local.dataDir, marker), []);
      const inbox = await findMailbox(local.services.store.db, target.id, 'INBOX');
      assert.equal(inbox ? (await listMessages(local.services.store.db, inbox.id)).length : 0, 0);

      // A session still open when the server stops is told so.
      const idle = await RawSmtp.connect(local.mailPort('smtp'));
      await idle.command('EHLO client.example.net');
      const stopping = local.stop();
      const goodbye = await idle.reply();
      assert.equal(goodbye.code, 421);
      assert.match(goodbye.text, /^4\.3\.2 /);
      await idle.closed;
      await stopping;
    } finally {
      await local.stop();
    }
  });

  test('malformed, out-of-order and binary commands get smtp-server replies and the session goes on', async () => {
    const raw = await RawSmtp.connect(port);
    assert.equal(raw.greeting?.code, 220);
    assert.equal((await raw.command('MAIL FROM:<a@sender.example>')).code, 503, 'MAIL before EHLO');
    await raw.command('EHLO client.example.net');
    assert.equal((await raw.command('RCPT TO:<taro@example.com>')).code, 503, 'RCPT before MAIL');
    assert.equal((await raw.command('DATA')).code, 503, 'DATA before RCPT');
    assert.equal((await raw.command('XYZZY plugh')).code, 500);
    assert.equal((await raw.command(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0d, 0x0a]))).code, 500);
    assert.equal((await raw.command('MAIL FROM:<no-closing-bracket')).code, 501);
    assert.equal(
      (await raw.command('AUTH PLAIN AGFsaWNlAHNlY3JldA==')).code,
      500,
      'AUTH is not offered here',
    );
    assert.equal((await raw.command('MAIL FROM:<a@sender.example>')).code, 250);
    const overlong = await raw.command(`RCPT TO:<${'a'.repeat(400)}@example.com>`);
    assert.ok(overlong.code === 501 || overlong.code === 550, overlong.text);
    const badRcpt = await raw.command('RCPT TO:<not an address>');
    assert.ok(badRcpt.code === 501 || badRcpt.code === 550, badRcpt.text);
    assert.equal((await raw.command(`RCPT TO:<${taro.address}>`)).code, 250);
    assert.equal((await raw.command('DATA')).code, 354);
    const done = await raw.data(
      messageOf({ from: 'a@sender.example', to: taro.address, subject: 'after garbage', body: 'ok' }),
    );
    assert.equal(done.code, 250);
    assert.match(done.text, /^2\.0\.0 /);
    assert.equal((await raw.command('QUIT')).code, 221);
  });

  test('a sender domain with DMARC p=reject that fails SPF is refused with 550 5.7.1', async () => {
    records.set('reject.example:TXT', [['v=spf1 -all']]);
    records.set('_dmarc.reject.example:TXT', [['v=DMARC1; p=reject']]);
    const result = await pythonSmtp({
      port,
      ca: server.ca,
      from: 'ceo@reject.example',
      to: [taro.address],
      message: messageOf({
        from: 'CEO <ceo@reject.example>',
        to: taro.address,
        subject: 'wire money',
        body: 'now',
      }),
    });
    assert.equal(result.error?.code, 550);
    assert.match(result.error?.message ?? '', /^5\.7\.1 .*DMARC/);
  });

  test('SPF pass is recorded when DNS answers', async () => {
    records.set('good.example:TXT', [['v=spf1 ip4:127.0.0.1 -all']]);
    const user = await server.createUser('spfpass');
    const result = await pythonSmtp({
      port,
      ca: server.ca,
      from: 'news@good.example',
      to: [user.address],
      message: messageOf({ from: 'news@good.example', to: user.address, subject: 'spf', body: 'pass' }),
    });
    assert.equal(result.ok, true, JSON.stringify(result));
    const [row] = await inboxOf(user.id);
    assert.ok(row);
    assert.match(await storedText(row.blob_sha256), /spf=pass/);
  });

  test('a mailbox over its quota is refused at RCPT with 452 4.2.2; a message too big for what is left at DATA', async () => {
    const user = await server.createUser('fullbox');
    await server.services.directory.users.update(user.address, { quotaBytes: 10_000 }, CLI_ACTOR);
    const send = (subject: string, bodyBytes: number) =>
      pythonSmtp({
        port,
        ca: server.ca,
        from: 'alice@sender.example',
        to: [user.address],
        message: messageOf({
          from: 'alice@sender.example',
          to: user.address,
          subject,
          body: 'q'.repeat(bodyBytes),
        }),
      });
    const tooBig = await send('too big', 12_000);
    assert.equal(tooBig.error?.code, 452, JSON.stringify(tooBig));
    assert.match(tooBig.error?.message ?? '', /^4\.2\.2 /);
    assert.equal((await send('fits', 7000)).ok, true);
    assert.equal((await send('crosses the limit within the grace', 1500)).ok, true);
    const full = await send('refused at RCPT', 10);
    assert.equal(full.ok, false);
    assert.equal(full.refused[user.address]?.[0], 452);
    assert.match(full.refused[user.address]?.[1] ?? '', /^4\.2\.2 /);
    const subjects = (await inboxOf(user.id)).map((row) => row.subject);
    assert.equal(subjects.filter((s) => s === 'fits' || s.startsWith('crosses')).length, 2);
    assert.equal(subjects.filter((s) => s.includes('%')).length, 1, 'the 90 % warning, once');
  });

  test('the messenger shows "new mail from X: subject" to the recipient', async () => {
    const user = await server.createUser('notified');
    const client = await ImTestClient.connect(server);
    try {
      await client.hello(user.address, user.password);
      const result = await pythonSmtp({
        port,
        ca: server.ca,
        from: 'hanako@sender.example',
        to: [user.address],
        message: messageOf({
          from: '花子 <hanako@sender.example>',
          to: user.address,
          subject: 'お知らせ',
          body: 'x',
        }),
      });
      assert.equal(result.ok, true);
      const frame = await client.next('mail.new');
      assert.equal(frame.from, 'hanako@sender.example');
      assert.equal(frame.fromName, '花子');
      assert.equal(frame.subject, 'お知らせ');
      assert.equal(frame.mailbox, 'INBOX');
      assert.equal(frame.uid, 1);
    } finally {
      await client.close();
    }
  });

  test('an SRS address of ours is taken at RCPT only with a valid hash (the bounce path of forwarded mail)', async () => {
    const srs = new SrsCodec(await loadSrsSecret(server.services.store, undefined));
    const good = srs.forward('original@sender.example', 'example.com');
    assert.match(good, /^SRS0=/);
    const raw = await RawSmtp.connect(port);
    await raw.command('EHLO client.example.net');
    await raw.command('MAIL FROM:<>');
    assert.equal((await raw.command(`RCPT TO:<${good}>`)).code, 250);
    const forged = good.replace(/^SRS0=..../, 'SRS0=AAAA');
    const refused = await raw.command(`RCPT TO:<${forged}>`);
    assert.equal(refused.code, 550);
    assert.match(refused.text, /^5\.1\.1 /);
    await raw.command('QUIT');
  });
});

describe('inbound SMTP limits: greylisting, connections and message rate per address', () => {
  let server: ImTestServer;
  let port: number;
  let user: TestUser;

  before(async () => {
    server = await startImServer({
      mail: {
        resolver,
        config: {
          greylisting: true,
          greylist_delay_seconds: 1,
          connections_per_address: 2,
          messages_per_minute_per_address: 3,
        },
      },
    });
    port = server.mailPort('smtp');
    user = await server.createUser('limited');
  });
  after(() => server.stop());

  test('greylisting answers a first attempt 450 4.7.1 and takes the retry after the delay', async () => {
    const raw = await RawSmtp.connect(port);
    await raw.command('EHLO client.example.net');
    await raw.command('MAIL FROM:<grey@sender.example>');
    const first = await raw.command(`RCPT TO:<${user.address}>`);
    assert.equal(first.code, 450);
    assert.match(first.text, /^4\.7\.1 greylisted/);
    assert.equal((await raw.command(`RCPT TO:<${user.address}>`)).code, 450, 'too early');
    await delay(1100);
    assert.equal((await raw.command(`RCPT TO:<${user.address}>`)).code, 250);
    await raw.command('QUIT');
  });

  test('a third connection from one address gets 421 4.7.0; past 3 MAILs in a minute 450 4.7.1', async () => {
    const first = await RawSmtp.connect(port);
    const second = await RawSmtp.connect(port);
    const third = await RawSmtp.connect(port);
    assert.equal(third.greeting?.code, 421);
    assert.match(third.greeting?.text ?? '', /^4\.7\.0 /);
    await third.closed;
    await first.command('EHLO client.example.net');
    // The greylisting test's MAIL counts too: the limit is per address, whatever the session.
    const replies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = await first.command('MAIL FROM:<rate@sender.example>');
      replies.push(`${reply.code} ${reply.text.slice(0, 5)}`);
      await first.command('RSET');
    }
    assert.equal(replies[0], '250 2.1.0');
    assert.equal(replies.at(-1), '450 4.7.1');
    await first.command('QUIT');
    await second.command('QUIT');
  });
});

test('with DNS that times out (ETIMEOUT) the checks say temperror and nothing blocks the mail', async () => {
  const timingOut: DnsResolver = async (name) => {
    throw Object.assign(new Error(`queryTxt ETIMEOUT ${name}`), { code: 'ETIMEOUT' });
  };
  const message = Buffer.from(
    messageOf({ from: 'a@sender.example', to: 'taro@example.com', subject: 'lan', body: 'no dns here' }),
  );
  const result = await authenticateInbound(
    message,
    { ip: '192.0.2.5', helo: 'mx.sender.example', sender: 'a@sender.example', hostname: 'mx.example.com' },
    timingOut,
    createLogger('silent'),
  );
  assert.equal(result.dmarcReject, false);
  assert.deepEqual(result.summary, { spf: 'temperror', dkim: 'none', dmarc: 'temperror', arc: 'none' });
  assert.match(result.headerFields, /^Authentication-Results: mx\.example\.com;\r\n/m);
  assert.ok(result.headerFields.endsWith('\r\n'));
});

test('a DNS blocklist that lists an address is found; private addresses and dead DNS never block', async () => {
  const listing: DnsResolver = async (name) => {
    if (name === '2.0.0.192.bl.example') return ['127.0.0.2'];
    throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  };
  assert.deepEqual(await checkDnsbl(listing, ['bl.example'], '192.0.0.2'), {
    zone: 'bl.example',
    answer: '127.0.0.2',
  });
  assert.equal(await checkDnsbl(listing, ['bl.example'], '192.0.0.3'), undefined);
  assert.equal(await checkDnsbl(listing, ['bl.example'], '192.168.1.2'), undefined);
  assert.equal(await checkDnsbl(resolver, ['bl.example'], '192.0.0.2'), undefined);
});
