import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mailboxPatternMatches } from '../src/mail/imap/commands/list.ts';
import { createFolder } from '../src/store/mailbox-folders.ts';
import { listMailboxes, mailUsage } from '../src/store/mailboxes.ts';
import {
  imaplib,
  japaneseMessage,
  japaneseUtf8Message,
  PASSWORD,
  plainMessage,
  RawImapClient,
  startImapServer,
  type ImapTestServer,
} from './support/imap.ts';

/**
 * Mailbox management end to end: CREATE, DELETE, RENAME, SUBSCRIBE, LIST
 * (LIST-EXTENDED, SPECIAL-USE, LIST-STATUS), LSUB, STATUS, NAMESPACE and
 * QUOTA, driven by python3's imaplib and by a raw client, on SQLite and
 * PostgreSQL.
 */

/** 日本語 and 台北 in modified UTF-7 (RFC 3501 §5.1.3's own example). */
const NIHONGO = '&ZeVnLIqe-';
const TAIPEI = '&U,BTFw-';
/** テスト */
const TESUTO = '&MMYwuTDI-';

type Reply = [string, Array<string | string[] | null>];

function tagged(responses: string[]): string {
  return responses.at(-1) ?? '';
}

function untagged(responses: string[], prefix: string): string[] {
  return responses.filter((line) => line.startsWith(`* ${prefix} `));
}

async function names(server: ImapTestServer, userId: number): Promise<string[]> {
  return (await listMailboxes(server.services.store.db, userId)).map((row) => row.name).sort();
}

function assertNoUnexpectedErrors(server: ImapTestServer): void {
  const errors = server.logLines().filter((line) => Number(line.level) >= 40);
  assert.deepEqual(errors, []);
}

describe('LIST patterns (RFC 9051 §6.3.9)', () => {
  test('"*" matches across levels, "%" stops at "/", other characters match exactly', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*', 'a/b/c', true],
      ['%', 'a', true],
      ['%', 'a/b', false],
      ['a/%', 'a/b', true],
      ['a/%', 'a/b/c', false],
      ['a/*', 'a/b/c', true],
      ['a/*', 'a', false],
      ['a*c', 'abc', true],
      ['a*c', 'a/b/c', true],
      ['a%c', 'a/c', false],
      ['%/%', 'x/y', true],
      ['Work', 'work', false],
      ['', '', true],
      ['*', '', true],
      ['日本*', '日本語/台北', true],
      ['日本%', '日本語/台北', false],
      ['**%%*', 'x/y/z', true],
    ];
    for (const [pattern, name, expected] of cases) {
      assert.equal(mailboxPatternMatches(pattern, name), expected, `${pattern} against ${name}`);
    }
  });

  test('the INBOX level matches in any case, and only that level', () => {
    assert.equal(mailboxPatternMatches('inbox', 'INBOX'), true);
    assert.equal(mailboxPatternMatches('InBox/%', 'INBOX/Lists'), true);
    assert.equal(mailboxPatternMatches('inbox/lists', 'INBOX/Lists'), false);
    assert.equal(mailboxPatternMatches('inbox', 'Inboxes'), false);
    assert.equal(mailboxPatternMatches('inb*', 'INBOX'), true);
  });

  test('many wildcards against a long name stay fast', () => {
    const started = Date.now();
    assert.equal(mailboxPatternMatches(`${'*a'.repeat(200)}b`, 'a'.repeat(500)), false);
    assert.ok(Date.now() - started < 1000);
  });
});

