import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { authenticate } from 'mailauth';
import { TieredBlobStore } from '../src/blob/blob-store.ts';
import { DiskBlobStore } from '../src/blob/disk-blob-store.ts';
import { MemoryBus } from '../src/bus/memory-bus.ts';
import { parseConfig } from '../src/config/loader.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { createLogger } from '../src/log.ts';
import { LocalDelivery } from '../src/mail/delivery/local-delivery.ts';
import { MailSettingsService } from '../src/mail/delivery/mail-settings-service.ts';
import { MAIL_EVENT_CHANNEL } from '../src/mail/delivery/notify.ts';
import { SRS_MAX_AGE_DAYS, SrsCodec } from '../src/mail/delivery/srs.ts';
import type { DnsResolver, MailContext } from '../src/mail/mail-system.ts';
import type { OutboundQueuePort } from '../src/mail/ports.ts';
import type { Services } from '../src/services.ts';
import { claimAutoreply } from '../src/store/mail-delivery.ts';
import { expungeMessages, findMailbox, listMessages, mailUsage } from '../src/store/mailboxes.ts';
import { createPeople, uniquePrefix } from './support/messaging-deps.ts';
import { servicesOver } from './support/services.ts';
import { describeOnEachDatabase } from './support/stores.ts';

const HOSTNAME = 'mx.example.com';
type Enqueued = Parameters<OutboundQueuePort['enqueue']>[0];

