import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { ATTACHMENT, meetingMessage, threadMail } from './support/imap-clients.ts';
import {
  imaplib,
  PASSWORD,
  japaneseMessage,
  japaneseUtf8Message,
  plainMessage,
  RawImapClient,
  startImapServer,
  type ImapTestServer,
} from './support/imap.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const plainCredentials = (address: string, password = PASSWORD) =>
  Buffer.from(`\0${address}\0${password}`).toString('base64');

/** The tagged reply: the last response of a command. */
function tagged(responses: string[]): string {
  return responses.at(-1) ?? '';
}

/** The untagged responses that start with `prefix` (after "* "). */
function untagged(responses: string[], prefix: string): string[] {
  return responses.filter((line) => line.startsWith(`* ${prefix}`));
}

/** The first number after `name` in the responses, e.g. "MODSEQ (7)" → 7. */
function numberAfter(responses: string[], name: string): number {
  for (const line of responses) {
    const match = new RegExp(`${name} \\(?(\\d+)`).exec(line);
    if (match) return Number(match[1]);
  }
  throw new Error(`no ${name} in ${responses.join('\n')}`);
}

function assertOk(responses: string[], tag: string): void {
  assert.ok(tagged(responses).startsWith(`${tag} OK`), responses.join('\n'));
}

/** Resolves when the client's current socket (the TLS one after STARTTLS) is closed. */
function socketClosed(client: RawImapClient): Promise<void> {
  if (client.socket.closed) return Promise.resolve();
  return new Promise((resolve) => client.socket.once('close', () => resolve()));
}

