import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { findMailbox } from '../src/store/mailboxes.ts';
import { findPop3Lock } from '../src/store/pop3-locks.ts';
import {
  PASSWORD,
  poplib,
  RawPop3Client,
  startPop3Server,
  type Pop3TestServer,
  type PoplibResult,
} from './support/pop3.ts';

/** A message with a line that starts with ".", and one that is only "." (dot-stuffing). */
function plainMessage(index: number): Buffer {
  return Buffer.from(
    [
      'From: sender@example.net',
      `To: someone@example.com`,
      `Subject: message ${index}`,
      `Message-ID: <m${index}@example.net>`,
      '',
      `Body of message ${index}.`,
      '.a line that starts with a dot',
      '.',
      '..two dots',
      'last line',
      '',
    ].join('\r\n'),
    'latin1',
  );
}

/** 「会議のお知らせ」 in ISO-2022-JP, header (RFC 2047) and body: ESC sequences and all. */
function japaneseMessage(): Buffer {
  const esc = '\x1b';
  return Buffer.concat([
    Buffer.from(
      [
        'From: =?ISO-2022-JP?B?GyRCRURDZhsoQg==?= <tanaka@example.net>',
        'To: taro@example.com',
        'Subject: =?ISO-2022-JP?B?GyRCMnFEOSROJCpDTiRpJDsbKEI=?=',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=ISO-2022-JP',
        'Content-Transfer-Encoding: 7bit',
        '',
        '',
      ].join('\r\n'),
      'latin1',
    ),
    Buffer.from(`${esc}$B2qDD$N$*CN$i$;${esc}(B\r\n${esc}$BL@F|#1#0;~$+$i$G$9!#${esc}(B\r\n`, 'latin1'),
  ]);
}

function ok(result: PoplibResult | undefined): unknown {
  assert.ok(result && 'ok' in result, `expected success, got ${JSON.stringify(result)}`);
  return result.ok;
}

function err(result: PoplibResult | undefined): string {
  assert.ok(result && 'err' in result, `expected -ERR, got ${JSON.stringify(result)}`);
  return result.err;
}

function retrieved(result: PoplibResult | undefined): { resp: string; data: Buffer } {
  const value = ok(result) as { resp: string; data: string };
  return { resp: value.resp, data: Buffer.from(value.data, 'base64') };
}