describeOnEachDatabase('local delivery', (database) => {
  let services: Services;
  let context: MailContext;
  let delivery: LocalDelivery;
  let settings: MailSettingsService;
  let blobDir: string;
  const queued: Enqueued[] = [];
  const events: { channel: string; event: unknown }[] = [];

  before(async () => {
    const loaded = parseConfig(
      `[server]\nhostname = "${HOSTNAME}"\n[users]\ndefault_quota = "1G"\n`,
      path.join(tmpdir(), 'coo.toml'),
    );
    services = { ...servicesOver(database.store), config: loaded, close: async () => undefined };
    blobDir = mkdtempSync(path.join(tmpdir(), 'coo-delivery-'));
    const bus = new MemoryBus();
    for (const channel of [MAIL_EVENT_CHANNEL, 'im.deliver']) {
      await bus.subscribe(channel, (event) => events.push({ channel, event }));
    }
    const queue: OutboundQueuePort = {
      enqueue: async (input) => {
        queued.push(input);
      },
    };
    context = {
      services,
      bus,
      blobs: new TieredBlobStore(await DiskBlobStore.open(blobDir), database.store.db),
      logger: createLogger('silent'),
      config: loaded,
      tls: { certPem: '', keyPem: '' },
      queue,
      resolver: async () => {
        throw Object.assign(new Error('offline'), { code: 'ECONNREFUSED' });
      },
    } as unknown as MailContext;
    delivery = new LocalDelivery(context);
    context.localDelivery = delivery;
    settings = new MailSettingsService(services);
  });
  after(() => rmSync(blobDir, { recursive: true, force: true }));

  /** Puts a message as the SMTP listener would (with our Authentication-Results on top) and delivers it. */
  async function deliver(input: {
    to: string[];
    mailFrom?: string;
    subject?: string;
    extra?: string;
    body?: string;
  }) {
    const mailFrom = input.mailFrom ?? 'alice@sender.example';
    const bytes = Buffer.from(
      `Return-Path: <${mailFrom}>\r\n` +
        `Authentication-Results: ${HOSTNAME};\r\n dkim=none (message not signed);\r\n spf=temperror smtp.mailfrom=${mailFrom}\r\n` +
        `From: Alice <alice@sender.example>\r\nTo: ${input.to.join(', ')}\r\n` +
        `Subject: ${input.subject ?? 'hello'}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@sender.example>\r\n` +
        `Date: Mon, 23 Nov 2026 09:00:00 +0900\r\n${input.extra ?? ''}\r\n${input.body ?? 'Hello.\r\n'}`,
    );
    const blob = await context.blobs.put(bytes);
    const outcomes = await delivery.deliver({
      message: { sha256: blob.id, size: blob.size },
      mailFrom,
      recipients: input.to,
    });
    return { outcomes, blob };
  }

  async function folder(userId: number, name = 'INBOX') {
    const mailbox = await findMailbox(database.store.db, userId, name);
    return mailbox ? listMessages(database.store.db, mailbox.id) : [];
  }

  async function people<N extends string>(names: readonly N[]) {
    return createPeople(services, uniquePrefix('dlv'), names);
  }

  test('a message for a local user is appended to the INBOX, audited, and announced on the bus and to the messenger', async () => {
    const { taro } = await people(['taro']);
    const { outcomes, blob } = await deliver({ to: [taro.address], subject: '会議のお知らせ' });
    assert.deepEqual(outcomes, [{ recipient: taro.address, outcome: 'delivered' }]);
    const [row] = await folder(taro.userId);
    assert.equal(row?.subject, '会議のお知らせ');
    assert.equal(row?.blob_sha256, blob.id);
    assert.equal((await mailUsage(database.store.db, taro.userId)).usedBytes, blob.size);
    const audit = await services.audit.query({ action: 'mail.accepted', target: taro.address });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.actor, 'alice@sender.example');
    const busEvent = events.find(
      (e) => e.channel === MAIL_EVENT_CHANNEL && (e.event as { userId: number }).userId === taro.userId,
    );
    assert.deepEqual(
      { ...(busEvent?.event as object), at: 0, modseq: 0 },
      {
        userId: taro.userId,
        address: taro.address,
        mailboxId: row?.mailbox_id,
        mailbox: 'INBOX',
        uid: 1,
        modseq: 0,
        size: blob.size,
        from: 'alice@sender.example',
        fromName: 'Alice',
        subject: '会議のお知らせ',
        messageId: row?.message_id,
        at: 0,
      },
    );
    const frame = events.find(
      (e) => e.channel === 'im.deliver' && (e.event as { u: number[] }).u.includes(taro.userId),
    );
    assert.equal((frame?.event as { f: { t: string; subject: string } }).f.t, 'mail.new');
    assert.equal((frame?.event as { f: { t: string; subject: string } }).f.subject, '会議のお知らせ');
  });

  test('recipients: users, alias domains, +tags; disabled or expired users are unknown; other domains are remote', async () => {
    const { kenji, gone, old } = await people(['kenji', 'gone', 'old']);
    if (!(await services.directory.domains.list()).some((d) => d.name === 'example.net')) {
      await services.directory.domains.add('example.net', CLI_ACTOR, { aliasOf: 'example.com' });
    }
    await services.directory.users.setDisabled(gone.address, true, CLI_ACTOR);
    await services.directory.users.update(old.address, { validUntil: Date.now() - 1000 }, CLI_ACTOR);
    const local = kenji.address.replace('@example.com', '');
    assert.deepEqual(await delivery.resolveRecipient(`${local}@example.net`), {
      kind: 'local',
      userId: kenji.userId,
      address: kenji.address,
    });
    assert.equal((await delivery.resolveRecipient(`${local.toUpperCase()}+x@EXAMPLE.COM`)).kind, 'local');
    assert.deepEqual(await delivery.resolveRecipient(gone.address), {
      kind: 'unknown',
      reason: 'mailbox disabled',
    });
    assert.deepEqual(await delivery.resolveRecipient(old.address), {
      kind: 'unknown',
      reason: 'mailbox disabled',
    });
    assert.deepEqual(await delivery.resolveRecipient('nobody-here@example.com'), {
      kind: 'unknown',
      reason: 'no such user',
    });
    assert.deepEqual(await delivery.resolveRecipient('x@elsewhere.example'), {
      kind: 'remote',
      domain: 'elsewhere.example',
    });
  });

  test('forwarding without a copy: nothing kept; the queued copy has an SRS0 envelope sender, a Delivered-To and an ARC set that verifies', async () => {
    const { fwd } = await people(['fwd']);
    await settings.setForwarding(
      fwd.address,
      { target: 'fwd-target@remote.example', keepCopy: false },
      CLI_ACTOR,
    );
    const before = queued.length;
    const { outcomes } = await deliver({ to: [fwd.address], subject: 'to be forwarded' });
    assert.deepEqual(outcomes, [{ recipient: fwd.address, outcome: 'forwarded' }]);
    assert.deepEqual(await folder(fwd.userId), []);
    const job = queued.slice(before).find((q) => q.kind === 'forward');
    assert.ok(job);
    assert.deepEqual(job.recipients, ['fwd-target@remote.example']);
    assert.match(job.mailFrom, /^SRS0=[^=]{4}=[A-Z2-7]{2}=sender\.example=alice@example\.com$/);
    const srs = await delivery.srs();
    assert.equal(srs.reverse(job.mailFrom.slice(0, job.mailFrom.lastIndexOf('@'))), 'alice@sender.example');

    const copy = Buffer.from(await text(await context.blobs.get(job.message.sha256)));
    const copyText = copy.toString('utf8');
    assert.match(copyText, /^ARC-Seal: i=1; /);
    assert.match(copyText, /\r\nARC-Message-Signature: i=1; /);
    assert.match(copyText, /\r\nARC-Authentication-Results: i=1; mx\.example\.com;/);
    assert.match(copyText, new RegExp(`\r\nDelivered-To: ${fwd.address}\r\n`));
    // The destination verifies our seal with the key published for example.com.
    const key = await services.directory.domains.dkimKey('example.com');
    assert.ok(key);
    const publicKey = createPublicKey(key.privateKeyPem)
      .export({ type: 'spki', format: 'der' })
      .toString('base64');
    const dns: DnsResolver = async (name, rrtype) => {
      if (rrtype === 'TXT' && name === `${key.selector}._domainkey.example.com`)
        return [[`v=DKIM1; k=rsa; p=${publicKey}`]];
      throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const verified = await authenticate(copy, {
      ip: '192.0.2.10',
      sender: job.mailFrom,
      mta: 'mx.remote.example',
      resolver: dns as never,
      disableBimi: true,
    });
    assert.equal(verified.arc && verified.arc.status.result, 'pass');
    const audit = await services.audit.query({ action: 'mail.forwarded', target: fwd.address });
    assert.equal(audit[0]?.details.to, 'fwd-target@remote.example');
  });

  test('forwarding with a copy kept: one in the INBOX and one queued; the null sender of a bounce stays null', async () => {
    const { keep } = await people(['keep']);
    await settings.setForwarding(
      keep.address,
      { target: 'elsewhere@remote.example', keepCopy: true },
      CLI_ACTOR,
    );
    const before = queued.length;
    const { outcomes } = await deliver({ to: [keep.address], mailFrom: '' });
    assert.deepEqual(outcomes, [{ recipient: keep.address, outcome: 'delivered' }]);
    assert.equal((await folder(keep.userId)).length, 1);
    const jobs = queued.slice(before).filter((q) => q.kind === 'forward');
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.mailFrom, '');
  });

  test('forwarding to a local user delivers there; a loop (A → B → A) keeps the copy instead of forwarding again', async () => {
    const { a, b } = await people(['a', 'b']);
    await settings.setForwarding(a.address, { target: b.address, keepCopy: false }, CLI_ACTOR);
    await settings.setForwarding(b.address, { target: a.address, keepCopy: false }, CLI_ACTOR);
    const before = queued.length;
    const { outcomes } = await deliver({ to: [a.address], subject: 'round and round' });
    assert.deepEqual(outcomes, [{ recipient: a.address, outcome: 'forwarded' }]);
    assert.equal(queued.length, before, 'nothing left the server');
    const kept = await folder(a.userId);
    assert.equal(kept.length, 1, "the loop ends in A's INBOX");
    assert.equal(kept[0]?.subject, 'round and round');
    assert.deepEqual(await folder(b.userId), []);
    const stored = await text(await context.blobs.get(kept[0]?.blob_sha256 ?? ''));
    assert.equal(stored.match(/^Delivered-To: /gm)?.length, 2);
  });

  test('a block rule drops mail from that sender or domain silently, and audits it', async () => {
    const { blk } = await people(['blk']);
    await settings.addRule(blk.address, { kind: 'block', params: { sender: '@spam.example' } }, CLI_ACTOR);
    const { outcomes } = await deliver({ to: [blk.address], mailFrom: 'x@mail.spam.example' });
    assert.deepEqual(outcomes, [{ recipient: blk.address, outcome: 'blocked' }]);
    assert.deepEqual(await folder(blk.userId), []);
    assert.equal((await services.audit.query({ action: 'mail.blocked', target: blk.address })).length, 1);
    const { outcomes: fine } = await deliver({ to: [blk.address], mailFrom: 'x@notspam.example' });
    assert.equal(fine[0]?.outcome, 'delivered');
  });

  test('a file rule puts matching mail into its folder (made on first use); the rest goes to the INBOX', async () => {
    const { filer } = await people(['filer']);
    await settings.addRule(
      filer.address,
      { kind: 'file', params: { match: { field: 'subject', contains: '[sales]' }, mailbox: 'Lists/Sales' } },
      CLI_ACTOR,
    );
    await deliver({ to: [filer.address], subject: 'Re: [Sales] 今月の数字' });
    await deliver({ to: [filer.address], subject: 'lunch?' });
    assert.deepEqual(
      (await folder(filer.userId, 'Lists/Sales')).map((r) => r.subject),
      ['Re: [Sales] 今月の数字'],
    );
    assert.deepEqual(
      (await folder(filer.userId)).map((r) => r.subject),
      ['lunch?'],
    );
  });

  test('an auto-reply answers each sender once per period, queued as autoreply with a null sender; never bounces, lists or auto-submitted mail', async () => {
    const { away } = await people(['away']);
    await settings.addRule(
      away.address,
      { kind: 'autoreply', params: { subject: '不在のお知らせ', body: '12月1日まで不在です。' } },
      CLI_ACTOR,
    );
    const before = queued.length;
    const replies = () => queued.slice(before).filter((q) => q.kind === 'autoreply');
    await deliver({ to: [away.address], mailFrom: 'first@sender.example' });
    await deliver({ to: [away.address], mailFrom: 'first@sender.example' });
    await deliver({ to: [away.address], mailFrom: '' });
    await deliver({
      to: [away.address],
      mailFrom: 'list@sender.example',
      extra: 'List-Id: <news.sender.example>\r\n',
    });
    await deliver({
      to: [away.address],
      mailFrom: 'robot@sender.example',
      extra: 'Auto-Submitted: auto-generated\r\n',
    });
    await deliver({ to: [away.address], mailFrom: 'mailer-daemon@sender.example' });
    await deliver({ to: [away.address], mailFrom: 'second@sender.example' });
    assert.deepEqual(
      replies().map((q) => q.recipients[0]),
      ['first@sender.example', 'second@sender.example'],
    );
    const reply = replies()[0];
    assert.equal(reply?.mailFrom, '');
    assert.equal(reply?.originUserId, away.userId);
    const body = await text(await context.blobs.get(reply?.message.sha256 ?? ''));
    assert.match(body, /^Auto-Submitted: auto-replied\r\n/m);
    assert.match(body, /^In-Reply-To: <.+@sender\.example>\r\n/m);
    assert.match(body, /^Subject: =\?UTF-8\?/m);
    assert.equal((await folder(away.userId)).length, 7, 'every message is still kept');
  });

  test('an auto-reply outside its from/until window is silent', async () => {
    const { back } = await people(['back']);
    await settings.addRule(
      back.address,
      { kind: 'autoreply', params: { body: 'away', until: Date.now() - 1000 } },
      CLI_ACTOR,
    );
    const before = queued.length;
    await deliver({ to: [back.address], mailFrom: 'someone@sender.example' });
    assert.equal(queued.slice(before).filter((q) => q.kind === 'autoreply').length, 0);
  });

  test('quota: full at RCPT is 452 4.2.2; a message that does not fit is deferred; the 90 % warning comes once, again after falling below', async () => {
    const { quota } = await people(['quota']);
    await services.directory.users.update(quota.address, { quotaBytes: 2000 }, CLI_ACTOR);
    const { outcomes: tooBig } = await deliver({ to: [quota.address], body: 'x'.repeat(3000) });
    assert.deepEqual(tooBig, [
      {
        recipient: quota.address,
        outcome: 'deferred',
        reply: { code: 452, enhanced: '4.2.2', message: 'mailbox full, try again later' },
      },
    ]);
    await deliver({ to: [quota.address], body: 'x'.repeat(1600) });
    const warnings = async () => (await folder(quota.userId)).filter((r) => r.subject.includes('%'));
    assert.equal((await warnings()).length, 1);
    assert.ok((await mailUsage(database.store.db, quota.userId)).warnedAt !== null);
    const resolution = await delivery.resolveRecipient(quota.address);
    assert.equal(resolution.kind === 'local' && resolution.unavailable?.code, 452);
    await deliver({ to: [quota.address], body: 'y' });
    assert.equal((await warnings()).length, 1, 'warned once');

    // Cleaned up below 90 %: the mark is cleared at the next delivery, and the next crossing warns again.
    const inbox = await findMailbox(database.store.db, quota.userId, 'INBOX');
    assert.ok(inbox);
    const rows = await listMessages(database.store.db, inbox.id);
    await database.store.db.transaction().execute((tx) =>
      expungeMessages(
        tx,
        inbox.id,
        rows.map((r) => r.uid),
      ),
    );
    await deliver({ to: [quota.address], body: 'small' });
    assert.equal((await mailUsage(database.store.db, quota.userId)).warnedAt, null);
    await deliver({ to: [quota.address], body: 'x'.repeat(1300) });
    assert.equal((await warnings()).length, 1, 'a new warning after the old ones were expunged');
  });

  test('an auto-reply claim is taken once even when two deliveries race', async () => {
    const { racer } = await people(['racer']);
    const now = Date.now();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () =>
        database.store.db
          .transaction()
          .execute((tx) =>
            claimAutoreply(tx, { userId: racer.userId, sender: 's@x.example', now, notBefore: now - 1000 }),
          ),
      ),
    );
    assert.equal(claims.filter(Boolean).length, 1);
  });
});