async function selected(server: ImapTestServer, address: string): Promise<RawImapClient> {
  const client = await RawImapClient.login(server, address);
  assertOk(await client.command('s1 SELECT INBOX'), 's1');
  return client;
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`IMAP login and authentication [${database}]`, () => {
    let server: ImapTestServer;
    before(async () => {
      server = await startImapServer({ database });
    });
    after(async () => {
      await server.stop();
    });

    test('on 143 the greeting offers STARTTLS and LOGINDISABLED; LOGIN and AUTHENTICATE get [PRIVACYREQUIRED] until STARTTLS, then AUTH=PLAIN and LOGIN work', async () => {
      const user = await server.createUser('starttls');
      const client = await RawImapClient.connect(server, { tls: false });
      const greeting = await client.line();
      assert.match(greeting, /^\* OK \[CAPABILITY IMAP4rev1 [^\]]*\]/);
      const offered = /\[CAPABILITY ([^\]]*)\]/.exec(greeting)?.[1]?.split(' ') ?? [];
      assert.ok(offered.includes('STARTTLS') && offered.includes('LOGINDISABLED'), greeting);
      assert.ok(!offered.includes('AUTH=PLAIN'), greeting);
      assert.match(
        tagged(await client.command(`a1 LOGIN ${user.address} "${PASSWORD}"`)),
        /^a1 NO \[PRIVACYREQUIRED\] /,
      );
      assert.match(
        tagged(await client.command(`a2 AUTHENTICATE PLAIN ${plainCredentials(user.address)}`)),
        /^a2 NO \[PRIVACYREQUIRED\] /,
      );
      assert.match(await client.startTls('a3'), /^a3 OK /);
      const capability = await client.command('a4 CAPABILITY');
      const words = untagged(capability, 'CAPABILITY')[0]?.split(' ') ?? [];
      assert.ok(words.includes('AUTH=PLAIN') && words.includes('SASL-IR'), capability.join('\n'));
      assert.ok(!words.includes('STARTTLS') && !words.includes('LOGINDISABLED'), capability.join('\n'));
      const login = tagged(await client.command(`a5 LOGIN ${user.address} "${PASSWORD}"`));
      // RFC 9051 §6.2.3: the OK may carry the capabilities of the authenticated state.
      assert.match(login, /^a5 OK \[CAPABILITY [^\]]*\bUIDPLUS\b[^\]]*\bAPPENDLIMIT=\d+\] /);
      assertOk(await client.command('a6 SELECT INBOX'), 'a6');
      assert.match(tagged(await client.command('a7 LOGOUT')), /^a7 OK/);
      // client.closed follows the plaintext socket only, which STARTTLS handed over to TLS.
      await socketClosed(client);
    });

    test('STARTTLS on imaps, where TLS is already on, is BAD', async () => {
      const client = await RawImapClient.connect(server, { tls: true });
      const greeting = await client.line();
      assert.ok(!greeting.includes('STARTTLS') && greeting.includes('AUTH=PLAIN'), greeting);
      assert.match(tagged(await client.command('t1 STARTTLS')), /^t1 BAD /);
      client.destroy();
    });

    test('AUTHENTICATE PLAIN works with an initial response (SASL-IR) and after a "+" continuation; "*" cancels', async () => {
      const user = await server.createUser('sasl');
      const initial = await RawImapClient.connect(server, { tls: true });
      await initial.line();
      assert.match(
        tagged(await initial.command(`a1 AUTHENTICATE PLAIN ${plainCredentials(user.address)}`)),
        /^a1 OK \[CAPABILITY [^\]]*\] sasl@example\.com logged in/,
      );
      initial.destroy();

      const continued = await RawImapClient.connect(server, { tls: true });
      await continued.line();
      continued.write('b1 AUTHENTICATE PLAIN\r\n');
      assert.equal(await continued.line(), '+ ');
      continued.write('*\r\n');
      assert.match(await continued.line(), /^b1 BAD authentication cancelled/);
      continued.write('b2 AUTHENTICATE PLAIN\r\n');
      assert.equal(await continued.line(), '+ ');
      continued.write(`${plainCredentials(user.address)}\r\n`);
      assert.match(await continued.line(), /^b2 OK \[CAPABILITY /);
      assertOk(await continued.command('b3 SELECT INBOX'), 'b3');
      continued.destroy();
    });

    test('a wrong password is NO [AUTHENTICATIONFAILED]; the third failure on one connection closes it', async () => {
      const user = await server.createUser('typo');
      const client = await RawImapClient.connect(server, { tls: true });
      await client.line();
      for (const [tag, password] of [
        ['w1', 'wrong one'],
        ['w2', 'wrong two'],
      ]) {
        assert.match(
          tagged(await client.command(`${tag} LOGIN ${user.address} "${password}"`)),
          new RegExp(`^${tag} NO \\[AUTHENTICATIONFAILED\\] `),
        );
      }
      // An unknown user is answered the same way (nothing tells which addresses exist).
      assert.match(
        tagged(await client.command(`w3 LOGIN nobody@example.com "${PASSWORD}"`)),
        /^w3 NO \[AUTHENTICATIONFAILED\] /,
      );
      await client.closed;
    });

    test('after max_failures_per_account failures even the right password is throttled with NO [UNAVAILABLE], and every attempt is audited', async () => {
      const user = await server.createUser('guessed');
      // [auth] max_failures_per_account = 10 (the default), three failures per connection at most.
      let failures = 0;
      while (failures < 10) {
        const client = await RawImapClient.connect(server, { tls: true });
        await client.line();
        for (let i = 0; i < 3 && failures < 10; i++, failures++) {
          assert.match(
            tagged(await client.command(`f${failures} LOGIN ${user.address} "wrong ${failures}"`)),
            /NO \[AUTHENTICATIONFAILED\]/,
          );
        }
        client.destroy();
      }
      const client = await RawImapClient.connect(server, { tls: true });
      await client.line();
      assert.match(
        tagged(await client.command(`r1 LOGIN ${user.address} "${PASSWORD}"`)),
        /^r1 NO \[UNAVAILABLE\] too many failed logins for guessed@example\.com/,
      );
      await client.closed;
      const audited = await server.services.audit.query({ action: 'auth.login', target: user.address });
      assert.equal(audited.length, 11);
      assert.ok(audited.every((entry) => entry.protocol === 'imap' && entry.outcome === 'failure'));
      assert.ok(audited.every((entry) => entry.remote === '127.0.0.1'));
      assert.equal(audited[0]?.details.reason, 'throttled');
    });

    test('a disabled account is refused with NO [CONTACTADMIN] after the right password', async () => {
      const user = await server.createUser('disabled');
      await server.services.directory.users.setDisabled(user.address, true, CLI_ACTOR);
      const client = await RawImapClient.connect(server, { tls: true });
      await client.line();
      assert.match(
        tagged(await client.command(`d1 LOGIN ${user.address} "${PASSWORD}"`)),
        /^d1 NO \[CONTACTADMIN\] /,
      );
      assert.match(
        tagged(await client.command(`d2 AUTHENTICATE PLAIN ${plainCredentials(user.address)}`)),
        /^d2 NO \[CONTACTADMIN\] /,
      );
      client.destroy();
    });

    test('commands of the authenticated and selected states before login are BAD with their tag', async () => {
      const client = await RawImapClient.connect(server, { tls: true });
      await client.line();
      for (const [tag, text] of [
        ['n1', 'SELECT INBOX'],
        ['n2', 'EXAMINE INBOX'],
        ['n3', 'FETCH 1 (FLAGS)'],
        ['n4', 'APPEND INBOX {3+}\r\nabc'],
        ['n5', 'IDLE'],
      ] as const) {
        assert.match(
          tagged(await client.command(`${tag} ${text}`)),
          new RegExp(`^${tag} BAD .*log in first`),
        );
      }
      // CAPABILITY and NOOP are valid in any state.
      assertOk(await client.command('n6 NOOP'), 'n6');
      client.destroy();
    });

    test('imaplib logs in over imaps and over 143 with STARTTLS, and the audit log records both IMAP logins', async () => {
      const user = await server.createUser('audited');
      const result = await imaplib(
        server,
        `
        out = []
        for tls in (True, False):
            conn = connect(tls)
            out.append(conn.login(cfg['user'], cfg['password'])[0])
            out.append(conn.select('INBOX')[0])
            conn.logout()
        result = out
        `,
        { user: user.address },
      );
      assert.deepEqual(result, ['OK', 'OK', 'OK', 'OK']);
      const audited = await server.services.audit.query({ action: 'auth.login', target: user.address });
      assert.equal(audited.length, 2);
      for (const entry of audited) {
        assert.equal(entry.actor, user.address);
        assert.equal(entry.protocol, 'imap');
        assert.equal(entry.outcome, 'success');
        assert.equal(entry.remote, '127.0.0.1');
      }
    });
  });
}