async function loggedIn(server: Pop3TestServer, address: string): Promise<RawPop3Client> {
  const client = await RawPop3Client.connect(server, { tls: true });
  assert.match(await client.line(), /^\+OK /);
  assert.match(await client.command(`USER ${address}`), /^\+OK/);
  assert.match(await client.command(`PASS ${PASSWORD}`), /^\+OK /);
  return client;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`POP3 with poplib [${database}]`, () => {
    let server: Pop3TestServer;
    before(async () => {
      server = await startPop3Server({ database });
    });
    after(async () => {
      assertNoUnexpectedErrors(server);
      await server.stop();
    });

    test('over 995, STAT, LIST, UIDL, TOP and RETR give the stored messages byte for byte, ISO-2022-JP included', async () => {
      const user = await server.createUser('reader');
      const messages = [plainMessage(1), japaneseMessage(), plainMessage(3)];
      const stored = [];
      for (const message of messages) stored.push(await server.deliver(user.id, message));
      const [inbox] = await server.inbox(user.id).then((rows) => [rows]);
      const uidValidity = await uidValidityOf(server, user.id);
      const results = await poplib(server, [
        { op: 'connect_ssl' },
        { op: 'user', arg: user.address },
        { op: 'pass', arg: PASSWORD },
        { op: 'stat' },
        { op: 'list' },
        { op: 'uidl' },
        { op: 'list', arg: 2 },
        { op: 'top', arg: 2, lines: 0 },
        { op: 'top', arg: 1, lines: 2 },
        { op: 'retr', arg: 1 },
        { op: 'retr', arg: 2 },
        { op: 'retr', arg: 3 },
        { op: 'quit' },
      ]);
      const total = messages.reduce((sum, message) => sum + message.length, 0);
      assert.match(String(ok(results[2])), /^\+OK reader@example\.com has 3 messages/);
      assert.deepEqual(ok(results[3]), [3, total]);
      assert.deepEqual(
        ok(results[4]),
        messages.map((message, i) => `${i + 1} ${message.length}`),
      );
      assert.deepEqual(
        ok(results[5]),
        stored.map((message, i) => `${i + 1} ${uidValidity}.${message.uid}`),
      );
      assert.equal(ok(results[6]), `+OK 2 ${messages[1]?.length}`);
      const header = japaneseMessage().toString('latin1').split('\r\n\r\n')[0];
      assert.equal(retrieved(results[7]).data.toString('latin1'), `${header}\r\n\r\n`);
      assert.match(
        retrieved(results[8]).data.toString('latin1'),
        /\r\n\r\nBody of message 1\.\r\n\.a line that starts with a dot\r\n$/,
      );
      for (const [i, message] of messages.entries()) {
        const { resp, data } = retrieved(results[9 + i]);
        assert.equal(resp, `+OK ${message.length} octets`);
        assert.ok(
          data.equals(message),
          `message ${i + 1} differs: ${JSON.stringify(data.toString('latin1'))}`,
        );
      }
      assert.equal(inbox?.length, 3);
      assert.equal((await server.inbox(user.id)).length, 3, 'reading deletes nothing');
    });

    test('DELE then QUIT removes the messages from the store; the others keep their UIDL in the next session', async () => {
      const user = await server.createUser('deleter');
      for (let i = 1; i <= 4; i++) await server.deliver(user.id, plainMessage(i));
      const first = await poplib(server, [
        { op: 'connect_ssl' },
        { op: 'user', arg: user.address },
        { op: 'pass', arg: PASSWORD },
        { op: 'uidl' },
        { op: 'dele', arg: 1 },
        { op: 'dele', arg: 3 },
        { op: 'dele', arg: 3 },
        { op: 'stat' },
        { op: 'retr', arg: 1 },
        { op: 'quit' },
      ]);
      const uids = ok(first[3]) as string[];
      assert.match(err(first[6]), /^-ERR message 3 is already deleted/);
      assert.deepEqual((ok(first[7]) as number[])[0], 2);
      assert.match(err(first[8]), /^-ERR message 1 is already deleted/);
      assert.match(String(ok(first[9])), /2 messages deleted/);
      const left = await server.inbox(user.id);
      assert.deepEqual(
        left.map((row) => Number(row.uid)),
        [2, 4],
      );
      const second = await poplib(server, [
        { op: 'connect_ssl' },
        { op: 'user', arg: user.address },
        { op: 'pass', arg: PASSWORD },
        { op: 'uidl' },
        { op: 'quit' },
      ]);
      const idOf = (line: string | undefined) => line?.split(' ')[1];
      assert.deepEqual((ok(second[3]) as string[]).map(idOf), [idOf(uids[1]), idOf(uids[3])]);
    });

    test('a second session at the same time gets -ERR [IN-USE]; after QUIT the maildrop opens again', async () => {
      const user = await server.createUser('twice');
      await server.deliver(user.id, plainMessage(1));
      const results = await poplib(server, [
        { op: 'connect_ssl', session: 'a' },
        { op: 'user', arg: user.address, session: 'a' },
        { op: 'pass', arg: PASSWORD, session: 'a' },
        { op: 'connect_ssl', session: 'b' },
        { op: 'user', arg: user.address, session: 'b' },
        { op: 'pass', arg: PASSWORD, session: 'b' },
        { op: 'quit', session: 'a' },
        { op: 'connect_ssl', session: 'c' },
        { op: 'user', arg: user.address, session: 'c' },
        { op: 'pass', arg: PASSWORD, session: 'c' },
        { op: 'stat', session: 'c' },
        { op: 'quit', session: 'c' },
      ]);
      assert.match(err(results[5]), /^-ERR \[IN-USE\] /);
      assert.match(String(ok(results[9])), /^\+OK /);
      assert.deepEqual(ok(results[10]), [1, plainMessage(1).length]);
    });
  });
}