for (const database of ['sqlite', 'postgres'] as const) {
  describe(`IMAP mailbox management [${database}]`, () => {
    let server: ImapTestServer;
    before(async () => {
      server = await startImapServer({ database });
    });
    after(async () => {
      assertNoUnexpectedErrors(server);
      await server.stop();
    });

    test('CREATE makes missing parents and drops a trailing "/"; INBOX and existing names get NO [ALREADYEXISTS]', async () => {
      const user = await server.createUser('creator');
      const result = (await imaplib(
        server,
        `
        M = login()
        result = [
          M.create('Projects/2025/Q1'),
          M.create('Notes/'),
          M.create('inbox'),
          M.create('Projects/2025'),
          M.create('a//b'),
          M.create('"bad*name"'),
          M.logout(),
        ]
        `,
        { user: user.address },
      )) as Reply[];
      assert.deepEqual(result[0]?.[0], 'OK');
      assert.deepEqual(result[1]?.[0], 'OK');
      assert.match(String(result[2]?.[1][0]), /^\[ALREADYEXISTS\] /);
      assert.equal(result[2]?.[0], 'NO');
      assert.match(String(result[3]?.[1][0]), /^\[ALREADYEXISTS\] /);
      assert.deepEqual([result[4]?.[0], String(result[4]?.[1][0]).slice(0, 8)], ['NO', '[CANNOT]']);
      assert.deepEqual([result[5]?.[0], String(result[5]?.[1][0]).slice(0, 8)], ['NO', '[CANNOT]']);
      const all = await names(server, user.id);
      for (const name of ['Projects', 'Projects/2025', 'Projects/2025/Q1', 'Notes'])
        assert.ok(all.includes(name), name);
      assert.ok(!all.includes('Notes/'));
      assert.ok(!all.some((name) => name.toUpperCase() === 'INBOX' && name !== 'INBOX'));
    });

    test('CREATE … (USE (\\Archive)) keeps the special use; \\All, two attributes or unknown ones get NO [USEATTR]', async () => {
      const user = await server.createUser('specialuse');
      const client = await RawImapClient.login(server, user.address);
      assert.match(tagged(await client.command('c1 CREATE Old-Mail (USE (\\archive))')), /^c1 OK/);
      assert.match(tagged(await client.command('c2 CREATE Everything (USE (\\All))')), /^c2 NO \[USEATTR\] /);
      assert.match(
        tagged(await client.command('c3 CREATE Two (USE (\\Sent \\Trash))')),
        /^c3 NO \[USEATTR\] /,
      );
      assert.match(tagged(await client.command('c4 CREATE Odd (USE (\\Whatever))')), /^c4 NO \[USEATTR\] /);
      assert.match(tagged(await client.command('c5 CREATE Plain (USE ())')), /^c5 OK/);
      const rows = await listMailboxes(server.services.store.db, user.id);
      assert.equal(rows.find((row) => row.name === 'Old-Mail')?.special_use, '\\Archive');
      assert.equal(rows.find((row) => row.name === 'Plain')?.special_use, null);
      for (const name of ['Everything', 'Two', 'Odd'])
        assert.ok(!rows.some((row) => row.name === name), name);
      const listed = await client.command('l1 LIST "" "Old-Mail" RETURN (SPECIAL-USE)');
      assert.deepEqual(untagged(listed, 'LIST'), ['* LIST (\\HasNoChildren \\Archive) "/" Old-Mail']);
      client.destroy();
    });

    test('RENAME moves the children with it, keeps UIDs and UIDVALIDITY, and creates missing parents of the new name', async () => {
      const user = await server.createUser('renamer');
      const client = await RawImapClient.login(server, user.address);
      for (const name of ['Work/Reports/2024', 'Work/Plans', 'Workshop']) {
        assert.match(tagged(await client.command(`c CREATE ${name}`)), /^c OK/);
      }
      const delivered = await server.deliver(user.id, plainMessage(1), 'Work/Reports');
      const before = await server.mailbox(user.id, 'Work/Reports');
      assert.match(tagged(await client.command('r1 RENAME Work Job')), /^r1 OK/);
      assert.deepEqual(
        (await names(server, user.id)).filter((name) => /^(Work|Job)/.test(name)),
        ['Job', 'Job/Plans', 'Job/Reports', 'Job/Reports/2024', 'Workshop'],
      );
      const after = await server.mailbox(user.id, 'Job/Reports');
      assert.equal(after?.uid_validity, before?.uid_validity);
      const moved = await server.messages(user.id, 'Job/Reports');
      assert.deepEqual(
        moved.map((row) => [Number(row.uid), row.blob_sha256]),
        [[delivered.uid, delivered.sha256]],
      );
      assert.match(tagged(await client.command('r2 RENAME Job/Plans Later/Someday/Plans')), /^r2 OK/);
      const all = await names(server, user.id);
      for (const name of ['Later', 'Later/Someday', 'Later/Someday/Plans'])
        assert.ok(all.includes(name), name);
      assert.ok(!all.includes('Job/Plans'));
      client.destroy();
    });

    test('RENAME refuses: an existing target (ALREADYEXISTS), a missing source (NONEXISTENT), into itself and a default mailbox (CANNOT)', async () => {
      const user = await server.createUser('renamerefusals');
      const client = await RawImapClient.login(server, user.address);
      for (const name of ['A/x', 'B/x'])
        assert.match(tagged(await client.command(`c CREATE ${name}`)), /^c OK/);
      assert.match(tagged(await client.command('r1 RENAME A B')), /^r1 NO \[ALREADYEXISTS\] /);
      assert.match(tagged(await client.command('r2 RENAME A Trash')), /^r2 NO \[ALREADYEXISTS\] /);
      assert.match(tagged(await client.command('r3 RENAME A inbox')), /^r3 NO \[ALREADYEXISTS\] /);
      assert.match(tagged(await client.command('r4 RENAME Nothing Else')), /^r4 NO \[NONEXISTENT\] /);
      assert.match(tagged(await client.command('r5 RENAME A A/inner')), /^r5 NO \[CANNOT\] /);
      assert.match(tagged(await client.command('r6 RENAME Sent Outbox')), /^r6 NO \[CANNOT\] /);
      assert.match(tagged(await client.command('r7 RENAME A/x B')), /^r7 NO \[ALREADYEXISTS\] /);
      // A child would land on an existing name: nothing moves.
      assert.match(tagged(await client.command('c CREATE C/x')), /^c OK/);
      assert.match(tagged(await client.command('r8 RENAME C/x A')), /^r8 NO \[ALREADYEXISTS\] /);
      assert.match(tagged(await client.command('c CREATE D/x')), /^c OK/);
      assert.match(tagged(await client.command('r9 RENAME D B')), /^r9 NO \[ALREADYEXISTS\] /);
      const all = await names(server, user.id);
      for (const name of ['A', 'A/x', 'B', 'B/x', 'C/x', 'D', 'D/x', 'Sent'])
        assert.ok(all.includes(name), name);
      client.destroy();
    });

    test('RENAME INBOX moves its messages to the new mailbox and leaves INBOX empty; a session on INBOX sees them expunged', async () => {
      const user = await server.createUser('inboxrenamer');
      const first = await server.deliver(user.id, plainMessage(1), 'INBOX', { flags: ['\\Seen'] });
      const second = await server.deliver(user.id, japaneseMessage(), 'INBOX', { flags: ['$Important'] });
      const watcher = await RawImapClient.login(server, user.address);
      assert.match(tagged(await watcher.command('w1 SELECT INBOX')), /^w1 OK/);
      const usageBefore = await mailUsage(server.services.store.db, user.id);
      const result = (await imaplib(
        server,
        `
        M = login()
        result = [M.create('INBOX/Kept'), M.rename('INBOX', '"Old Inbox"'), M.logout()]
        `,
        { user: user.address },
      )) as Reply[];
      assert.equal(result[0]?.[0], 'OK');
      assert.equal(result[1]?.[0], 'OK', JSON.stringify(result[1]));
      const inbox = await server.mailbox(user.id, 'INBOX');
      const old = await server.mailbox(user.id, 'Old Inbox');
      assert.ok(inbox && old);
      assert.equal(Number(inbox.message_count), 0);
      assert.equal(Number(inbox.total_size), 0);
      assert.deepEqual(await server.messages(user.id, 'INBOX'), []);
      assert.equal(Number(old.message_count), 2);
      assert.equal(Number(old.total_size), first.size + second.size);
      assert.ok(Number(old.uid_validity) > Number(inbox.uid_validity));
      assert.ok(Number(old.uid_next) > second.uid);
      const moved = await server.messages(user.id, 'Old Inbox');
      assert.deepEqual(
        moved.map((row) => [row.blob_sha256, JSON.parse(row.flags) as string[]]),
        [
          [first.sha256, ['\\Seen']],
          [second.sha256, ['$Important']],
        ],
      );
      assert.ok((await names(server, user.id)).includes('INBOX/Kept'), 'children of INBOX stay');
      assert.deepEqual(await mailUsage(server.services.store.db, user.id), usageBefore);
      const noop = await watcher.command('w2 NOOP');
      assert.match(tagged(noop), /^w2 OK/);
      // Two messages gone, in whichever order the session announces them.
      const expunges = noop.filter((line) => / EXPUNGE$/.test(line));
      assert.equal(expunges.length, 2, noop.join(' / '));
      for (const line of expunges) assert.match(line, /^\* [12] EXPUNGE$/);
      // New mail still goes to INBOX, with UIDs after the old ones.
      const later = await server.deliver(user.id, plainMessage(3));
      assert.ok(later.uid > second.uid);
      // INBOX may become one of its own children: the children do not move with it.
      assert.match(tagged(await watcher.command('w3 RENAME INBOX INBOX/Older')), /^w3 OK/);
      assert.deepEqual(
        (await server.messages(user.id, 'INBOX/Older')).map((row) => row.blob_sha256),
        [later.sha256],
      );
      assert.deepEqual(await server.messages(user.id, 'INBOX'), []);
      assert.ok((await names(server, user.id)).includes('INBOX/Kept'));
      watcher.destroy();
    });

    test('DELETE refuses INBOX and the default mailboxes (CANNOT), a missing one (NONEXISTENT) and a parent (HASCHILDREN)', async () => {
      const user = await server.createUser('deleterefusals');
      const client = await RawImapClient.login(server, user.address);
      assert.match(tagged(await client.command('c CREATE Parent/Child')), /^c OK/);
      assert.match(tagged(await client.command('d1 DELETE inbox')), /^d1 NO \[CANNOT\] /);
      for (const name of ['Sent', 'Drafts', 'Trash', 'Junk', 'Archive']) {
        assert.match(tagged(await client.command(`d2 DELETE ${name}`)), /^d2 NO \[CANNOT\] /, name);
      }
      assert.match(tagged(await client.command('d3 DELETE Nowhere')), /^d3 NO \[NONEXISTENT\] /);
      assert.match(tagged(await client.command('d4 DELETE Parent')), /^d4 NO \[HASCHILDREN\] /);
      assert.match(tagged(await client.command('d5 DELETE Parent/Child')), /^d5 OK/);
      assert.match(tagged(await client.command('d6 DELETE Parent')), /^d6 OK/);
      const all = await names(server, user.id);
      assert.deepEqual(all, ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      client.destroy();
    });

    test('DELETE removes the messages, lowers the usage and deletes blobs no other message uses', async () => {
      const user = await server.createUser('deleter');
      const client = await RawImapClient.login(server, user.address);
      assert.match(tagged(await client.command('c CREATE Old')), /^c OK/);
      const only = await server.deliver(user.id, plainMessage(41), 'Old');
      const shared = await server.deliver(user.id, plainMessage(42), 'Old');
      await server.deliver(user.id, plainMessage(42), 'INBOX');
      const usageBefore = await mailUsage(server.services.store.db, user.id);
      assert.match(tagged(await client.command('d DELETE Old')), /^d OK/);
      assert.equal(await server.mailbox(user.id, 'Old'), undefined);
      const usageAfter = await mailUsage(server.services.store.db, user.id);
      assert.equal(usageAfter.usedBytes, usageBefore.usedBytes - only.size - shared.size);
      assert.equal(usageAfter.messageCount, usageBefore.messageCount - 2);
      assert.equal(await server.blobs.has(only.sha256), false);
      assert.equal(await server.blobs.has(shared.sha256), true, 'INBOX still has a copy');
      // A new mailbox of the same name is a new mailbox: a new UIDVALIDITY, UIDs from 1.
      assert.match(tagged(await client.command('c CREATE Old')), /^c OK/);
      const again = await server.deliver(user.id, plainMessage(43), 'Old');
      assert.equal(again.uid, 1);
      client.destroy();
    });

    test('DELETE of a mailbox another session has selected: that session is told BYE at its next command', async () => {
      const user = await server.createUser('doomed');
      const owner = await RawImapClient.login(server, user.address);
      const other = await RawImapClient.login(server, user.address);
      assert.match(tagged(await owner.command('c CREATE Doomed')), /^c OK/);
      await server.deliver(user.id, plainMessage(1), 'Doomed');
      assert.match(tagged(await other.command('s SELECT Doomed')), /^s OK/);
      assert.match(tagged(await owner.command('d DELETE Doomed')), /^d OK/);
      other.write('n NOOP\r\n');
      assert.match(await other.line(), /^\* BYE /);
      await other.closed;
      owner.destroy();
    });

    test('SUBSCRIBE, UNSUBSCRIBE and LSUB: unsubscribed parents show as \\Noselect when "%" stops at them', async () => {
      const user = await server.createUser('subscriber');
      const result = (await imaplib(
        server,
        `
        M = login()
        for name in ['Lists/ietf', 'Lists/w3c', 'Misc']:
            M.create(name)
        result = [
          M.unsubscribe('Lists'),
          M.unsubscribe('Lists/w3c'),
          M.unsubscribe('Lists/w3c'),
          M.unsubscribe('Never-Existed'),
          M.subscribe('Never-Existed'),
          M.lsub('""', '*'),
          M.lsub('""', '%'),
          M.lsub('Lists/', '%'),
          M.subscribe('Lists/w3c'),
          M.lsub('""', 'Lists/*'),
          M.logout(),
        ]
        `,
        { user: user.address },
      )) as Reply[];
      assert.deepEqual(
        result.slice(0, 4).map((reply) => reply[0]),
        ['OK', 'OK', 'OK', 'OK'],
      );
      assert.equal(result[4]?.[0], 'NO');
      assert.match(String(result[4]?.[1][0]), /^\[NONEXISTENT\] /);
      assert.deepEqual(result[5]?.[1], [
        '() "/" INBOX',
        '() "/" Archive',
        '() "/" Drafts',
        '() "/" Junk',
        '() "/" Lists/ietf',
        '() "/" Misc',
        '() "/" Sent',
        '() "/" Trash',
      ]);
      assert.deepEqual(result[6]?.[1], [
        '() "/" INBOX',
        '() "/" Archive',
        '() "/" Drafts',
        '() "/" Junk',
        '(\\Noselect) "/" Lists',
        '() "/" Misc',
        '() "/" Sent',
        '() "/" Trash',
      ]);
      assert.deepEqual(result[7]?.[1], ['() "/" Lists/ietf']);
      assert.deepEqual(result[9]?.[1], ['() "/" Lists/ietf', '() "/" Lists/w3c']);
      const rows = await listMailboxes(server.services.store.db, user.id);
      assert.equal(rows.find((row) => row.name === 'Lists')?.subscribed, 0);
    });

    test('LIST: "*" and "%", the reference, "" for the delimiter, INBOX in any case, children attributes', async () => {
      const user = await server.createUser('lister');
      const client = await RawImapClient.login(server, user.address);
      for (const name of ['Clients/Acme/2024', 'Clients/Beta', 'INBOX/Receipts']) {
        assert.match(tagged(await client.command(`c CREATE ${name}`)), /^c OK/);
      }
      const lines = async (command: string) => {
        const responses = await client.command(`l ${command}`);
        assert.match(tagged(responses), /^l OK/, command);
        return untagged(responses, 'LIST');
      };
      assert.deepEqual(await lines('LIST "" ""'), ['* LIST (\\Noselect) "/" ""']);
      assert.deepEqual(await lines('LIST "Clients/" ""'), ['* LIST (\\Noselect) "/" ""']);
      assert.deepEqual(await lines('LIST "" "%"'), [
        '* LIST (\\HasChildren) "/" INBOX',
        '* LIST (\\HasNoChildren) "/" Archive',
        '* LIST (\\HasChildren) "/" Clients',
        '* LIST (\\HasNoChildren) "/" Drafts',
        '* LIST (\\HasNoChildren) "/" Junk',
        '* LIST (\\HasNoChildren) "/" Sent',
        '* LIST (\\HasNoChildren) "/" Trash',
      ]);
      assert.deepEqual(await lines('LIST "" "Clients/*"'), [
        '* LIST (\\HasChildren) "/" Clients/Acme',
        '* LIST (\\HasNoChildren) "/" Clients/Acme/2024',
        '* LIST (\\HasNoChildren) "/" Clients/Beta',
      ]);
      assert.deepEqual(await lines('LIST "Clients/" "%"'), [
        '* LIST (\\HasChildren) "/" Clients/Acme',
        '* LIST (\\HasNoChildren) "/" Clients/Beta',
      ]);
      assert.deepEqual(await lines('LIST "" "inbox"'), ['* LIST (\\HasChildren) "/" INBOX']);
      assert.deepEqual(await lines('LIST "" "Inbox/%"'), ['* LIST (\\HasNoChildren) "/" INBOX/Receipts']);
      assert.deepEqual(await lines('LIST "" "nothing*"'), []);
      assert.deepEqual(await lines('LIST "" ("INBOX" "Clients/%")'), [
        '* LIST (\\HasChildren) "/" INBOX',
        '* LIST (\\HasChildren) "/" Clients/Acme',
        '* LIST (\\HasNoChildren) "/" Clients/Beta',
      ]);
      client.destroy();
    });

    test('LIST options: SPECIAL-USE, SUBSCRIBED (selection and return), RECURSIVEMATCH with CHILDINFO, BAD combinations', async () => {
      const user = await server.createUser('listoptions');
      const client = await RawImapClient.login(server, user.address);
      for (const name of ['Team/Minutes', 'Team/Budget']) {
        assert.match(tagged(await client.command(`c CREATE ${name}`)), /^c OK/);
      }
      assert.match(tagged(await client.command('u UNSUBSCRIBE Team')), /^u OK/);
      assert.match(tagged(await client.command('u UNSUBSCRIBE Team/Budget')), /^u OK/);
      assert.match(tagged(await client.command('u UNSUBSCRIBE Junk')), /^u OK/);
      const lines = async (command: string) => {
        const responses = await client.command(`l ${command}`);
        assert.match(tagged(responses), /^l OK/, command);
        return untagged(responses, 'LIST');
      };
      // IMAP4rev1 without RETURN (SPECIAL-USE): no special-use attributes (RFC 6154 §2).
      assert.deepEqual(await lines('LIST "" "Sent"'), ['* LIST (\\HasNoChildren) "/" Sent']);
      assert.deepEqual(await lines('LIST "" "Sent" RETURN (SPECIAL-USE)'), [
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
      ]);
      assert.deepEqual(await lines('LIST (SPECIAL-USE) "" "*"'), [
        '* LIST (\\HasNoChildren \\Archive) "/" Archive',
        '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
        '* LIST (\\HasNoChildren \\Junk) "/" Junk',
        '* LIST (\\HasNoChildren \\Sent) "/" Sent',
        '* LIST (\\HasNoChildren \\Trash) "/" Trash',
      ]);
      assert.deepEqual(await lines('LIST "" "%" RETURN (SUBSCRIBED)'), [
        '* LIST (\\HasNoChildren \\Subscribed) "/" INBOX',
        '* LIST (\\HasNoChildren \\Subscribed) "/" Archive',
        '* LIST (\\HasNoChildren \\Subscribed) "/" Drafts',
        '* LIST (\\HasNoChildren) "/" Junk',
        '* LIST (\\HasNoChildren \\Subscribed) "/" Sent',
        '* LIST (\\HasChildren) "/" Team',
        '* LIST (\\HasNoChildren \\Subscribed) "/" Trash',
      ]);
      assert.deepEqual(await lines('LIST (SUBSCRIBED) "" "Team*"'), [
        '* LIST (\\HasNoChildren \\Subscribed) "/" Team/Minutes',
      ]);
      assert.deepEqual(await lines('LIST (SUBSCRIBED RECURSIVEMATCH) "" "T%"'), [
        '* LIST (\\HasChildren) "/" Team ("CHILDINFO" ("SUBSCRIBED"))',
        '* LIST (\\HasNoChildren \\Subscribed) "/" Trash',
      ]);
      assert.match(tagged(await client.command('b1 LIST (RECURSIVEMATCH) "" "*"')), /^b1 BAD /);
      assert.match(tagged(await client.command('b2 LIST (SPECIAL-USE RECURSIVEMATCH) "" "*"')), /^b2 BAD /);
      assert.match(tagged(await client.command('b3 LIST (BOGUS) "" "*"')), /^b3 BAD /);
      client.destroy();
    });

    test('LIST shows a parent that does not exist as \\Noselect (IMAP4rev1) or \\NonExistent (LIST-EXTENDED, IMAP4rev2)', async () => {
      const user = await server.createUser('ghosts');
      // Another path (an import, an older version) left a child without its parent.
      await server.services.store.db
        .transaction()
        .execute((tx) => createFolder(tx, user.id, 'Ghost/Child', Date.now()));
      const client = await RawImapClient.login(server, user.address);
      const lines = async (command: string) => untagged(await client.command(`l ${command}`), 'LIST');
      assert.deepEqual(await lines('LIST "" "G%"'), ['* LIST (\\Noselect \\HasChildren) "/" Ghost']);
      assert.deepEqual(await lines('LIST "" "G%" RETURN (CHILDREN)'), [
        '* LIST (\\NonExistent \\HasChildren) "/" Ghost',
      ]);
      // STATUS only for mailboxes that exist (RFC 5819 §2: selectable ones).
      assert.deepEqual((await client.command('l LIST "" "G*" RETURN (STATUS (MESSAGES))')).slice(0, -1), [
        '* LIST (\\NonExistent \\HasChildren) "/" Ghost',
        '* LIST (\\HasNoChildren) "/" Ghost/Child',
        '* STATUS Ghost/Child (MESSAGES 0)',
      ]);
      assert.match(tagged(await client.command('s SELECT Ghost')), /^s NO \[NONEXISTENT\] /);
      assert.match(tagged(await client.command('e ENABLE IMAP4rev2')), /^e OK/);
      assert.deepEqual(await lines('LIST "" "G%"'), ['* LIST (\\NonExistent \\HasChildren) "/" Ghost']);
      // IMAP4rev2 lists special-use attributes without being asked (RFC 9051 §6.3.9).
      assert.deepEqual(await lines('LIST "" "Drafts"'), ['* LIST (\\HasNoChildren \\Drafts) "/" Drafts']);
      client.destroy();
    });

    test("LIST … RETURN (STATUS …) sends each selectable mailbox's STATUS right after its LIST (RFC 5819)", async () => {
      const user = await server.createUser('liststatus');
      await server.deliver(user.id, plainMessage(1), 'INBOX', { flags: ['\\Seen'] });
      await server.deliver(user.id, plainMessage(2), 'INBOX');
      await server.deliver(user.id, plainMessage(3), 'Drafts', { flags: ['\\Draft'] });
      const client = await RawImapClient.login(server, user.address);
      const responses = await client.command(
        'l LIST "" ("INBOX" "Drafts" "Nope") RETURN (STATUS (MESSAGES UNSEEN))',
      );
      assert.deepEqual(responses.slice(0, -1), [
        '* LIST (\\HasNoChildren) "/" INBOX',
        '* STATUS INBOX (MESSAGES 2 UNSEEN 1)',
        '* LIST (\\HasNoChildren) "/" Drafts',
        '* STATUS Drafts (MESSAGES 1 UNSEEN 1)',
      ]);
      assert.match(tagged(responses), /^l OK/);
      client.destroy();
    });

    test('Japanese names: modified UTF-7 on the wire for imaplib, UTF-8 after ENABLE UTF8=ACCEPT', async () => {
      const user = await server.createUser('nihongo');
      const result = (await imaplib(
        server,
        `
        M = login()
        result = [
          M.create('${NIHONGO}/${TAIPEI}'),
          M.list('""', '${NIHONGO}*'),
          M.status('${NIHONGO}/${TAIPEI}', '(MESSAGES)'),
          M.rename('${NIHONGO}/${TAIPEI}', '${NIHONGO}/${TESUTO}'),
          attempt(M.create, '&Jjo'),
          M.logout(),
        ]
        `,
        { user: user.address },
      )) as Reply[];
      assert.equal(result[0]?.[0], 'OK');
      assert.deepEqual(result[1]?.[1], [
        `(\\HasChildren) "/" ${NIHONGO}`,
        `(\\HasNoChildren) "/" ${NIHONGO}/${TAIPEI}`,
      ]);
      assert.deepEqual(result[2]?.[1], [`${NIHONGO}/${TAIPEI} (MESSAGES 0)`]);
      assert.equal(result[3]?.[0], 'OK');
      // imaplib raises on BAD: the name is not valid modified UTF-7.
      assert.equal(result[4]?.[0], 'EXC');
      assert.match(String(result[4]?.[1][0]), /BAD/);
      const all = await names(server, user.id);
      assert.ok(all.includes('日本語'));
      assert.ok(all.includes('日本語/テスト'), JSON.stringify(all));
      assert.ok(!all.some((name) => name.includes('&')), JSON.stringify(all));

      await server.deliver(user.id, japaneseUtf8Message(), '日本語/テスト');
      const client = await RawImapClient.login(server, user.address);
      // Before ENABLE, a rev1 client reads modified UTF-7.
      assert.deepEqual(untagged(await client.command('l1 LIST "" "*/%"'), 'LIST'), [
        `* LIST (\\HasNoChildren) "/" ${NIHONGO}/${TESUTO}`,
      ]);
      assert.match(tagged(await client.command('e ENABLE UTF8=ACCEPT')), /^e OK/);
      const utf8 = untagged(await client.command('l2 LIST "" "日本*"'), 'LIST');
      assert.equal(utf8.length, 2);
      assert.match(utf8[0] ?? '', /^\* LIST \(\\HasChildren\) "\/" (\{9\}\r\n日本語|"日本語")$/);
      assert.match(
        utf8[1] ?? '',
        /^\* LIST \(\\HasNoChildren\) "\/" (\{19\}\r\n日本語\/テスト|"日本語\/テスト")$/,
      );
      const status = await client.command('s STATUS "日本語/テスト" (MESSAGES)');
      assert.match(untagged(status, 'STATUS')[0] ?? '', /日本語\/テスト.* \(MESSAGES 1\)$/s);
      assert.match(tagged(await client.command('c CREATE "議事録/第1回"')), /^c OK/);
      assert.ok((await names(server, user.id)).includes('議事録/第1回'));
      client.destroy();
    });

    test('STATUS answers every item, counts flags exactly, works on the selected mailbox and refuses a missing one', async () => {
      const user = await server.createUser('status');
      const client = await RawImapClient.login(server, user.address);
      assert.match(tagged(await client.command('c CREATE Reports')), /^c OK/);
      const messages = [
        await server.deliver(user.id, plainMessage(1), 'Reports', { flags: ['\\Seen'] }),
        await server.deliver(user.id, plainMessage(2), 'Reports', { flags: ['\\Seen', '\\Deleted'] }),
        // A keyword spelled like a system flag is not \Seen.
        await server.deliver(user.id, plainMessage(3), 'Reports', { flags: ['Seen', 'x%_!\\Seen'] }),
      ];
      const row = await server.mailbox(user.id, 'Reports');
      assert.ok(row);
      const all = 'MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT';
      const responses = await client.command(`s1 STATUS Reports (${all})`);
      const size = messages.reduce((sum, message) => sum + message.size, 0);
      assert.deepEqual(responses, [
        `* STATUS Reports (MESSAGES 3 UIDNEXT 4 UIDVALIDITY ${row.uid_validity} UNSEEN 1 DELETED 1 SIZE ${size} ` +
          `RECENT 0 HIGHESTMODSEQ ${row.highest_modseq} APPENDLIMIT ${25 * 1024 * 1024})`,
        's1 OK STATUS completed',
      ]);
      assert.deepEqual(untagged(await client.command('s2 STATUS reports (MESSAGES)'), 'STATUS'), []);
      assert.match(tagged(await client.command('s3 STATUS Nowhere (MESSAGES)')), /^s3 NO \[NONEXISTENT\] /);
      assert.match(tagged(await client.command('s4 STATUS Reports ()')), /^s4 BAD /);
      assert.match(tagged(await client.command('s5 STATUS Reports (BOGUS)')), /^s5 BAD /);
      assert.match(tagged(await client.command('sel SELECT Reports')), /^sel OK/);
      assert.deepEqual(untagged(await client.command('s6 STATUS Reports (MESSAGES UNSEEN)'), 'STATUS'), [
        '* STATUS Reports (MESSAGES 3 UNSEEN 1)',
      ]);
      const viaImaplib = (await imaplib(
        server,
        `
        M = login()
        result = [M.status('INBOX', '(MESSAGES UIDNEXT UNSEEN)'), M.status('Reports', '(UNSEEN DELETED)'), M.logout()]
        `,
        { user: user.address },
      )) as Reply[];
      assert.deepEqual(viaImaplib[0]?.[1], ['INBOX (MESSAGES 0 UIDNEXT 1 UNSEEN 0)']);
      assert.deepEqual(viaImaplib[1]?.[1], ['Reports (UNSEEN 1 DELETED 1)']);
      client.destroy();
    });

    test("QUOTA: GETQUOTAROOT and GETQUOTA report STORAGE in KiB against the user's limit; SETQUOTA is NO [NOPERM]", async () => {
      const user = await server.createUser('quota');
      await server.setQuota(user.address, 10 * 1024 * 1024);
      await server.deliver(user.id, plainMessage(1));
      await server.deliver(user.id, Buffer.concat([plainMessage(2), Buffer.alloc(3000, 'x')]), 'Archive');
      const used = (await mailUsage(server.services.store.db, user.id)).usedBytes;
      const storage = `STORAGE ${Math.ceil(used / 1024)} 10240`;
      const result = (await imaplib(
        server,
        `
        M = login()
        result = [
          M.getquotaroot('INBOX'),
          M.getquotaroot('Archive'),
          M.getquota('""'),
          M.getquota('other'),
          M.getquotaroot('Nowhere'),
          M.setquota('""', '(STORAGE 1)'),
          M.logout(),
        ]
        `,
        { user: user.address },
      )) as Reply[];
      assert.deepEqual(result[0], ['OK', [['INBOX ""'], [`"" (${storage})`]]]);
      assert.deepEqual(result[1], ['OK', [['Archive ""'], [`"" (${storage})`]]]);
      assert.deepEqual(result[2], ['OK', [`"" (${storage})`]]);
      assert.equal(result[3]?.[0], 'NO');
      assert.match(String(result[3]?.[1][0]), /^\[NONEXISTENT\] /);
      assert.equal(result[4]?.[0], 'NO');
      assert.match(String(result[4]?.[1][0]), /^\[NONEXISTENT\] /);
      assert.equal(result[5]?.[0], 'NO');
      assert.match(String(result[5]?.[1][0]), /^\[NOPERM\] /);

      // The server's default quota (2G in the test config) applies when the user has none.
      await server.setQuota(user.address, null);
      const client = await RawImapClient.login(server, user.address);
      assert.deepEqual((await client.command('q1 GETQUOTA ""')).slice(0, -1), [
        `* QUOTA "" (STORAGE ${Math.ceil(used / 1024)} ${2 * 1024 * 1024})`,
      ]);
      // 0: no limit, so no quota root at all.
      await server.setQuota(user.address, 0);
      assert.deepEqual((await client.command('q2 GETQUOTAROOT INBOX')).slice(0, -1), ['* QUOTAROOT INBOX']);
      assert.match(tagged(await client.command('q3 GETQUOTA ""')), /^q3 NO \[NONEXISTENT\] /);
      client.destroy();
    });

    test('NAMESPACE: one personal namespace, "/" between levels; commands before login are refused', async () => {
      const user = await server.createUser('namespace');
      const result = (await imaplib(
        server,
        `
        M = login()
        P = login(tls=False)
        result = [M.namespace(), P.namespace(), M.logout(), P.logout()]
        `,
        { user: user.address },
      )) as Reply[];
      assert.deepEqual(result[0], ['OK', ['(("" "/")) NIL NIL']]);
      assert.deepEqual(result[1], ['OK', ['(("" "/")) NIL NIL']], 'over 143 after STARTTLS too');
      const upgraded = await RawImapClient.connect(server, { tls: false });
      assert.match(await upgraded.line(), /^\* OK /);
      assert.match(await upgraded.startTls(), /^tls OK/);
      assert.match(tagged(await upgraded.command(`a LOGIN ${user.address} "${PASSWORD}"`)), /^a OK/);
      assert.deepEqual(await upgraded.command('n NAMESPACE'), [
        '* NAMESPACE (("" "/")) NIL NIL',
        'n OK NAMESPACE completed',
      ]);
      upgraded.destroy();
      const client = await RawImapClient.connect(server, { tls: true });
      assert.match(await client.line(), /^\* OK /);
      for (const command of [
        'NAMESPACE',
        'LIST "" "*"',
        'CREATE x',
        'STATUS INBOX (MESSAGES)',
        'GETQUOTAROOT INBOX',
      ]) {
        assert.match(tagged(await client.command(`t ${command}`)), /^t BAD /, command);
      }
      client.destroy();
    });
  });
}