/** imaplib's FETCH data as [text, base64 of the literal | null] pairs. */
type FetchParts = Array<[string, string | null]>;

/** The literal that follows the item named `name` in imaplib's FETCH parts. */
function literalAfter(parts: FetchParts, name: string): Buffer {
  const part = parts.find(([text, literal]) => literal !== null && text.includes(`${name} {`));
  assert.ok(part?.[1] !== undefined && part[1] !== null, `no ${name} in ${JSON.stringify(parts)}`);
  return Buffer.from(part[1], 'base64');
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`IMAP mailbox commands [${database}]`, () => {
    let server: ImapTestServer;
    before(async () => {
      server = await startImapServer({ database });
    });
    after(async () => {
      await server.stop();
    });

    test('SELECT answers EXISTS, UNSEEN, UIDVALIDITY, UIDNEXT, FLAGS with keywords, PERMANENTFLAGS with \\*, HIGHESTMODSEQ and READ-WRITE', async () => {
      const user = await server.createUser('select');
      await server.deliver(user.id, plainMessage(1), 'INBOX', { flags: ['\\Seen', '$Project'] });
      await server.deliver(user.id, plainMessage(2));
      const row = await server.mailbox(user.id, 'INBOX');
      assert.ok(row);
      const client = await RawImapClient.login(server, user.address);
      const responses = await client.command('s1 SELECT INBOX');
      assert.ok(responses.includes('* 2 EXISTS'), responses.join('\n'));
      assert.ok(responses.includes('* OK [UNSEEN 2] first unseen message'), responses.join('\n'));
      assert.ok(responses.includes(`* OK [UIDVALIDITY ${Number(row.uid_validity)}] UIDs valid`));
      assert.ok(responses.includes('* OK [UIDNEXT 3] predicted next UID'));
      assert.ok(
        responses.includes(`* OK [HIGHESTMODSEQ ${Number(row.highest_modseq)}] highest mod-sequence`),
      );
      const flags = untagged(responses, 'FLAGS ')[0] ?? '';
      for (const flag of ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', '$Project']) {
        assert.ok(flags.includes(flag), `${flag} missing from ${flags}`);
      }
      assert.match(untagged(responses, 'OK [PERMANENTFLAGS')[0] ?? '', /\$Project \\\*\)\]/);
      assert.match(tagged(responses), /^s1 OK \[READ-WRITE\] /);
      client.destroy();
    });

    test('EXAMINE is READ-ONLY: no permanent flags, STORE refused with [READ-ONLY], FETCH BODY[] does not set \\Seen', async () => {
      const user = await server.createUser('examine');
      await server.deliver(user.id, plainMessage(1));
      const client = await RawImapClient.login(server, user.address);
      const responses = await client.command('e1 EXAMINE INBOX');
      assert.ok(responses.includes('* 1 EXISTS'), responses.join('\n'));
      assert.ok(responses.includes('* OK [PERMANENTFLAGS ()] read-only mailbox'), responses.join('\n'));
      assert.match(tagged(responses), /^e1 OK \[READ-ONLY\] /);
      assert.match(tagged(await client.command('e2 STORE 1 +FLAGS (\\Flagged)')), /^e2 NO \[READ-ONLY\] /);
      assert.match(tagged(await client.command('e3 EXPUNGE')), /^e3 NO \[READ-ONLY\] /);
      const fetched = await client.command('e4 FETCH 1 (BODY[] FLAGS)');
      assert.match(fetched[0] ?? '', /FLAGS \(\)/);
      assert.equal((await server.messages(user.id, 'INBOX'))[0]?.flags, '[]');
      client.destroy();
    });

    test('FETCH of a Japanese message: ENVELOPE keeps the encoded words, BODY[1.MIME], HEADER.FIELDS, a partial and BINARY of the base64 part', async () => {
      const user = await server.createUser('fetch');
      await server.deliver(user.id, meetingMessage());
      const client = await selected(server, user.address);
      const subject = '"=?ISO-2022-JP?B?GyRCMnE1RCROO3FOQRsoQg==?="';
      const suzuki = '(("=?ISO-2022-JP?B?GyRCTmtMWhsoQg==?=" NIL "suzuki" "example.net"))';
      const envelope = await client.command('f1 FETCH 1 (ENVELOPE)');
      assert.equal(
        envelope[0],
        // RFC 9051 §7.5.2: Sender and Reply-To default to From.
        `* 1 FETCH (ENVELOPE ("Thu, 9 Jan 2025 11:00:00 +0900" ${subject} ${suzuki} ${suzuki} ${suzuki} ((NIL NIL "taro" "example.com")) NIL NIL NIL "<meeting-1@example.net>"))`,
      );
      const mime = await client.command(
        'f2 FETCH 1 (BODY.PEEK[1.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])',
      );
      const partHeader =
        'Content-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n';
      const fields =
        'From: =?ISO-2022-JP?B?GyRCTmtMWhsoQg==?= <suzuki@example.net>\r\n' +
        'Subject: =?ISO-2022-JP?B?GyRCMnE1RCROO3FOQRsoQg==?=\r\n\r\n';
      assert.equal(
        mime[0],
        `* 1 FETCH (BODY[1.MIME] {${partHeader.length}}\r\n${partHeader} BODY[HEADER.FIELDS (SUBJECT FROM)] {${fields.length}}\r\n${fields})`,
      );
      const partial = await client.command('f3 FETCH 1 (BODY.PEEK[]<0.10> BODY.PEEK[]<20000.10>)');
      // RFC 9051 §6.4.5: a partial past the end is empty.
      assert.equal(partial[0], '* 1 FETCH (BODY[]<0> {10}\r\nFrom: =?IS BODY[]<20000> {0}\r\n)');
      // RFC 3516: the base64 part decoded; NUL inside, so a literal8.
      const binary = await client.command('f4 FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2])');
      assert.equal(
        binary[0],
        `* 1 FETCH (BINARY[2] ~{${ATTACHMENT.length}}\r\n${ATTACHMENT.toString('latin1')} BINARY.SIZE[2] ${ATTACHMENT.length})`,
      );
      assertOk(binary, 'f4');
      // None of these set \Seen.
      assert.deepEqual(await client.command('f5 FETCH 1 (FLAGS)'), [
        '* 1 FETCH (FLAGS ())',
        'f5 OK FETCH completed',
      ]);
      client.destroy();
    });

    test('imaplib: BODY.PEEK[] is byte-identical to what was delivered (SHA-256) with the exact RFC822.SIZE and leaves \\Seen alone; BODY[] then sets it', async () => {
      const user = await server.createUser('bytes');
      const delivered = await server.deliver(user.id, meetingMessage());
      const result = (await imaplib(
        server,
        `
        def parts(data):
            # [text, base64 of the literal or None]: the bytes intact through JSON.
            out = []
            for item in data:
                if isinstance(item, tuple):
                    out.append([item[0].decode('latin1'), base64.b64encode(item[1]).decode('ascii')])
                else:
                    out.append([item.decode('latin1'), None])
            return out
        conn = login()
        conn.select('INBOX')
        peek = parts(conn.fetch('1', '(RFC822.SIZE BODY.PEEK[] BODY.PEEK[1])')[1])
        flags_after_peek = conn.fetch('1', '(FLAGS)')[1]
        read = parts(conn.fetch('1', '(BODY[])')[1])
        flags_after_read = conn.fetch('1', '(FLAGS)')[1]
        result = [peek, flags_after_peek, read, flags_after_read]
        `,
        { user: user.address },
      )) as [FetchParts, string[], FetchParts, string[]];
      const [peek, flagsAfterPeek, read, flagsAfterRead] = result;
      const message = meetingMessage();
      const body = literalAfter(peek, 'BODY[]');
      assert.equal(sha256(body), sha256(message));
      assert.equal(sha256(body), delivered.sha256);
      assert.match(peek[0]?.[0] ?? '', new RegExp(`RFC822\\.SIZE ${message.length} `));
      // The Shift_JIS text part as sent: 8bit octets, 0x5C inside 十 included.
      assert.equal(
        literalAfter(peek, 'BODY[1]').toString('hex'),
        '96be93fa82cc89ef8b6382cd8f5c8e9e82a982e782c582b781428e9197bf82f09359957482b582dc82b78142',
      );
      assert.deepEqual(flagsAfterPeek, ['1 (FLAGS ())']);
      assert.ok(literalAfter(read, 'BODY[]').equals(message));
      // RFC 9051 §6.4.5: the FETCH that sets \Seen carries the new FLAGS.
      assert.ok(
        read.some(([text]) => text.includes('FLAGS (\\Seen)')),
        JSON.stringify(read),
      );
      assert.deepEqual(flagsAfterRead, ['1 (FLAGS (\\Seen))']);
      assert.equal((await server.messages(user.id, 'INBOX'))[0]?.flags, '["\\\\Seen"]');
    });

    test('SEARCH CHARSET UTF-8 SUBJECT and BODY find Japanese text in ISO-2022-JP words and Shift_JIS bodies (imaplib literals)', async () => {
      const user = await server.createUser('search');
      await server.deliver(user.id, meetingMessage());
      await server.deliver(user.id, japaneseMessage());
      await server.deliver(user.id, japaneseUtf8Message());
      await server.deliver(user.id, plainMessage(4));
      const result = await imaplib(
        server,
        `
        conn = login()
        conn.select('INBOX')
        def search(key, value):
            conn.literal = value.encode('utf-8')
            return conn.search('UTF-8', key)[1][0]
        result = [
            search('SUBJECT', '会議'),
            search('BODY', '十時'),
            search('BODY', '週報'),
            search('SUBJECT', '予定'),
            search('FROM', '鈴木'),
            search('TEXT', '存在しない言葉'),
            conn.uid('SEARCH', 'CHARSET', 'UTF-8', 'SUBJECT', 'plain')[1][0],
        ]
        `,
        { user: user.address },
      );
      assert.deepEqual(result, ['1', '1 2', '3', '2', '1', '', '4']);
    });

    test('SEARCH RETURN (MIN MAX COUNT ALL SAVE) answers ESEARCH and FETCH $ uses the saved result; UID SEARCH answers UIDs', async () => {
      const user = await server.createUser('esearch');
      await server.deliver(user.id, plainMessage(0), 'INBOX', { flags: ['\\Deleted'] });
      for (let i = 1; i <= 5; i++) {
        await server.deliver(user.id, plainMessage(i), 'INBOX', { flags: i % 2 === 0 ? [] : ['\\Flagged'] });
      }
      const client = await selected(server, user.address);
      // UIDs are one above the sequence numbers once message 1 is gone.
      assert.deepEqual(await client.command('r0 EXPUNGE'), ['* 1 EXPUNGE', 'r0 OK EXPUNGE completed']);
      assert.deepEqual(await client.command('r1 SEARCH RETURN (MIN MAX COUNT ALL SAVE) FLAGGED'), [
        '* ESEARCH (TAG "r1") MIN 1 MAX 5 ALL 1,3,5 COUNT 3',
        'r1 OK SEARCH completed',
      ]);
      assert.deepEqual(await client.command('r2 FETCH $ (UID)'), [
        '* 1 FETCH (UID 2)',
        '* 3 FETCH (UID 4)',
        '* 5 FETCH (UID 6)',
        'r2 OK FETCH completed',
      ]);
      assert.deepEqual(await client.command('r3 UID SEARCH UNFLAGGED'), [
        '* SEARCH 3 5',
        'r3 OK SEARCH completed',
      ]);
      assert.deepEqual(await client.command('r4 UID SEARCH RETURN (COUNT) SUBJECT "message 3"'), [
        '* ESEARCH (TAG "r4") UID COUNT 1',
        'r4 OK SEARCH completed',
      ]);
      assert.deepEqual(await client.command('r5 SEARCH NOT SUBJECT "message"'), [
        '* SEARCH',
        'r5 OK SEARCH completed',
      ]);
      client.destroy();
    });

    test('SORT by SUBJECT (base subject, "Re:" ignored) and by REVERSE DATE; THREAD REFERENCES nests a reply chain', async () => {
      const user = await server.createUser('sort');
      const mails = [
        threadMail({
          subject: 'Lunch plans',
          date: 'Mon, 6 Jan 2025 09:00:00 +0900',
          messageId: 'root@example.net',
        }),
        threadMail({
          subject: 'Re: Lunch plans',
          date: 'Mon, 6 Jan 2025 10:00:00 +0900',
          messageId: 'reply-1@example.net',
          inReplyTo: 'root@example.net',
          references: ['root@example.net'],
        }),
        threadMail({
          subject: 'Budget',
          date: 'Tue, 7 Jan 2025 09:00:00 +0900',
          messageId: 'budget@example.net',
        }),
        threadMail({
          subject: 'Re: Re: Lunch plans',
          date: 'Mon, 6 Jan 2025 11:00:00 +0900',
          messageId: 'reply-2@example.net',
          inReplyTo: 'reply-1@example.net',
          references: ['root@example.net', 'reply-1@example.net'],
        }),
        threadMail({
          subject: 'Re: Lunch plans',
          date: 'Mon, 6 Jan 2025 12:00:00 +0900',
          messageId: 'reply-3@example.net',
          inReplyTo: 'root@example.net',
          references: ['root@example.net'],
        }),
        threadMail({
          subject: 'Agenda',
          date: 'Sun, 5 Jan 2025 09:00:00 +0900',
          messageId: 'agenda@example.net',
        }),
      ];
      for (const mail of mails) await server.deliver(user.id, mail);
      const client = await selected(server, user.address);
      assert.deepEqual(await client.command('o1 SORT (SUBJECT) UTF-8 ALL'), [
        '* SORT 6 3 1 2 4 5',
        'o1 OK SORT completed',
      ]);
      assert.deepEqual(await client.command('o2 SORT (REVERSE DATE) UTF-8 ALL'), [
        '* SORT 3 5 4 2 1 6',
        'o2 OK SORT completed',
      ]);
      assert.deepEqual(await client.command('o3 UID SORT (SUBJECT REVERSE DATE) UTF-8 NOT SUBJECT Agenda'), [
        '* SORT 3 5 4 2 1',
        'o3 OK SORT completed',
      ]);
      // RFC 5256 §4: 4 answers 2, which answers 1; 5 answers 1; children in date order.
      assert.deepEqual(await client.command('o4 THREAD REFERENCES UTF-8 ALL'), [
        '* THREAD (6)(1 (2 4)(5))(3)',
        'o4 OK THREAD completed',
      ]);
      client.destroy();
    });
    test('STORE +FLAGS, -FLAGS and FLAGS answer the new flags, .SILENT answers nothing; keywords are kept', async () => {
      const user = await server.createUser('store');
      await server.deliver(user.id, plainMessage(1));
      await server.deliver(user.id, plainMessage(2));
      const client = await selected(server, user.address);
      assert.deepEqual(await client.command('t1 STORE 1:2 +FLAGS (\\Flagged $Work)'), [
        '* 1 FETCH (FLAGS ($Work \\Flagged))',
        '* 2 FETCH (FLAGS ($Work \\Flagged))',
        't1 OK STORE completed',
      ]);
      assert.deepEqual(await client.command('t2 STORE 2 -FLAGS ($Work)'), [
        '* 2 FETCH (FLAGS (\\Flagged))',
        't2 OK STORE completed',
      ]);
      assert.deepEqual(await client.command('t3 STORE 1 FLAGS.SILENT (\\Answered Urgent)'), [
        't3 OK STORE completed',
      ]);
      assert.deepEqual(await client.command('t4 UID STORE 2 FLAGS (\\Seen)'), [
        '* 2 FETCH (UID 2 FLAGS (\\Seen))',
        't4 OK STORE completed',
      ]);
      assert.deepEqual(
        (await server.messages(user.id, 'INBOX')).map((row) => JSON.parse(row.flags) as string[]),
        [['Urgent', '\\Answered'], ['\\Seen']],
      );
      // A keyword once used is offered in FLAGS at the next SELECT.
      const again = await client.command('t5 SELECT INBOX');
      assert.match(untagged(again, 'FLAGS ')[0] ?? '', /\bUrgent\b/);
      client.destroy();
    });

    test('STORE (UNCHANGEDSINCE m) changes only messages not modified since m and names the others in [MODIFIED]; with CONDSTORE on, every FETCH response carries UID and MODSEQ', async () => {
      const user = await server.createUser('condstore');
      for (let i = 1; i <= 3; i++) await server.deliver(user.id, plainMessage(i));
      const client = await selected(server, user.address);
      // FETCH with MODSEQ turns CONDSTORE on (RFC 7162 §3.1).
      const modseqs = await client.command('c1 FETCH 1:3 (MODSEQ)');
      const before = modseqs.slice(0, 3).map((line) => Number(/MODSEQ \((\d+)\)/.exec(line)?.[1]));
      assert.equal(before.length, 3);
      const since = Math.max(...before);
      const changed = await client.command('c2 STORE 2 +FLAGS (\\Seen)');
      const changedModseq = Number(/MODSEQ \((\d+)\)/.exec(changed[0] ?? '')?.[1]);
      assert.match(changed[0] ?? '', /^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
      assert.ok(changedModseq > since);
      const conditional = await client.command(`c3 STORE 1:3 (UNCHANGEDSINCE ${since}) +FLAGS (\\Answered)`);
      assert.equal(conditional.length, 3, conditional.join('\n'));
      assert.match(conditional[0] ?? '', /^\* 1 FETCH \(UID 1 FLAGS \(\\Answered\) MODSEQ \((\d+)\)\)$/);
      assert.match(conditional[1] ?? '', /^\* 3 FETCH \(UID 3 FLAGS \(\\Answered\) MODSEQ \((\d+)\)\)$/);
      assert.equal(conditional[2], 'c3 OK [MODIFIED 2] conditional STORE failed for some messages');
      // UID STORE names UIDs in MODIFIED.
      assert.match(
        tagged(await client.command(`c4 UID STORE 1:3 (UNCHANGEDSINCE ${since}) -FLAGS (\\Answered)`)),
        /^c4 OK \[MODIFIED 1:3\] /,
      );
      const rows = await server.messages(user.id, 'INBOX');
      assert.deepEqual(
        rows.map((row) => row.flags),
        ['["\\\\Answered"]', '["\\\\Seen"]', '["\\\\Answered"]'],
      );
      // A FETCH that sets \Seen answers FLAGS, and with CONDSTORE on, UID and MODSEQ (RFC 7162 §3.1).
      const read = await client.command('c5 FETCH 3 (BODY[HEADER.FIELDS (SUBJECT)])');
      assert.match(
        read[0] ?? '',
        /^\* 3 FETCH \(BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{28\}\r\nSubject: plain message 3\r\n\r\n /,
      );
      assert.match(read[0] ?? '', / FLAGS \(\\Answered \\Seen\) UID 3 MODSEQ \((\d+)\)\)$/);
      assert.ok(numberAfter(read, 'MODSEQ') > changedModseq);
      client.destroy();
    });

    test('COPY answers COPYUID and keeps the source; MOVE answers COPYUID in an untagged OK, then EXPUNGE', async () => {
      const user = await server.createUser('copy');
      for (let i = 1; i <= 3; i++)
        await server.deliver(user.id, plainMessage(i), 'INBOX', { flags: ['$Label'] });
      const archive = await server.mailbox(user.id, 'Archive');
      const trash = await server.mailbox(user.id, 'Trash');
      assert.ok(archive && trash);
      const client = await selected(server, user.address);
      assert.deepEqual(await client.command('m1 COPY 2:3 Archive'), [
        `m1 OK [COPYUID ${Number(archive.uid_validity)} 2:3 1:2] COPY completed`,
      ]);
      const copies = await server.messages(user.id, 'Archive');
      assert.deepEqual(
        copies.map((row) => [Number(row.uid), row.flags]),
        [
          [1, '["$Label"]'],
          [2, '["$Label"]'],
        ],
      );
      assert.equal((await server.messages(user.id, 'INBOX')).length, 3);
      assert.deepEqual(await client.command('m2 MOVE 1 Trash'), [
        `* OK [COPYUID ${Number(trash.uid_validity)} 1 1] moved`,
        '* 1 EXPUNGE',
        'm2 OK MOVE completed',
      ]);
      assert.deepEqual(
        (await server.messages(user.id, 'INBOX')).map((row) => Number(row.uid)),
        [2, 3],
      );
      assert.equal((await server.messages(user.id, 'Trash'))[0]?.subject, 'plain message 1');
      assert.deepEqual(await client.command('m3 UID MOVE 3 Trash'), [
        `* OK [COPYUID ${Number(trash.uid_validity)} 3 2] moved`,
        '* 2 EXPUNGE',
        'm3 OK MOVE completed',
      ]);
      assert.match(tagged(await client.command('m4 COPY 1 Nowhere')), /^m4 NO \[TRYCREATE\] /);
      client.destroy();
    });

    test('UID EXPUNGE removes only the named messages that are \\Deleted; CLOSE expunges silently and leaves the selected state', async () => {
      const user = await server.createUser('expunge');
      for (let i = 1; i <= 4; i++)
        await server.deliver(user.id, plainMessage(i), 'INBOX', { flags: ['\\Deleted'] });
      await server.deliver(user.id, plainMessage(5));
      const client = await selected(server, user.address);
      // 1 and 2 are named and deleted; 5 is named but not deleted.
      assert.deepEqual(await client.command('x1 UID EXPUNGE 1:2,5'), [
        '* 2 EXPUNGE',
        '* 1 EXPUNGE',
        'x1 OK UID EXPUNGE completed',
      ]);
      assert.deepEqual(
        (await server.messages(user.id, 'INBOX')).map((row) => Number(row.uid)),
        [3, 4, 5],
      );
      assert.deepEqual(await client.command('x2 CLOSE'), ['x2 OK CLOSE completed']);
      assert.deepEqual(
        (await server.messages(user.id, 'INBOX')).map((row) => Number(row.uid)),
        [5],
      );
      assert.match(tagged(await client.command('x3 FETCH 1 (FLAGS)')), /^x3 BAD .*select a mailbox first/);
      client.destroy();
    });

    test('imaplib APPEND with flags and a date answers APPENDUID, and FETCH gives the message back as appended', async () => {
      const user = await server.createUser('append');
      const inbox = await server.mailbox(user.id, 'INBOX');
      assert.ok(inbox);
      const result = (await imaplib(
        server,
        `
        import hashlib
        conn = login()
        message = base64.b64decode(${JSON.stringify(meetingMessage().toString('base64'))})
        appended = conn.append('INBOX', '(\\\\Seen $Work)', '"14-Jan-2025 10:00:00 +0900"', message)
        conn.select('INBOX')
        uid = appended[1][0].split()[2].rstrip(b']').decode('ascii')
        typ, data = conn.uid('FETCH', uid, '(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])')
        result = [appended[0], text(appended[1][0]), text(data[0][0]), hashlib.sha256(data[0][1]).hexdigest()]
        `,
        { user: user.address },
      )) as string[];
      const [status, appendText, fetchText, hash] = result;
      assert.equal(status, 'OK');
      assert.equal(appendText, `[APPENDUID ${Number(inbox.uid_validity)} 1] APPEND completed`);
      assert.match(fetchText ?? '', /FLAGS \(\$Work \\Seen\)/);
      // RFC 9051 §2.3.3: the date the client gave, told back in UTC.
      assert.match(fetchText ?? '', /INTERNALDATE "14-Jan-2025 01:00:00 \+0000"/);
      assert.match(fetchText ?? '', new RegExp(`RFC822\\.SIZE ${meetingMessage().length} `));
      assert.equal(hash, sha256(meetingMessage()));
    });

    test('APPEND over APPENDLIMIT is refused with NO [TOOBIG] before the literal is sent; the session goes on', async () => {
      const user = await server.createUser('toobig');
      const client = await RawImapClient.login(server, user.address);
      const limit = Number(/APPENDLIMIT=(\d+)/.exec((await client.command('b0 CAPABILITY'))[0] ?? '')?.[1]);
      assert.ok(limit > 0);
      client.write(`b1 APPEND INBOX (\\Seen) {${limit + 1}}\r\n`);
      // No "+" continuation: the tagged refusal comes first.
      assert.match(await client.line(), /^b1 NO \[TOOBIG\] /);
      assertOk(await client.command('b2 NOOP'), 'b2');
      const atLimit = Buffer.alloc(200, 'x');
      client.write(`b3 APPEND INBOX {${atLimit.length}}\r\n`);
      assert.equal(await client.line(), '+ Ready for literal data');
      client.write(Buffer.concat([atLimit, Buffer.from('\r\n')]));
      assert.match(await client.line(), /^b3 OK \[APPENDUID \d+ 1\] /);
      client.destroy();
    });

    test('APPEND over the quota is NO [OVERQUOTA]; APPEND to a missing mailbox is NO [TRYCREATE]', async () => {
      const user = await server.createUser('quota');
      await server.setQuota(user.address, 1024);
      await server.deliver(user.id, plainMessage(1));
      const client = await RawImapClient.login(server, user.address);
      const big = Buffer.alloc(900, 'y');
      assert.match(
        tagged(await client.command(`q1 APPEND INBOX {${big.length}+}\r\n${big.toString('latin1')}`)),
        /^q1 NO \[OVERQUOTA\] /,
      );
      const small = plainMessage(2);
      assert.match(
        tagged(await client.command(`q2 APPEND Nowhere {${small.length}+}\r\n${small.toString('latin1')}`)),
        /^q2 NO \[TRYCREATE\] /,
      );
      assert.equal((await server.messages(user.id, 'INBOX')).length, 1);
      client.destroy();
    });
  });
}