describe('POP3 over 110 and on bad input', () => {
  let server: Pop3TestServer;
  before(async () => {
    server = await startPop3Server({ maxFailuresPerAccount: 4 });
  });
  after(async () => {
    assertNoUnexpectedErrors(server);
    await server.stop();
  });

  test('over 110, USER before STLS is refused with -ERR [AUTH]; after STLS poplib logs in and reads', async () => {
    const user = await server.createUser('starttls');
    await server.deliver(user.id, japaneseMessage());
    const results = await poplib(server, [
      { op: 'connect' },
      { op: 'capa' },
      { op: 'user', arg: user.address },
      { op: 'stls' },
      { op: 'capa' },
      { op: 'user', arg: user.address },
      { op: 'pass', arg: PASSWORD },
      { op: 'retr', arg: 1 },
      { op: 'quit' },
    ]);
    const before = ok(results[1]) as Record<string, string[]>;
    assert.ok('STLS' in before && !('USER' in before) && !('SASL' in before), JSON.stringify(before));
    assert.match(err(results[2]), /^-ERR \[AUTH\] plaintext login is refused/);
    const afterTls = ok(results[4]) as Record<string, string[]>;
    assert.ok(!('STLS' in afterTls) && 'USER' in afterTls, JSON.stringify(afterTls));
    assert.deepEqual(afterTls.SASL, ['PLAIN']);
    assert.ok(['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'].every((cap) => cap in afterTls));
    assert.ok(retrieved(results[7]).data.equals(japaneseMessage()));
  });

  test('AUTH PLAIN before STLS is refused too, and works over TLS with an initial response or after "+ "', async () => {
    const user = await server.createUser('sasl');
    const plain = await RawPop3Client.connect(server, { tls: false });
    await plain.line();
    const credentials = Buffer.from(`\0${user.address}\0${PASSWORD}`).toString('base64');
    assert.match(
      await plain.command(`AUTH PLAIN ${credentials}`),
      /^-ERR \[AUTH\] plaintext login is refused/,
    );
    plain.destroy();

    const initial = await RawPop3Client.connect(server, { tls: true });
    await initial.line();
    assert.match(
      await initial.command(`AUTH PLAIN ${credentials}`),
      /^\+OK sasl@example\.com has 0 messages/,
    );
    assert.match(await initial.command('QUIT'), /^\+OK/);

    const continued = await RawPop3Client.connect(server, { tls: true });
    await continued.line();
    assert.equal(await continued.command('AUTH PLAIN'), '+ ');
    assert.match(await continued.command('*'), /^-ERR authentication cancelled/);
    assert.equal(await continued.command('AUTH PLAIN'), '+ ');
    assert.match(await continued.command('not base64!'), /^-ERR the SASL response is not valid base64/);
    assert.match(await continued.command('AUTH CRAM-MD5'), /^-ERR unsupported SASL mechanism/);
    const other = Buffer.from(`admin@example.com\0${user.address}\0${PASSWORD}`).toString('base64');
    assert.match(await continued.command(`AUTH PLAIN ${other}`), /^-ERR \[AUTH\] logging in as another user/);
    assert.equal(await continued.command('AUTH PLAIN'), '+ ');
    assert.match(await continued.command(credentials), /^\+OK /);
    assert.match(await continued.command('QUIT'), /^\+OK/);
  });

  test('a wrong password gets -ERR [AUTH]; past the limit even the right one is throttled with [SYS/TEMP], and it is audited', async () => {
    const user = await server.createUser('guessed');
    const wrong = Array.from({ length: 4 }, (_, i) => [
      { op: 'connect_ssl', session: `s${i}` },
      { op: 'user', arg: user.address, session: `s${i}` },
      { op: 'pass', arg: `wrong ${i}`, session: `s${i}` },
    ]).flat();
    const results = await poplib(server, [
      ...wrong,
      { op: 'connect_ssl', session: 'right' },
      { op: 'user', arg: user.address, session: 'right' },
      { op: 'pass', arg: PASSWORD, session: 'right' },
    ]);
    for (let i = 0; i < 4; i++)
      assert.match(err(results[i * 3 + 2]), /^-ERR \[AUTH\] wrong address or password/);
    assert.match(
      err(results[14]),
      /^-ERR \[SYS\/TEMP\] too many failed logins for guessed@example\.com; try again in/,
    );
    const audited = await server.services.audit.query({ action: 'auth.login', target: user.address });
    assert.equal(audited.length, 5);
    assert.ok(audited.every((entry) => entry.protocol === 'pop3' && entry.outcome === 'failure'));
    assert.ok(audited.every((entry) => entry.remote === '127.0.0.1'));
  });

  test('three failed logins on one connection close it', async () => {
    const client = await RawPop3Client.connect(server, { tls: true });
    await client.line();
    for (let i = 0; i < 3; i++) {
      assert.match(await client.command('USER nobody@example.com'), /^\+OK/);
      assert.match(await client.command(`PASS wrong${i}`), /^-ERR \[AUTH\]/);
    }
    await client.closed;
  });

  test('a disabled account is told so with [SYS/PERM] after the right password', async () => {
    const user = await server.createUser('disabled');
    await server.services.directory.users.setDisabled(user.address, true, CLI_ACTOR);
    const client = await RawPop3Client.connect(server, { tls: true });
    await client.line();
    await client.command(`USER ${user.address}`);
    assert.match(await client.command(`PASS ${PASSWORD}`), /^-ERR \[SYS\/PERM\] this account is disabled/);
    client.destroy();
  });

  test('DELE and a dropped connection change nothing, and release the lock at once', async () => {
    const user = await server.createUser('dropped');
    for (let i = 1; i <= 2; i++) await server.deliver(user.id, plainMessage(i));
    const client = await loggedIn(server, user.address);
    assert.match(await client.command('RETR 2'), /^\+OK/);
    await client.multiline();
    assert.match(await client.command('DELE 1'), /^\+OK message 1 deleted/);
    assert.match(await client.command('DELE 2'), /^\+OK/);
    assert.ok(await findPop3Lock(server.services.store.db, user.id));
    client.destroy();
    await until(
      async () => (await findPop3Lock(server.services.store.db, user.id)) === undefined,
      'the lock',
    );
    const rows = await server.inbox(user.id);
    assert.deepEqual(
      rows.map((row) => row.flags),
      ['[]', '[]'],
      'nothing changed: no deletion, no \\Seen',
    );
    const again = await loggedIn(server, user.address);
    assert.equal(await again.command('STAT'), `+OK 2 ${plainMessage(1).length + plainMessage(2).length}`);
    assert.match(await again.command('QUIT'), /0 messages deleted/);
  });

  test('a login, DELE and QUIT sent just before the client leaves still remove the message (the client issued QUIT)', async () => {
    const user = await server.createUser('hasty');
    await server.deliver(user.id, plainMessage(1));
    await server.deliver(user.id, plainMessage(2));
    const client = await RawPop3Client.connect(server, { tls: true });
    await client.line();
    // The login takes a while: the client is gone before its +OK can be written.
    client.socket.end(`USER ${user.address}\r\nPASS ${PASSWORD}\r\nDELE 2\r\nQUIT\r\n`);
    await until(async () => (await server.inbox(user.id)).length === 1, 'the deletion');
    await until(
      async () => (await findPop3Lock(server.services.store.db, user.id)) === undefined,
      'the lock',
    );
    assert.deepEqual(
      (await server.inbox(user.id)).map((row) => Number(row.uid)),
      [1],
    );
  });

  test('QUIT deletes the bodies no other message uses, and keeps one that another copy still uses', async () => {
    const user = await server.createUser('cleaner');
    const other = await server.createUser('keeper');
    const unique = await server.deliver(user.id, Buffer.from('Subject: only here\r\n\r\nonly here\r\n'));
    const shared = await server.deliver(user.id, plainMessage(7));
    await server.deliver(other.id, plainMessage(7));
    const client = await loggedIn(server, user.address);
    assert.match(await client.command('DELE 1'), /^\+OK/);
    assert.match(await client.command('DELE 2'), /^\+OK/);
    assert.match(await client.command('QUIT'), /2 messages deleted/);
    await client.closed;
    await until(async () => !(await server.blobs.has(unique.sha256)), 'the unused body to go');
    assert.ok(await server.blobs.has(shared.sha256), "the other user's copy keeps its body");
    assert.equal((await server.inbox(other.id)).length, 1);
  });

  test('RSET unmarks deleted messages, so QUIT then removes nothing and marks what RETR sent seen', async () => {
    const user = await server.createUser('resetter');
    await server.deliver(user.id, plainMessage(1));
    const client = await loggedIn(server, user.address);
    assert.match(await client.command('DELE 1'), /^\+OK/);
    assert.equal(await client.command('STAT'), '+OK 0 0');
    assert.match(await client.command('RSET'), /^\+OK maildrop has 1 message/);
    assert.match(await client.command('RETR 1'), /^\+OK /);
    await client.multiline();
    assert.match(await client.command('QUIT'), /0 messages deleted/);
    const [kept] = await server.inbox(user.id);
    assert.deepEqual(
      JSON.parse(kept?.flags ?? ''),
      ['\\Seen'],
      'a message retrieved with RETR is seen at QUIT',
    );
  });

  test('malformed input over TLS gets -ERR and the session goes on, before login', async () => {
    const client = await RawPop3Client.connect(server, { tls: true });
    await client.line();
    assert.match(await client.command('STAT'), /^-ERR STAT is not valid before login/);
    assert.match(await client.command('RETR 1'), /^-ERR RETR is not valid before login/);
    assert.match(await client.command('PASS x'), /^-ERR send USER name first/);
    assert.match(await client.command(`NOOP ${'x'.repeat(300)}`), /^-ERR line too long: at most 255 octets/);
    assert.match(await client.command('x'.repeat(20_000)), /^-ERR line too long/);
    client.write(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x00, 0xff, 0x01, 0x0d, 0x0a]));
    assert.match(await client.line(), /^-ERR commands must be text/);
    assert.match(await client.command('XYZZY'), /^-ERR unknown command "XYZZY"/);
    assert.match(await client.command(''), /^-ERR expected a command/);
    assert.match(await client.command('CAPA'), /^\+OK capability list follows/);
    await client.multiline();
    assert.match(await client.command('QUIT'), /^\+OK/);
    await client.closed;
  });

  test('malformed input over TLS gets -ERR and the session goes on, after login', async () => {
    const user = await server.createUser('malformed');
    await server.deliver(user.id, plainMessage(1));
    const client = await loggedIn(server, user.address);
    assert.match(await client.command('STLS'), /^-ERR STLS is not valid after login/);
    assert.match(await client.command('USER again'), /^-ERR USER is not valid after login/);
    assert.match(await client.command('RETR 0'), /^-ERR expected a message number/);
    assert.match(await client.command('RETR 2'), /^-ERR no such message: 2/);
    assert.match(await client.command('TOP 1'), /^-ERR TOP needs a message number and a number of lines/);
    assert.match(await client.command('LIST 1 2'), /^-ERR expected at most one message number/);
    client.write(Buffer.from('DELE \x01\r\n', 'latin1'));
    assert.match(await client.line(), /^-ERR commands must be text/);
    assert.match(await client.command('list 1'), /^\+OK 1 \d+$/);
    assert.equal(await client.command('NOOP'), '+OK');
    assert.match(await client.command('QUIT'), /^\+OK/);
    await client.closed;
    assert.equal((await server.inbox(user.id)).length, 1);
  });

  test('ten bad commands close the connection', async () => {
    const client = await RawPop3Client.connect(server, { tls: true });
    await client.line();
    for (let i = 0; i < 9; i++) assert.match(await client.command(`BAD${i}`), /^-ERR unknown command/);
    assert.match(await client.command('BAD9'), /^-ERR unknown command/);
    assert.match(await client.line(), /^-ERR too many bad commands, closing/);
    await client.closed;
  });

  test('commands sent in one go (PIPELINING) are answered in order', async () => {
    const user = await server.createUser('pipeliner');
    await server.deliver(user.id, plainMessage(1));
    await server.deliver(user.id, plainMessage(2));
    const client = await RawPop3Client.connect(server, { tls: true });
    await client.line();
    client.write(
      `USER ${user.address}\r\nPASS ${PASSWORD}\r\nSTAT\r\nRETR 2\r\nUIDL 1\r\nDELE 1\r\nLIST\r\nQUIT\r\n`,
    );
    assert.match(await client.line(), /^\+OK send PASS/);
    assert.match(await client.line(), /^\+OK pipeliner@example\.com has 2 messages/);
    assert.match(await client.line(), /^\+OK 2 \d+$/);
    assert.equal(await client.line(), `+OK ${plainMessage(2).length} octets`);
    const body = await client.multiline();
    assert.ok(
      body.toString('latin1').includes('\r\n..a line that starts with a dot\r\n..\r\n...two dots\r\n'),
    );
    assert.match(await client.line(), /^\+OK 1 \d+\.1$/);
    assert.match(await client.line(), /^\+OK message 1 deleted/);
    assert.match(await client.line(), /^\+OK 1 message/);
    assert.equal((await client.multiline()).toString(), `2 ${plainMessage(2).length}\r\n`);
    assert.match(await client.line(), /1 message deleted/);
  });

  test('STLS discards what the client sent behind it in plaintext', async () => {
    const client = await RawPop3Client.connect(server, { tls: false });
    await client.line();
    // An attacker's QUIT injected behind STLS must not run inside the TLS session.
    client.write('STLS\r\nQUIT\r\n');
    assert.equal(await client.stls({ alreadySent: true }), '+OK begin TLS negotiation');
    assert.match(await client.command('CAPA'), /^\+OK capability list follows/);
    const capabilities = (await client.multiline()).toString();
    assert.ok(!capabilities.includes('STLS') && capabilities.includes('USER'), capabilities);
    assert.match(await client.command('STLS'), /^-ERR TLS is already active/);
    assert.match(await client.command('QUIT'), /^\+OK/);
  });

  test('a message whose body is missing from the blob store gets -ERR, and the session goes on', async () => {
    const user = await server.createUser('missing');
    const lost = await server.deliver(user.id, Buffer.from('Subject: lost\r\n\r\nlost\r\n'));
    await server.deliver(user.id, plainMessage(2));
    await server.blobs.delete(lost.sha256);
    const client = await loggedIn(server, user.address);
    assert.match(await client.command('RETR 1'), /^-ERR message 1 cannot be read now/);
    assert.match(await client.command('TOP 1 0'), /^-ERR message 1 cannot be read now/);
    assert.equal(await client.command('RETR 2'), `+OK ${plainMessage(2).length} octets`);
    assert.ok((await client.multiline()).length > 0);
    assert.match(await client.command('QUIT'), /^\+OK/);
  });

  test('a large message is streamed to a slow reader byte for byte', async () => {
    const user = await server.createUser('large');
    const line = `${'0123456789'.repeat(7)}\r\n`;
    const big = Buffer.from(`Subject: big\r\n\r\n${line.repeat(120_000)}.\r\n`, 'latin1');
    await server.deliver(user.id, big);
    const client = await loggedIn(server, user.address);
    client.socket.pause();
    client.write('RETR 1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    client.socket.resume();
    assert.equal(await client.line(), `+OK ${big.length} octets`);
    const body = await client.multiline(20_000);
    assert.equal(body.length, big.length + 1, 'one extra dot, for the last line');
    assert.ok(body.toString('latin1').replace(/\r\n\.\.\r\n$/, '\r\n.\r\n') === big.toString('latin1'));
    assert.match(await client.command('QUIT'), /^\+OK/);
  });
});

