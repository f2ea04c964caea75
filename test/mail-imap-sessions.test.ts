import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMailServer, smtpDeliver, type MailServer } from './support/imap-clients.ts';
import { PASSWORD, plainMessage, RawImapClient } from './support/imap.ts';
import { RawPop3Client } from './support/pop3.ts';

/**
 * Several sessions on one mailbox (RFC 9051 §5.2, §7.5.1; RFC 2177 IDLE;
 * RFC 7162 CONDSTORE and QRESYNC), on a whole server: mail comes in over
 * SMTP, POP3 deletes, and every session hears of it through the event bus.
 */

function tagged(responses: string[]): string {
  return responses.at(-1) ?? '';
}

function assertOk(responses: string[], tag: string): void {
  assert.ok(tagged(responses).startsWith(`${tag} OK`), responses.join('\n'));
}

/** The first number after `name` in the responses: numberAfter(lines, 'UIDVALIDITY'), 'MODSEQ (n)' too. */
function numberAfter(responses: string[], name: string): number {
  for (const line of responses) {
    const match = new RegExp(`${name} \\(?(\\d+)`).exec(line);
    if (match) return Number(match[1]);
  }
  throw new Error(`no ${name} in ${responses.join('\n')}`);
}

async function selected(server: MailServer, address: string): Promise<RawImapClient> {
  const client = await RawImapClient.login(server, address, PASSWORD);
  assertOk(await client.command('s1 SELECT INBOX'), 's1');
  return client;
}

/** Starts IDLE: the "+" continuation is read before anything else may happen. */
async function idle(client: RawImapClient, tag = 'idle'): Promise<void> {
  client.write(`${tag} IDLE\r\n`);
  assert.match(await client.line(), /^\+ /);
}