// The reader and the parser do no I/O with the store: once, on SQLite.
describe('IMAP on malformed input', () => {
  let server: ImapTestServer;
  let address: string;
  before(async () => {
    server = await startImapServer();
    const user = await server.createUser('raw');
    address = user.address;
    await server.deliver(user.id, plainMessage(1));
  });
  after(async () => {
    await server.stop();
  });

  test('garbage, an unknown command and a bad sequence set are BAD with their tag; a line without a tag is "* BAD"; the session goes on', async () => {
    const client = await selected(server, address);
    assert.match(tagged(await client.command('g1 FROBNICATE now')), /^g1 BAD unknown command FROBNICATE/);
    assert.match(tagged(await client.command('g2 FETCH 0:x (FLAGS)')), /^g2 BAD .*sequence set/);
    assert.match(tagged(await client.command('g3 FETCH 1,,2 (FLAGS)')), /^g3 BAD /);
    assert.match(tagged(await client.command('g4 FETCH 1 (FLAGS')), /^g4 BAD /);
    assert.match(tagged(await client.command('g5 STORE 1 +FLAGS (\\Bogus')), /^g5 BAD /);
    assert.match(tagged(await client.command('g6 SELECT')), /^g6 BAD /);
    assert.match(tagged(await client.command('g7 SEARCH SUBJECT')), /^g7 BAD /);
    // No tag the server can read: the answer is untagged.
    for (const line of ['', '   ', '(((', '"quoted" NOOP']) {
      client.write(`${line}\r\n`);
      assert.match(await client.line(), /^\* BAD /, JSON.stringify(line));
    }
    assert.deepEqual(await client.command('g8 NOOP'), ['g8 OK NOOP completed']);
    assert.deepEqual(await client.command('g9 FETCH 1 (UID)'), [
      '* 1 FETCH (UID 1)',
      'g9 OK FETCH completed',
    ]);
    client.destroy();
  });

  test('a hostile synchronising literal size is refused at once, without a "+" and without reading it', async () => {
    const client = await RawImapClient.login(server, address);
    client.write('h1 LOGIN {99999999999}\r\n');
    assert.match(await client.line(), /^h1 BAD \[TOOBIG\] /);
    client.write('h2 APPEND INBOX {99999999999999999999}\r\n');
    assert.match(await client.line(), /^h2 (NO|BAD) \[TOOBIG\] /);
    // Had the server waited for those octets, this would not be answered.
    assert.deepEqual(await client.command('h3 NOOP'), ['h3 OK NOOP completed']);
    client.destroy();
  });

  test('a huge non-synchronising literal cannot be skipped: BAD [TOOBIG], then BYE and the connection closes', async () => {
    const client = await RawImapClient.login(server, address);
    client.write('n1 APPEND INBOX {99999999999+}\r\nFrom: someone\r\n');
    assert.match(await client.line(), /^n1 BAD \[TOOBIG\] /);
    assert.match(await client.line(), /^\* BYE /);
    await client.closed;
  });

  test('too many bad commands in a row end the session with BYE', async () => {
    const client = await RawImapClient.login(server, address);
    // DEFAULT_IMAP_TUNING.maxBadCommands: 20; a good command in between starts the count again.
    for (let i = 0; i < 19; i++) assert.match(tagged(await client.command(`z${i} XYZZY`)), /BAD/);
    assert.deepEqual(await client.command('ok NOOP'), ['ok OK NOOP completed']);
    for (let i = 0; i < 19; i++) assert.match(tagged(await client.command(`y${i} XYZZY`)), /BAD/);
    client.write('last XYZZY\r\n');
    assert.match(await client.line(), /^last BAD /);
    assert.match(await client.line(), /^\* BYE too many bad commands/);
    await client.closed;
  });
});