describe('POP3 settings and limits', () => {
  let server: Pop3TestServer;
  before(async () => {
    server = await startPop3Server({ allowPlaintextOnLoopback: true });
  });
  after(async () => {
    assertNoUnexpectedErrors(server);
    await server.stop();
  });

  test('with allow_plaintext_on_loopback, poplib logs in over 110 without TLS from 127.0.0.1', async () => {
    const user = await server.createUser('local');
    await server.deliver(user.id, plainMessage(1));
    const results = await poplib(server, [
      { op: 'connect' },
      { op: 'capa' },
      { op: 'user', arg: user.address },
      { op: 'pass', arg: PASSWORD },
      { op: 'retr', arg: 1 },
      { op: 'quit' },
    ]);
    const capabilities = ok(results[1]) as Record<string, string[]>;
    assert.ok('USER' in capabilities && 'STLS' in capabilities);
    assert.ok(retrieved(results[4]).data.equals(plainMessage(1)));
  });

  test('an idle session is logged out with -ERR after the idle timeout, deleting nothing', async () => {
    const listener = await server.extraListener({ implicitTls: true, tuning: { idleTimeoutMs: 300 } });
    const user = await server.createUser('idle');
    await server.deliver(user.id, plainMessage(1));
    const client = await loggedIn({ ...server, pop3s: listener.address }, user.address);
    assert.match(await client.command('DELE 1'), /^\+OK/);
    assert.match(await client.line(2000), /^-ERR \[SYS\/TEMP\] autologout: idle for too long/);
    await client.closed;
    await until(
      async () => (await findPop3Lock(server.services.store.db, user.id)) === undefined,
      'the lock',
    );
    assert.equal((await server.inbox(user.id)).length, 1);
  });

  test('a TLS handshake that never comes is cut after the handshake timeout', async () => {
    const listener = await server.extraListener({ implicitTls: true, tuning: { handshakeTimeoutMs: 200 } });
    const { connect } = await import('node:net');
    const socket = connect({ host: '127.0.0.1', port: listener.address.port });
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    const started = Date.now();
    await closed;
    assert.ok(Date.now() - started < 2000);
  });

  test('closing the listener tells open sessions, releases their locks and deletes nothing', async () => {
    const listener = await server.extraListener({ implicitTls: false });
    const user = await server.createUser('shutdown');
    await server.deliver(user.id, plainMessage(1));
    const client = await RawPop3Client.connect({ ...server, pop3: listener.address }, { tls: false });
    await client.line();
    await client.command(`USER ${user.address}`);
    assert.match(await client.command(`PASS ${PASSWORD}`), /^\+OK/);
    assert.match(await client.command('DELE 1'), /^\+OK/);
    await listener.close();
    assert.match(await client.line(), /^-ERR \[SYS\/TEMP\] the server is shutting down/);
    await client.closed;
    assert.equal(await findPop3Lock(server.services.store.db, user.id), undefined);
    assert.equal((await server.inbox(user.id)).length, 1);
  });
});

/** Nothing went wrong on the server that the tests did not provoke on purpose. */
function assertNoUnexpectedErrors(server: Pop3TestServer): void {
  const expected = new Set(['pop3: a message body is missing from the blob store']);
  const errors = server
    .logLines()
    .filter((line) => Number(line.level) >= 40 && !expected.has(String(line.msg)));
  assert.deepEqual(errors, []);
}

async function uidValidityOf(server: Pop3TestServer, userId: number): Promise<number> {
  const inbox = await findMailbox(server.services.store.db, userId, 'INBOX');
  assert.ok(inbox);
  return Number(inbox.uid_validity);
}
