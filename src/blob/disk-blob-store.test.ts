import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, describe, it } from 'node:test';
import { DiskBlobStore } from './disk-blob-store.ts';

const roots: string[] = [];

async function openStore(): Promise<DiskBlobStore> {
  const root = mkdtempSync(path.join(tmpdir(), 'coo-blobs-'));
  roots.push(root);
  return DiskBlobStore.open(root);
}

function tempFiles(store: DiskBlobStore): string[] {
  return readdirSync(path.join(store.root, 'tmp'));
}

/** Every blob file under the root, wherever it sits. */
function blobFiles(store: DiskBlobStore): string[] {
  return readdirSync(store.root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.parentPath.endsWith(`${path.sep}tmp`))
    .map((entry) => entry.name);
}

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The first of "blob 0", "blob 1"… whose id passes the test (a shard of one's choosing). */
function contentWhere(wanted: (id: string) => boolean): string {
  for (let i = 0; ; i++) {
    const content = `blob ${i}`;
    if (wanted(sha256(content))) return content;
  }
}

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('DiskBlobStore', () => {
  it('stores content at ab/cd/<sha256> and reads it back', async () => {
    const store = await openStore();
    const body = 'Subject: hello\r\n\r\nThis is a mail body.\r\n';
    const { id, size } = await store.put(Buffer.from(body));
    assert.equal(id, sha256(body));
    assert.equal(size, Buffer.byteLength(body));
    assert.ok(statSync(path.join(store.root, id.slice(0, 2), id.slice(2, 4), id)).isFile());
    assert.equal(await text(await store.get(id)), body);
    assert.equal(await store.has(id), true);
    assert.equal(await store.size(id), size);
    assert.equal(await text(await store.get(id, { start: 9, end: 13 })), 'hello');
    assert.deepEqual(tempFiles(store), []);
  });

  it('stores the same content once, under the same id, from a buffer or a stream', async () => {
    const store = await openStore();
    const first = await store.put(Buffer.from('same bytes'));
    const second = await store.put(Readable.from([Buffer.from('same '), Buffer.from('bytes')]));
    assert.deepEqual(second, first);
    assert.deepEqual(blobFiles(store), [first.id]);
  });

  it('refuses content over maxBytes with BLOB_TOO_LARGE and keeps nothing', async () => {
    const store = await openStore();
    const chunks = Array.from({ length: 10 }, () => randomBytes(1024));
    await assert.rejects(store.put(Readable.from(chunks), { maxBytes: 5000 }), { code: 'BLOB_TOO_LARGE' });
    await assert.rejects(store.put(Buffer.alloc(5001), { maxBytes: 5000 }), { code: 'BLOB_TOO_LARGE' });
    assert.deepEqual(tempFiles(store), []);
    assert.deepEqual(blobFiles(store), []);
    // Exactly at the limit is allowed.
    assert.equal((await store.put(Buffer.alloc(5000), { maxBytes: 5000 })).size, 5000);
  });

  it('keeps nothing when the source stream fails midway, and passes its error on', async () => {
    const store = await openStore();
    async function* failing() {
      yield Buffer.alloc(64 * 1024, 1);
      yield Buffer.alloc(64 * 1024, 2);
      throw new Error('connection reset by peer');
    }
    await assert.rejects(store.put(Readable.from(failing())), /connection reset by peer/);
    assert.deepEqual(tempFiles(store), []);
    assert.deepEqual(blobFiles(store), []);
  });

  it('rejects ids that are not 64 hex digits, so no path can escape the root', async () => {
    const store = await openStore();
    writeFileSync(path.join(store.root, 'secret'), 'do not read');
    const bad = [
      '../secret',
      '../../etc/passwd',
      '',
      'A'.repeat(64),
      `${'a'.repeat(63)}/`,
      `${'a'.repeat(64)}\n`,
    ];
    for (const id of bad) {
      await assert.rejects(store.get(id), { code: 'INVALID_INPUT' }, JSON.stringify(id));
      await assert.rejects(store.has(id), { code: 'INVALID_INPUT' });
      await assert.rejects(store.size(id), { code: 'INVALID_INPUT' });
      await assert.rejects(store.delete(id), { code: 'INVALID_INPUT' });
    }
  });

  it('answers NOT_FOUND for an unknown id, and delete removes a blob', async () => {
    const store = await openStore();
    const unknown = sha256('never stored');
    await assert.rejects(store.get(unknown), { code: 'NOT_FOUND' });
    await assert.rejects(store.size(unknown), { code: 'NOT_FOUND' });
    await assert.rejects(store.read(unknown), { code: 'NOT_FOUND' });
    assert.equal(await store.has(unknown), false);
    const { id } = await store.put(Buffer.from('short-lived'));
    assert.equal((await store.read(id)).toString(), 'short-lived');
    assert.equal(await store.delete(id), true);
    assert.equal(await store.delete(id), false);
    assert.equal(await store.has(id), false);
  });

  it('stores a 20 MB streamed input and reads it back intact', async () => {
    const store = await openStore();
    const hash = createHash('sha256');
    const chunkCount = 320;
    async function* generate() {
      for (let i = 0; i < chunkCount; i++) {
        const chunk = Buffer.alloc(64 * 1024, i % 251);
        hash.update(chunk);
        yield chunk;
      }
    }
    const { id, size } = await store.put(Readable.from(generate()));
    assert.equal(size, chunkCount * 64 * 1024);
    assert.equal(id, hash.digest('hex'));
    const readBack = createHash('sha256');
    for await (const chunk of await store.get(id)) readBack.update(chunk as Buffer);
    assert.equal(readBack.digest('hex'), id);
  });

  it('cleanTemp removes stale temp files and leaves a recent one, which may be an upload in progress', async () => {
    const store = await openStore();
    const stale = path.join(store.root, 'tmp', 'crashed.tmp');
    const recent = path.join(store.root, 'tmp', 'in-progress.tmp');
    writeFileSync(stale, 'half a mail');
    writeFileSync(recent, 'half another');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    assert.equal(await store.cleanTemp(), 1);
    assert.deepEqual(tempFiles(store), ['in-progress.tmp']);
    assert.equal(await store.cleanTemp({ olderThanMs: 0 }), 1);
    assert.deepEqual(tempFiles(store), []);
  });

  it('open() cleans leftovers of a crash', async () => {
    const store = await openStore();
    const leftover = path.join(store.root, 'tmp', 'leftover.tmp');
    writeFileSync(leftover, 'x');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(leftover, old, old);
    await DiskBlobStore.open(store.root);
    assert.deepEqual(tempFiles(store), []);
  });

  it('a new shard folder syncs its parent, and the root only when the top folder is new too', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'coo-blobs-'));
    roots.push(root);
    const synced: string[] = [];
    const store = await DiskBlobStore.open(root, {
      syncDirectory: async (dir) => {
        synced.push(path.relative(root, dir) || '.');
      },
    });
    const first = await store.put(Buffer.from('first'));
    const [top, shard] = [first.id.slice(0, 2), first.id.slice(2, 4)];
    assert.deepEqual(synced.sort(), ['.', top, path.join(top, shard)].sort());
    // Another blob under the same top folder, in a shard of its own.
    const sibling = contentWhere((id) => id.startsWith(top) && id.slice(2, 4) !== shard);
    synced.length = 0;
    const second = await store.put(Buffer.from(sibling));
    assert.deepEqual(synced.sort(), [top, path.join(top, second.id.slice(2, 4))].sort());
    // The same shard again: only the shard folder, for the rename.
    synced.length = 0;
    await store.put(Buffer.from(contentWhere((id) => id.startsWith(top + shard) && id !== first.id)));
    assert.deepEqual(synced, [path.join(top, shard)]);
  });

  it('puts racing into a new shard folder are all acknowledged only once its entry is synced', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'coo-blobs-'));
    roots.push(root);
    let holdParent = false;
    let releaseParent!: () => void;
    const parentSynced = new Promise<void>((resolve) => (releaseParent = resolve));
    const store = await DiskBlobStore.open(root, {
      // Once armed, the top folder's sync (it holds the new shard's entry) waits until released.
      syncDirectory: (dir) =>
        holdParent && path.relative(root, dir).length === 2 ? parentSynced : Promise.resolve(),
    });
    // The top folder exists already: only the shard folder is new, and only its parent needs a sync.
    const existing = await store.put(Buffer.from('existing'));
    const top = existing.id.slice(0, 2);
    const first = contentWhere((id) => id.startsWith(top) && id.slice(2, 4) !== existing.id.slice(2, 4));
    const shard = sha256(first).slice(0, 4);
    const second = contentWhere((id) => id.startsWith(shard) && id !== sha256(first));
    holdParent = true;
    const done: string[] = [];
    const puts = [first, second].map((content) =>
      store.put(Buffer.from(content)).then(() => done.push(content)),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(done, [], 'no put may be acknowledged before the new shard is durable');
    releaseParent();
    await Promise.all(puts);
    assert.deepEqual(done.sort(), [first, second].sort());
  });

  it('a shard folder or the temp folder removed behind its back is made again on the next put', async () => {
    const store = await openStore();
    const first = await store.put(Buffer.from('first'));
    rmSync(path.join(store.root, first.id.slice(0, 2)), { recursive: true, force: true });
    rmSync(path.join(store.root, 'tmp'), { recursive: true, force: true });
    const again = await store.put(Buffer.from('first'));
    assert.equal(again.id, first.id);
    assert.equal(await text(await store.get(again.id)), 'first');
  });
});