describe('SRS (sender rewriting for forwarded mail)', () => {
  const day = 24 * 3600 * 1000;

  test('SRS0 round-trips, case-insensitively; a wrong hash or an old address is refused', () => {
    let now = Date.UTC(2026, 10, 23);
    const codec = new SrsCodec('a secret of enough length', () => now);
    const rewritten = codec.forward('Taro.Yamada@Sender.Example', 'example.com');
    assert.match(rewritten, /^SRS0=[^=]{4}=[A-Z2-7]{2}=Sender\.Example=Taro\.Yamada@example\.com$/);
    const local = rewritten.slice(0, rewritten.lastIndexOf('@'));
    assert.equal(codec.reverse(local), 'Taro.Yamada@Sender.Example');
    assert.equal(codec.reverse(local.toLowerCase()), 'taro.yamada@sender.example');
    assert.equal(new SrsCodec('another secret entirely').reverse(local), undefined);
    now += (SRS_MAX_AGE_DAYS + 1) * day;
    assert.equal(codec.reverse(local), undefined);
  });

  test('an SRS0 address from another forwarder becomes SRS1 and reverses to that forwarder', () => {
    const first = new SrsCodec('first forwarder secret');
    const second = new SrsCodec('second forwarder secret');
    const once = first.forward('alice@sender.example', 'first.example');
    const twice = second.forward(once, 'second.example');
    assert.match(twice, /^SRS1=[^=]{4}=first\.example==/);
    assert.equal(second.reverse(twice.slice(0, twice.lastIndexOf('@'))), once);
    assert.equal(first.reverse(once.slice(0, once.lastIndexOf('@'))), 'alice@sender.example');
  });

  test('the null sender and our own addresses are not rewritten', () => {
    const codec = new SrsCodec('a secret of enough length');
    assert.equal(codec.forward('', 'example.com'), '');
    assert.equal(codec.forward('taro@example.com', 'example.com'), 'taro@example.com');
  });
});
