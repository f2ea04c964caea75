import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ExistsEvent, ImapFlow } from 'imapflow';
import {
  ATTACHMENT,
  connectImapFlow,
  mbsyncSetup,
  meetingMessage,
  runMbsync,
  type MbsyncSetup,
} from './support/imap-clients.ts';
import { plainMessage, startImapServer, type ImapTestServer } from './support/imap.ts';

/**
 * Real clients against the server: imapflow (Node's IMAP client, as a web
 * mailer or a bot would use it) and isync's mbsync (a desktop sync tool
 * keeping a Maildir in step both ways). The store is not what they test:
 * SQLite only.
 */

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function withClient<T>(client: ImapFlow, body: (client: ImapFlow) => Promise<T>): Promise<T> {
  try {
    return await body(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('imapflow', () => {
  let server: ImapTestServer;
  before(async () => {
    server = await startImapServer();
  });
  after(async () => {
    await server.stop();
  });

  test('connects over imaps and over 143 with STARTTLS, verifying the certificate, and lists the mailboxes with their special use', async () => {
    const user = await server.createUser('flowlist');
    for (const startTls of [false, true]) {
      await withClient(await connectImapFlow(server, { address: user.address, startTls }), async (client) => {
        assert.equal(client.secureConnection, true);
        assert.ok(client.tls && client.tls.authorized, `TLS not verified (startTls: ${startTls})`);
        const listed = await client.list();
        const byPath = new Map(listed.map((entry) => [entry.path, entry.specialUse]));
        assert.deepEqual(
          [...byPath.keys()].sort(),
          ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'],
          JSON.stringify(listed),
        );
        assert.equal(byPath.get('Sent'), '\\Sent');
        assert.equal(byPath.get('Trash'), '\\Trash');
        assert.equal(byPath.get('INBOX'), '\\Inbox');
      });
    }
  });

  test('opens INBOX and fetches source, envelope and bodyStructure of a Japanese message', async () => {
    const user = await server.createUser('flowfetch');
    const delivered = await server.deliver(user.id, meetingMessage());
    const inbox = await server.mailbox(user.id, 'INBOX');
    assert.ok(inbox);
    await withClient(await connectImapFlow(server, { address: user.address }), async (client) => {
      const mailbox = await client.mailboxOpen('INBOX');
      assert.equal(mailbox.exists, 1);
      assert.equal(mailbox.uidValidity, BigInt(inbox.uid_validity));
      assert.equal(mailbox.readOnly, false);
      const message = await client.fetchOne('1', {
        uid: true,
        source: true,
        envelope: true,
        bodyStructure: true,
        flags: true,
      });
      assert.ok(message);
      assert.equal(message.uid, delivered.uid);
      assert.equal(sha256(message.source ?? Buffer.alloc(0)), delivered.sha256);
      assert.equal(message.envelope?.subject, '会議の資料');
      assert.deepEqual(message.envelope?.from, [{ name: '鈴木', address: 'suzuki@example.net' }]);
      assert.equal(message.envelope?.messageId, '<meeting-1@example.net>');
      const structure = message.bodyStructure;
      assert.equal(structure?.type, 'multipart/mixed');
      const [text, attachment] = structure?.childNodes ?? [];
      assert.equal(text?.type, 'text/plain');
      assert.equal(text?.parameters?.charset, 'Shift_JIS');
      assert.equal(text?.encoding, '8bit');
      assert.equal(attachment?.type, 'application/octet-stream');
      assert.equal(attachment?.encoding, 'base64');
      assert.equal(attachment?.disposition, 'attachment');
      assert.equal(attachment?.dispositionParameters?.filename, 'data.bin');
      // source: true read it with BODY.PEEK[]: still unseen.
      assert.deepEqual([...(message.flags ?? [])], []);
      const { content } = await client.download('1', '2');
      assert.ok(content);
      const chunks: Buffer[] = [];
      for await (const chunk of content) chunks.push(chunk as Buffer);
      assert.ok(Buffer.concat(chunks).equals(ATTACHMENT));
    });
  });

  test('searches (Japanese subject, unseen), adds flags, moves and appends', async () => {
    const user = await server.createUser('flowchange');
    await server.deliver(user.id, meetingMessage());
    await server.deliver(user.id, plainMessage(2), 'INBOX', { flags: ['\\Seen'] });
    await server.deliver(user.id, plainMessage(3));
    const archive = await server.mailbox(user.id, 'Archive');
    assert.ok(archive);
    await withClient(await connectImapFlow(server, { address: user.address }), async (client) => {
      await client.mailboxOpen('INBOX');
      assert.deepEqual(await client.search({ subject: '会議' }), [1]);
      assert.deepEqual(await client.search({ seen: false }, { uid: true }), [1, 3]);
      assert.equal(await client.messageFlagsAdd('1:2', ['\\Flagged', '$Todo']), true);
      assert.deepEqual(
        (await server.messages(user.id, 'INBOX')).map((row) => (JSON.parse(row.flags) as string[]).sort()),
        [['$Todo', '\\Flagged'], ['$Todo', '\\Flagged', '\\Seen'], []],
      );
      const moved = await client.messageMove('2:3', 'Archive');
      assert.ok(moved);
      assert.equal(moved.destination, 'Archive');
      assert.equal(moved.uidValidity, BigInt(archive.uid_validity));
      assert.deepEqual(
        [...(moved.uidMap ?? new Map())],
        [
          [2, 1],
          [3, 2],
        ],
      );
      assert.equal(client.mailbox && client.mailbox.exists, 1);
      const date = new Date('2025-01-14T01:00:00Z');
      const appended = await client.append('Drafts', plainMessage(4), ['\\Draft'], date);
      assert.ok(appended);
      assert.equal(appended.destination, 'Drafts');
      assert.equal(appended.uid, 1);
      const drafts = await server.messages(user.id, 'Drafts');
      assert.equal(drafts.length, 1);
      assert.equal(drafts[0]?.flags, '["\\\\Draft"]');
      assert.equal(Number(drafts[0]?.internal_date), date.getTime());
      assert.deepEqual(
        (await server.messages(user.id, 'Archive')).map((row) => row.subject),
        ['plain message 2', 'plain message 3'],
      );
    });
  });

  test('in IDLE, emits "exists" when another connection appends new mail', async () => {
    const user = await server.createUser('flowidle');
    await server.deliver(user.id, plainMessage(1));
    await withClient(await connectImapFlow(server, { address: user.address }), async (watcher) => {
      await watcher.mailboxOpen('INBOX');
      const exists = new Promise<ExistsEvent>((resolve) => watcher.once('exists', resolve));
      const idling = watcher.idle();
      await withClient(await connectImapFlow(server, { address: user.address }), async (writer) => {
        await writer.append('INBOX', plainMessage(2));
      });
      const timeout = new Promise<never>((_resolve, reject) => {
        setTimeout(() => reject(new Error('no "exists" event within 5 s')), 5000).unref();
      });
      assert.deepEqual(await Promise.race([exists, timeout]), { path: 'INBOX', count: 2, prevCount: 1 });
      // Any command ends IDLE (imapflow sends DONE first).
      await watcher.noop();
      await idling;
    });
  });

  test('getQuota reports the STORAGE usage and limit of the user', async () => {
    const user = await server.createUser('flowquota');
    await server.setQuota(user.address, 10 * 1024 * 1024);
    const delivered = await server.deliver(user.id, meetingMessage());
    await withClient(await connectImapFlow(server, { address: user.address }), async (client) => {
      const quota = await client.getQuota('INBOX');
      assert.ok(quota, 'no quota');
      // RFC 9208 §5.1: STORAGE in units of 1024 octets (imapflow gives bytes).
      assert.deepEqual(quota.storage, {
        usage: Math.ceil(delivered.size / 1024) * 1024,
        limit: 10 * 1024 * 1024,
        status: `${Math.round(((Math.ceil(delivered.size / 1024) * 1024) / (10 * 1024 * 1024)) * 100)}%`,
      });
    });
  });
});

/**
 * mbsync keeps Maildir files with LF line ends and adds an X-TUID header
 * (its own bookkeeping): the message as the server has it without those.
 */
function asOnServer(file: Buffer): Buffer {
  const text = file.toString('latin1').replace(/^X-TUID: .*\r?\n/m, '');
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** A message as a local mail program writes it into a Maildir: LF line ends. */
function inMaildir(message: Buffer): Buffer {
  return Buffer.from(message.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

async function blob(server: ImapTestServer, id: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await server.blobs.get(id)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The files of a Maildir folder (cur and new), by name. */
function maildirFiles(folder: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const sub of ['cur', 'new']) {
    const dir = path.join(folder, sub);
    const names = existsSync(dir) ? readdirSync(dir) : [];
    for (const name of names) files.set(`${sub}/${name}`, readFileSync(path.join(dir, name)));
  }
  return files;
}

describe('mbsync', () => {
  let server: ImapTestServer;
  let sync: MbsyncSetup | undefined;
  before(async () => {
    server = await startImapServer();
  });
  after(async () => {
    sync?.remove();
    await server.stop();
  });

  test('mbsync -a brings every folder down into a Maildir, then pushes back a new message, a \\Seen flag, a deletion and a new folder', async () => {
    const user = await server.createUser('mbsync');
    const inbox = [plainMessage(1), plainMessage(2), meetingMessage()];
    for (const message of inbox) await server.deliver(user.id, message);
    await server.deliver(user.id, plainMessage(10), 'Archive', { flags: ['\\Seen'] });
    await server.deliver(user.id, plainMessage(11), 'Sent', { flags: ['\\Seen'] });
    sync = mbsyncSetup(server, user.address);

    const first = await runMbsync(sync.configFile);
    assert.deepEqual({ code: first.code, stderr: first.stderr }, { code: 0, stderr: '' }, first.stdout);
    const local = (folder: string) => maildirFiles(path.join(sync!.maildir, folder));
    const hashes = (files: Map<string, Buffer>) =>
      [...files.values()].map((bytes) => sha256(asOnServer(bytes))).sort();
    assert.deepEqual(hashes(local('INBOX')), inbox.map(sha256).sort());
    assert.deepEqual(hashes(local('Archive')), [sha256(plainMessage(10))]);
    assert.deepEqual(hashes(local('Sent')), [sha256(plainMessage(11))]);
    for (const folder of ['Drafts', 'Trash', 'Junk']) assert.equal(local(folder).size, 0, folder);
    // \Seen came down as the Maildir "S" flag, unseen mail into new/.
    assert.match([...local('Archive').keys()][0] ?? '', /^cur\/.*:2,S$/);
    assert.ok(
      [...local('INBOX').keys()].every((name) => /^new\/.*:2,$/.test(name)),
      [...local('INBOX').keys()].join(' '),
    );

    // Changes on the near side: a new message, one marked seen, one deleted, a new folder.
    const files = [...local('INBOX').entries()];
    const toSee = files.find(([, bytes]) => asOnServer(bytes).equals(plainMessage(1)))?.[0];
    const toDelete = files.find(([, bytes]) => asOnServer(bytes).equals(plainMessage(2)))?.[0];
    assert.ok(toSee && toDelete);
    const inboxDir = path.join(sync.maildir, 'INBOX');
    const seenName = `cur/${path.basename(toSee).replace(/:2,.*$/, '')}:2,S`;
    renameSync(path.join(inboxDir, toSee), path.join(inboxDir, seenName));
    rmSync(path.join(inboxDir, toDelete));
    writeFileSync(path.join(inboxDir, 'new', '1736900000.coo1.localhost'), inMaildir(plainMessage(3)));
    const projects = path.join(sync.maildir, 'Projects');
    for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(projects, sub), { recursive: true });
    writeFileSync(path.join(projects, 'cur', '1736900001.coo2.localhost:2,F'), inMaildir(plainMessage(20)));

    const second = await runMbsync(sync.configFile);
    assert.deepEqual({ code: second.code, stderr: second.stderr }, { code: 0, stderr: '' }, second.stdout);
    const rows = await server.messages(user.id, 'INBOX');
    assert.deepEqual(
      rows.map((row) => [row.message_id, row.flags]),
      [
        ['plain-1@example.net', '["\\\\Seen"]'],
        ['meeting-1@example.net', '[]'],
        ['plain-3@example.net', '[]'],
      ],
    );
    // APPENDed as it was in the Maildir, with CRLF line ends.
    assert.ok(asOnServer(await blob(server, rows[2]?.blob_sha256 ?? '')).equals(plainMessage(3)));
    const created = await server.messages(user.id, 'Projects');
    assert.deepEqual(
      created.map((row) => [row.subject, row.flags]),
      [['plain message 20', '["\\\\Flagged"]']],
    );
  });
});
