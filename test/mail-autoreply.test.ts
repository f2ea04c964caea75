import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TieredBlobStore } from '../src/blob/blob-store.ts';
import { DiskBlobStore } from '../src/blob/disk-blob-store.ts';
import { MemoryBus } from '../src/bus/memory-bus.ts';
import { parseConfig } from '../src/config/loader.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { createLogger } from '../src/log.ts';
import { LocalDelivery } from '../src/mail/delivery/local-delivery.ts';
import { MailSettingsService } from '../src/mail/delivery/mail-settings-service.ts';
import type { MailContext } from '../src/mail/mail-system.ts';
import type { OutboundQueuePort } from '../src/mail/ports.ts';
import type { Services } from '../src/services.ts';
import { findMailbox, listMessages } from '../src/store/mailboxes.ts';
import { createPeople, uniquePrefix } from './support/messaging-deps.ts';
import { servicesOver } from './support/services.ts';
import { describeOnEachDatabase } from './support/stores.ts';

/**
 * RFC 3834 §2 / RFC 5230 §4.5 through local delivery: an away user's
 * auto-reply answers only mail whose To or Cc names them, so a Bcc'd copy,
 * list mail without list fields and the like get no reply (and are still
 * kept).
 */

type Enqueued = Parameters<OutboundQueuePort['enqueue']>[0];

describeOnEachDatabase('auto-reply only to mail addressed to the user', (database) => {
  let services: Services;
  let context: MailContext;
  let delivery: LocalDelivery;
  let blobDir: string;
  const queued: Enqueued[] = [];

  before(async () => {
    const loaded = parseConfig(`[server]\nhostname = "mx.example.com"\n`, path.join(tmpdir(), 'coo.toml'));
    services = { ...servicesOver(database.store), config: loaded, close: async () => undefined };
    blobDir = mkdtempSync(path.join(tmpdir(), 'coo-autoreply-'));
    context = {
      services,
      bus: new MemoryBus(),
      blobs: new TieredBlobStore(await DiskBlobStore.open(blobDir), database.store.db),
      logger: createLogger('silent'),
      config: loaded,
      tls: { certPem: '', keyPem: '' },
      queue: { enqueue: async (input: Enqueued) => void queued.push(input) },
      resolver: async () => {
        throw Object.assign(new Error('offline'), { code: 'ECONNREFUSED' });
      },
    } as unknown as MailContext;
    delivery = new LocalDelivery(context);
    context.localDelivery = delivery;
  });
  after(() => rmSync(blobDir, { recursive: true, force: true }));

  /** Delivers to `recipient` (the envelope) a message whose header names whom `header` says. */
  async function deliver(recipient: string, mailFrom: string, header: string) {
    const bytes = Buffer.from(
      `Authentication-Results: mx.example.com; spf=temperror smtp.mailfrom=${mailFrom}\r\n` +
        `From: <${mailFrom}>\r\n${header}Subject: hello\r\n` +
        `Message-ID: <${Math.random().toString(36).slice(2)}@sender.example>\r\n\r\nHello.\r\n`,
      'latin1',
    );
    const blob = await context.blobs.put(bytes);
    return delivery.deliver({
      message: { sha256: blob.id, size: blob.size },
      mailFrom,
      recipients: [recipient],
    });
  }

  test('To or Cc naming the user (a +tag too) is answered; a Bcc copy, a list address or a display name alone is not', async () => {
    const { away } = await createPeople(services, uniquePrefix('auto'), ['away']);
    await new MailSettingsService(services).addRule(
      away.address,
      { kind: 'autoreply', params: { body: '不在です。' } },
      CLI_ACTOR,
    );
    const [localPart] = away.address.split('@');
    const before = queued.length;
    // A sender per case: the once-per-sender period must not hide what is tested.
    await deliver(away.address, 'to@sender.example', `To: ${away.address.toUpperCase()}\r\n`);
    await deliver(
      away.address,
      'cc@sender.example',
      `To: boss@example.com\r\nCc: Sato <sato@example.com>, ${away.address}\r\n`,
    );
    await deliver(
      away.address,
      'tagged@sender.example',
      `To: =?ISO-2022-JP?B?GyRCRURDZhsoQg==?= <${localPart}+news@example.com>\r\n`,
    );
    await deliver(away.address, 'bcc@sender.example', 'To: colleague@example.com\r\n');
    await deliver(away.address, 'hidden@sender.example', 'To: undisclosed-recipients:;\r\n');
    await deliver(away.address, 'list@sender.example', 'To: all-staff@lists.example\r\n');
    const nameOnly = Buffer.from(`"${away.address}"`).toString('base64');
    await deliver(
      away.address,
      'named@sender.example',
      `To: =?UTF-8?B?${nameOnly}?= <other@example.com>\r\n`,
    );
    await deliver(away.address, 'none@sender.example', '');

    assert.deepEqual(
      queued
        .slice(before)
        .filter((q) => q.kind === 'autoreply')
        .map((q) => q.recipients[0]),
      ['to@sender.example', 'cc@sender.example', 'tagged@sender.example'],
    );
    const inbox = await findMailbox(database.store.db, away.userId, 'INBOX');
    assert.equal(
      inbox ? (await listMessages(database.store.db, inbox.id)).length : 0,
      8,
      'every message is kept',
    );
  });
});
