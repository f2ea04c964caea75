import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, test } from 'node:test';
import { describeOnEachDatabase } from '../../test/support/stores.ts';
import { openStore } from '../store/database.ts';
import { TieredBlobStore } from './blob-store.ts';
import { DiskBlobStore } from './disk-blob-store.ts';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function diskStore(): Promise<DiskBlobStore> {
  const root = mkdtempSync(path.join(tmpdir(), 'coo-tiered-'));
  roots.push(root);
  return DiskBlobStore.open(root);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function fileOf(disk: DiskBlobStore, id: string): string {
  return path.join(disk.root, id.slice(0, 2), id.slice(2, 4), id);
}

describeOnEachDatabase('the tiered blob store', (context) => {
  const open = async (inlineMaxBytes = 1024) => {
    const disk = await diskStore();
    return { disk, blobs: new TieredBlobStore(disk, context.store.db, { inlineMaxBytes }) };
  };
  const inlineRows = async (id: string) =>
    (await context.store.db.selectFrom('blob_inline').selectAll().where('sha256', '=', id).execute()).length;

  test('small content in memory is a row of the database, not a file, and reads back whole and in ranges', async () => {
    const { disk, blobs } = await open();
    const content = Buffer.from(`Subject: 件名 ${randomBytes(8).toString('hex')}\r\n\r\n本文\r\n`);
    const ref = await blobs.put(content);
    assert.deepEqual(ref, { id: sha256(content), size: content.length });
    assert.equal(await inlineRows(ref.id), 1);
    assert.equal(existsSync(fileOf(disk, ref.id)), false);
    assert.deepEqual(await blobs.read(ref.id), content);
    assert.deepEqual(await buffer(await blobs.get(ref.id)), content);
    assert.deepEqual(await buffer(await blobs.get(ref.id, { start: 2, end: 5 })), content.subarray(2, 6));
    assert.deepEqual(await buffer(await blobs.get(ref.id, { start: 4 })), content.subarray(4));
    assert.equal(await blobs.has(ref.id), true);
    assert.equal(await blobs.size(ref.id), content.length);
  });

  test('content over the limit, and any stream, goes to disk and reads back the same way', async () => {
    const { disk, blobs } = await open(100);
    const large = randomBytes(101);
    const small = randomBytes(50);
    const big = await blobs.put(large);
    const streamed = await blobs.put(Readable.from([small]));
    for (const [ref, content] of [
      [big, large],
      [streamed, small],
    ] as const) {
      assert.equal(await inlineRows(ref.id), 0);
      assert.equal(existsSync(fileOf(disk, ref.id)), true);
      assert.deepEqual(await blobs.read(ref.id), content);
      assert.deepEqual(await buffer(await blobs.get(ref.id, { start: 1, end: 3 })), content.subarray(1, 4));
      assert.equal(await blobs.size(ref.id), content.length);
    }
  });

  test('a limit of 0 keeps everything on disk', async () => {
    const { disk, blobs } = await open(0);
    const ref = await blobs.put(randomBytes(10));
    assert.equal(await inlineRows(ref.id), 0);
    assert.equal(existsSync(fileOf(disk, ref.id)), true);
  });

  test('the same content twice is one row', async () => {
    const { blobs } = await open();
    const content = randomBytes(200);
    const [first, second] = await Promise.all([blobs.put(content), blobs.put(Buffer.from(content))]);
    assert.deepEqual(first, second);
    assert.equal(await inlineRows(first.id), 1);
  });

  test('the size limit of a put holds for the database too, and nothing is kept', async () => {
    const { blobs } = await open();
    const content = randomBytes(300);
    await assert.rejects(blobs.put(content, { maxBytes: 299 }), { code: 'BLOB_TOO_LARGE' });
    assert.equal(await inlineRows(sha256(content)), 0);
  });

  test('delete removes the blob from whichever tier holds it, and from both', async () => {
    const { disk, blobs } = await open();
    const inline = await blobs.put(randomBytes(20));
    const onDisk = await blobs.put(randomBytes(2000));
    // The same content in both tiers (the limit was changed in between).
    const both = randomBytes(30);
    await disk.put(both);
    const bothRef = await blobs.put(both);
    for (const ref of [inline, onDisk, bothRef]) {
      assert.equal(await blobs.delete(ref.id), true);
      assert.equal(await blobs.has(ref.id), false);
      assert.equal(await inlineRows(ref.id), 0);
      assert.equal(existsSync(fileOf(disk, ref.id)), false);
      await assert.rejects(blobs.read(ref.id), { code: 'NOT_FOUND' });
      assert.equal(await blobs.delete(ref.id), false);
    }
  });

  test('an unknown or malformed id is NOT_FOUND or INVALID_INPUT, as on disk', async () => {
    const { blobs } = await open();
    const unknown = sha256(randomBytes(8));
    await assert.rejects(blobs.read(unknown), { code: 'NOT_FOUND' });
    await assert.rejects(blobs.get(unknown), { code: 'NOT_FOUND' });
    await assert.rejects(blobs.size(unknown), { code: 'NOT_FOUND' });
    assert.equal(await blobs.has(unknown), false);
    await assert.rejects(blobs.read('../../etc/passwd'), { code: 'INVALID_INPUT' });
  });

  // Only the embedded database answers without the event loop turning: PostgreSQL's reads wait on a socket.
  if (context.kind === 'sqlite')
    test('a long run of reads gives the event loop turns', async () => {
      const { blobs } = await open(64 * 1024);
      const ref = await blobs.put(randomBytes(60 * 1024));
      let turns = 0;
      const ticker = setInterval(() => turns++, 1);
      const started = performance.now();
      // Reads that only await the database: without the turns, the interval could not fire until the end.
      while (performance.now() - started < 300) await blobs.read(ref.id);
      clearInterval(ticker);
      assert.ok(turns >= 5, `the timer ran ${turns} times in 300 ms of reads`);
    });
});

test('an inline blob is durable: it is there after the database is closed and opened again', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'coo-tiered-db-'));
  roots.push(dir);
  const target = { kind: 'sqlite' as const, file: path.join(dir, 'coo.db') };
  const disk = await DiskBlobStore.open(path.join(dir, 'blobs'));
  const content = Buffer.from('kept across a restart');
  let store = await openStore(target);
  const ref = await new TieredBlobStore(disk, store.db).put(content);
  await store.close();
  store = await openStore(target);
  try {
    assert.deepEqual(await new TieredBlobStore(disk, store.db).read(ref.id), content);
  } finally {
    await store.close();
  }
});
