import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createPeople, messagingDeps, uniquePrefix } from '../../../test/support/messaging-deps.ts';
import { servicesOver } from '../../../test/support/services.ts';
import { describeOnEachDatabase } from '../../../test/support/stores.ts';
import { DiskBlobStore } from '../../blob/disk-blob-store.ts';
import { createLogger } from '../../log.ts';
import { ConversationService } from '../conversations/conversation-service.ts';
import type { ImActor } from '../conversations/deps.ts';
import { MessageService } from '../conversations/message-service.ts';
import { MemoService } from '../memos/memo-service.ts';
import { StoreFileAccess } from './file-access.ts';
import { FileService, type FileUser } from './file-service.ts';

const silent = createLogger('silent', new Writable({ write: (_chunk, _encoding, done) => done() }));

describeOnEachDatabase('the file service', (context) => {
  let dir: string;
  let blobs: DiskBlobStore;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'coo-files-'));
    blobs = await DiskBlobStore.open(path.join(dir, 'blobs'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function world() {
    const services = servicesOver(context.store);
    const files = new FileService({
      store: context.store,
      audit: services.audit,
      blobs,
      access: new StoreFileAccess(context.store),
      logger: silent,
    });
    const { deps } = messagingDeps(services);
    deps.attachments = files;
    return {
      services,
      files,
      conversations: new ConversationService(deps),
      messages: new MessageService(deps),
      memos: new MemoService(deps),
    };
  }

  /** A complete upload of these bytes in a temp file, kept as `actor`'s. */
  async function uploaded(files: FileService, actor: ImActor, bytes: Buffer, name = 'a.bin') {
    const id = randomBytes(16).toString('hex');
    const file = path.join(dir, id);
    writeFileSync(file, bytes);
    const row = await files.keep(
      { id, path: file, size: bytes.length, uploaderId: actor.userId, name, declaredType: undefined },
      { name: actor.address, protocol: 'http', remote: '192.0.2.9' },
    );
    return row;
  }

  const userOf = (actor: ImActor): FileUser => ({
    id: actor.userId,
    actor: { name: actor.address, protocol: 'http', remote: '192.0.2.9' },
  });

  test('keeps the bytes in the blob store under their SHA-256, audited; keeping twice gives the first', async () => {
    const { files, services } = world();
    const { ann } = await createPeople(services, uniquePrefix('keep'), ['ann']);
    const bytes = randomBytes(100_000);
    const row = await uploaded(files, ann, bytes, 'data/../report.bin');
    assert.equal(row.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(row.name, 'report.bin');
    assert.equal(await blobs.size(row.sha256), bytes.length);
    const [entry] = await services.audit.query({ action: 'file.upload', target: row.id });
    assert.equal(entry?.actor, ann.address);

    const file = path.join(dir, `${row.id}-again`);
    writeFileSync(file, bytes);
    const input = {
      id: row.id,
      path: file,
      size: bytes.length,
      uploaderId: ann.userId,
      name: 'other',
      declaredType: undefined,
    };
    const actor = { name: ann.address, protocol: 'http', remote: '' };
    const [first, second] = await Promise.all([files.keep(input, actor), files.keep(input, actor)]);
    assert.equal(first.name, 'report.bin');
    assert.equal(second.name, 'report.bin');
    assert.equal((await services.audit.query({ action: 'file.upload', target: row.id })).length, 1);
  });

  test('a temp file of another size than the upload said is not kept', async () => {
    const { files, services } = world();
    const { ann } = await createPeople(services, uniquePrefix('size'), ['ann']);
    const id = randomBytes(16).toString('hex');
    writeFileSync(path.join(dir, id), Buffer.alloc(10));
    await assert.rejects(
      files.keep(
        {
          id,
          path: path.join(dir, id),
          size: 11,
          uploaderId: ann.userId,
          name: 'x',
          declaredType: undefined,
        },
        { name: ann.address, protocol: 'http', remote: '' },
      ),
      /expected 11 bytes/,
    );
    assert.equal(await files.ownFile(id, ann.userId), undefined);
  });

  test('a JPEG is previewed upright and small; a forged image header is kept without', async () => {
    const { files, services } = world();
    const { ann } = await createPeople(services, uniquePrefix('preview'), ['ann']);
    // 600 × 300 stored sideways (EXIF orientation 6: rotate 90°), as phones do.
    const jpeg = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#3366aa' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const photo = await uploaded(files, ann, jpeg, 'photo.jpg');
    assert.equal(photo.mime_type, 'image/jpeg');
    assert.ok(photo.preview_blob_id);
    const previewBytes = Buffer.concat(
      (await (await blobs.get(photo.preview_blob_id)).toArray()) as Buffer[],
    );
    const preview = await sharp(previewBytes).metadata();
    assert.deepEqual([preview.format, preview.width, preview.height], ['webp', 240, 480]);

    // A PNG header claiming 100,000 × 100,000 pixels and nothing behind it.
    const bomb = Buffer.from('89504e470d0a1a0a0000000d49484452000186a0000186a00806000000', 'hex');
    const kept = await uploaded(files, ann, Buffer.concat([bomb, Buffer.alloc(64)]), 'bomb.png');
    assert.equal(kept.mime_type, 'image/png');
    assert.equal(kept.preview_blob_id, null);
  });

  test('members of the conversation it was sent in may read it; who leaves loses it; others never had it', async () => {
    const { files, services, conversations, messages } = world();
    const { ann, ben, cat } = await createPeople(services, uniquePrefix('chat'), ['ann', 'ben', 'cat']);
    const row = await uploaded(files, ann, Buffer.from('plan'));
    await assert.rejects(files.readable(row.id, ben.userId), { code: 'IM_FILE_UNKNOWN' });
    const group = await conversations.createGroup(ann, 'plans', [ben.userId]);
    const message = await messages.send(ann, { conversationId: group.id, text: '', attachments: [row.id] });
    assert.deepEqual(
      message.attachments.map((a) => a.id),
      [row.id],
    );

    assert.equal((await files.readable(row.id, ben.userId)).id, row.id);
    await assert.rejects(files.readable(row.id, cat.userId), { code: 'IM_FILE_UNKNOWN' });
    await conversations.leave(ben, group.id);
    await assert.rejects(files.readable(row.id, ben.userId), { code: 'IM_FILE_UNKNOWN' });
    assert.equal((await files.readable(row.id, ann.userId)).id, row.id, 'the uploader always may');

    const stream = await files.openForDownload(row, 'file', { start: 1, end: 2 }, userOf(ann));
    assert.equal(Buffer.concat(await stream.toArray()).toString(), 'la');
    const [download] = await services.audit.query({ action: 'file.download', target: row.id });
    assert.deepEqual(
      [download?.actor, download?.details.size, download?.details.range],
      [ann.address, 2, '1-2'],
    );
  });

  test('the sender and recipients of a memo may read its files, nobody else', async () => {
    const { files, services, memos } = world();
    const { ann, ben, cat } = await createPeople(services, uniquePrefix('memo'), ['ann', 'ben', 'cat']);
    const row = await uploaded(files, ben, Buffer.from('minutes'));
    await memos.send(ben, {
      subject: 'minutes',
      body: 'attached',
      to: { userIds: [ann.userId] },
      attachments: [row.id],
    });
    assert.equal((await files.readable(row.id, ann.userId)).id, row.id);
    assert.equal((await files.readable(row.id, ben.userId)).id, row.id);
    await assert.rejects(files.readable(row.id, cat.userId), { code: 'IM_FILE_UNKNOWN' });
  });

  test('attaching someone else’s file or an unknown id fails the whole message; nothing is attached', async () => {
    const { files, services, conversations, messages } = world();
    const { ann, ben } = await createPeople(services, uniquePrefix('attach'), ['ann', 'ben']);
    const mine = await uploaded(files, ann, Buffer.from('mine'));
    const theirs = await uploaded(files, ben, Buffer.from('theirs'));
    const direct = await conversations.createDirect(ann, ben.userId);
    for (const ids of [
      [mine.id, theirs.id],
      [mine.id, 'f'.repeat(32)],
    ]) {
      await assert.rejects(
        messages.send(ann, { conversationId: direct.id, text: 'files', attachments: ids }),
        { code: 'IM_FILE_UNKNOWN' },
      );
    }
    await assert.rejects(
      files.readable(mine.id, ben.userId),
      { code: 'IM_FILE_UNKNOWN' },
      'nothing was attached',
    );
    const twice = await files.attach([mine.id, mine.id], ann.userId, { conversationId: direct.id });
    assert.equal(twice.length, 1);
  });
});