async function done(client: RawImapClient, tag = 'idle'): Promise<void> {
  client.write('DONE\r\n');
  assert.equal(await client.line(), `${tag} OK IDLE terminated`);
}

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`IMAP sessions side by side [${database}]`, () => {
    let server: MailServer;
    let count = 0;
    const newUser = () => server.createUser(`sessions${++count}`);
    before(async () => {
      server = await startMailServer({ database });
    });
    after(async () => {
      await server.stop();
    });

    test("B in IDLE hears of mail delivered over SMTP (EXISTS), of flags A stores (FETCH) and of A's EXPUNGE", async () => {
      const user = await newUser();
      const a = await selected(server, user.address);
      const b = await selected(server, user.address);
      await idle(b);
      await smtpDeliver(server, user.address, plainMessage(1));
      assert.equal(await b.line(), '* 1 EXISTS');
      await smtpDeliver(server, user.address, plainMessage(2));
      assert.equal(await b.line(), '* 2 EXISTS');
      assert.deepEqual(await a.command('a1 NOOP'), ['* 2 EXISTS', 'a1 OK NOOP completed']);
      assertOk(await a.command('a2 STORE 2 +FLAGS (\\Flagged)'), 'a2');
      assert.equal(await b.line(), '* 2 FETCH (UID 2 FLAGS (\\Flagged))');
      assertOk(await a.command('a3 STORE 1 +FLAGS.SILENT (\\Deleted)'), 'a3');
      assert.equal(await b.line(), '* 1 FETCH (UID 1 FLAGS (\\Deleted))');
      assert.deepEqual(await a.command('a4 EXPUNGE'), ['* 1 EXPUNGE', 'a4 OK EXPUNGE completed']);
      assert.equal(await b.line(), '* 1 EXPUNGE');
      await done(b);
      assert.deepEqual(await b.command('b1 FETCH 1 (UID FLAGS)'), [
        '* 1 FETCH (UID 2 FLAGS (\\Flagged))',
        'b1 OK FETCH completed',
      ]);
      a.destroy();
      b.destroy();
    });

    test('B, not idling, gets no EXPUNGE while answering FETCH by sequence number (RFC 9051 §7.5.1), but at its next NOOP', async () => {
      const user = await newUser();
      for (let i = 1; i <= 3; i++) await smtpDeliver(server, user.address, plainMessage(i));
      const a = await selected(server, user.address);
      const b = await selected(server, user.address);
      assertOk(await a.command('a1 STORE 2 +FLAGS.SILENT (\\Deleted)'), 'a1');
      assert.deepEqual(await a.command('a2 EXPUNGE'), ['* 2 EXPUNGE', 'a2 OK EXPUNGE completed']);
      for (const fetch of [
        'b1 FETCH 1:3 (UID FLAGS)',
        'b2 FETCH 1:* (RFC822.SIZE)',
        'b3 STORE 3 +FLAGS (\\Seen)',
        'b4 SEARCH ALL',
      ]) {
        const responses = await b.command(fetch);
        assert.ok(!responses.some((line) => / EXPUNGE$/.test(line)), responses.join('\n'));
        assert.match(tagged(responses), /^b\d OK /, responses.join('\n'));
      }
      // Message 2 still counts for B's numbers until it is told.
      assert.ok((await b.command('b5 SEARCH ALL')).includes('* SEARCH 1 3'));
      assert.deepEqual(await b.command('b6 NOOP'), ['* 2 EXPUNGE', 'b6 OK NOOP completed']);
      assert.deepEqual(await b.command('b7 FETCH 2 (UID FLAGS)'), [
        '* 2 FETCH (UID 3 FLAGS (\\Seen))',
        'b7 OK FETCH completed',
      ]);
      a.destroy();
      b.destroy();
    });

    test('every session sees the same UIDVALIDITY, and mod-sequences only go up', async () => {
      const user = await newUser();
      await smtpDeliver(server, user.address, plainMessage(1));
      await smtpDeliver(server, user.address, plainMessage(2));
      const seen: number[] = [];
      const first = await RawImapClient.login(server, user.address);
      const firstSelect = await first.command('f1 SELECT INBOX');
      const uidValidity = numberAfter(firstSelect, 'UIDVALIDITY');
      seen.push(numberAfter(firstSelect, 'HIGHESTMODSEQ'));
      const second = await RawImapClient.login(server, user.address);
      const secondSelect = await second.command('g1 EXAMINE INBOX');
      assert.equal(numberAfter(secondSelect, 'UIDVALIDITY'), uidValidity);
      assert.equal(numberAfter(secondSelect, 'HIGHESTMODSEQ'), seen[0]);
      for (const [tag, change] of [
        ['f2', 'STORE 1 +FLAGS (\\Seen)'],
        ['f3', 'STORE 1 -FLAGS (\\Seen)'],
        ['f4', 'STORE 2 +FLAGS (\\Deleted)'],
        ['f5', 'EXPUNGE'],
      ] as const) {
        assertOk(await first.command(`${tag} ${change}`), tag);
        await smtpDeliver(server, user.address, plainMessage(Number(tag.slice(1)) + 10));
        const fresh = await RawImapClient.login(server, user.address);
        const responses = await fresh.command('h1 EXAMINE INBOX');
        assert.equal(numberAfter(responses, 'UIDVALIDITY'), uidValidity);
        seen.push(numberAfter(responses, 'HIGHESTMODSEQ'));
        fresh.destroy();
      }
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i]! > seen[i - 1]!, `HIGHESTMODSEQ went ${seen.join(' → ')}`);
      // The per-message mod-sequences second reads are never above the mailbox's.
      const modseqs = await second.command('g2 FETCH 1:* (MODSEQ)');
      const values = modseqs
        .filter((line) => line.includes(' FETCH ('))
        .map((line) => numberAfter([line], 'MODSEQ'));
      assert.ok(values.length > 0 && Math.max(...values) <= seen.at(-1)!, modseqs.join('\n'));
      first.destroy();
      second.destroy();
    });

    test('a POP3 deletion (DELE, QUIT) shows up as EXPUNGE in an IMAP session in IDLE', async () => {
      const user = await newUser();
      for (let i = 1; i <= 2; i++) await smtpDeliver(server, user.address, plainMessage(i));
      const imap = await selected(server, user.address);
      await idle(imap);
      const pop = await RawPop3Client.connect(
        { pop3: server.pop3s, pop3s: server.pop3s, ca: server.ca },
        { tls: true },
      );
      assert.match(await pop.line(), /^\+OK/);
      assert.match(await pop.command(`USER ${user.address}`), /^\+OK/);
      assert.match(await pop.command(`PASS ${PASSWORD}`), /^\+OK/);
      assert.match(await pop.command('DELE 1'), /^\+OK/);
      assert.match(await pop.command('QUIT'), /^\+OK/);
      assert.equal(await imap.line(), '* 1 EXPUNGE');
      await done(imap);
      assert.deepEqual(await imap.command('i1 FETCH 1:* (UID)'), [
        '* 1 FETCH (UID 2)',
        'i1 OK FETCH completed',
      ]);
      imap.destroy();
    });

    test('CONDSTORE: FETCH (FLAGS) (CHANGEDSINCE n) reports only what another session changed after n, with MODSEQ', async () => {
      const user = await newUser();
      for (let i = 1; i <= 3; i++) await smtpDeliver(server, user.address, plainMessage(i));
      const a = await RawImapClient.login(server, user.address);
      const highest = numberAfter(await a.command('a1 SELECT INBOX (CONDSTORE)'), 'HIGHESTMODSEQ');
      const b = await selected(server, user.address);
      assertOk(await b.command('b1 STORE 2 +FLAGS (\\Answered)'), 'b1');
      const changed = await a.command(`a4 FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`);
      const fetches = changed.filter((line) => line.startsWith('* '));
      assert.equal(fetches.length, 1, changed.join('\n'));
      assert.match(fetches[0] ?? '', /^\* 2 FETCH \(.*FLAGS \(\\Answered\).*MODSEQ \((\d+)\)/);
      assert.ok(numberAfter(fetches, 'MODSEQ') > highest);
      assert.deepEqual(
        await a.command(`a5 FETCH 1:* (FLAGS) (CHANGEDSINCE ${numberAfter(fetches, 'MODSEQ')})`),
        ['a5 OK FETCH completed'],
      );
      a.destroy();
      b.destroy();
    });

    test('QRESYNC: SELECT (QRESYNC (uidvalidity modseq)) answers VANISHED (EARLIER) and the changed flags; UID FETCH (CHANGEDSINCE n VANISHED) too; expunges arrive as VANISHED', async () => {
      const user = await newUser();
      for (let i = 1; i <= 4; i++) await smtpDeliver(server, user.address, plainMessage(i));
      const cached = await RawImapClient.login(server, user.address);
      assert.deepEqual(await cached.command('c1 ENABLE QRESYNC'), [
        '* ENABLED QRESYNC',
        'c1 OK ENABLE completed',
      ]);
      const first = await cached.command('c2 SELECT INBOX');
      const uidValidity = numberAfter(first, 'UIDVALIDITY');
      const modseq = numberAfter(first, 'HIGHESTMODSEQ');
      cached.destroy();

      const other = await selected(server, user.address);
      assertOk(await other.command('o1 STORE 2 +FLAGS (\\Flagged)'), 'o1');
      assertOk(await other.command('o2 STORE 3 +FLAGS (\\Deleted)'), 'o2');
      assertOk(await other.command('o3 EXPUNGE'), 'o3');

      const resync = await RawImapClient.login(server, user.address);
      assertOk(await resync.command('r1 ENABLE QRESYNC'), 'r1');
      const selectedAgain = await resync.command(`r2 SELECT INBOX (QRESYNC (${uidValidity} ${modseq}))`);
      assert.ok(selectedAgain.includes('* VANISHED (EARLIER) 3'), selectedAgain.join('\n'));
      const flagged = selectedAgain.filter((line) => / FETCH /.test(line));
      assert.equal(flagged.length, 1, selectedAgain.join('\n'));
      assert.match(flagged[0] ?? '', /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/);
      assert.match(tagged(selectedAgain), /^r2 OK \[READ-WRITE\] /);

      const fetched = await resync.command(`r3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`);
      assert.equal(fetched[0], '* VANISHED (EARLIER) 3');
      assert.match(fetched[1] ?? '', /^\* 2 FETCH \(UID 2 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$/);
      assertOk(fetched, 'r3');
      // VANISHED without UID FETCH is refused (RFC 7162 §3.2.6).
      assert.match(
        tagged(await resync.command(`r4 FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq} VANISHED)`)),
        /^r4 BAD /,
      );

      // RFC 7162 §3.2.10: with QRESYNC on, another session's expunge is announced as VANISHED.
      assertOk(await other.command('o4 STORE 1 +FLAGS.SILENT (\\Deleted)'), 'o4');
      assertOk(await other.command('o5 EXPUNGE'), 'o5');
      const noop = await resync.command('r5 NOOP');
      assert.ok(noop.includes('* VANISHED 1'), noop.join('\n'));
      assert.ok(!noop.some((line) => / EXPUNGE$/.test(line)), noop.join('\n'));
      other.destroy();
      resync.destroy();
    });
  });
}
