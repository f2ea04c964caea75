import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { CooError } from '../errors.ts';
import { syncDirectory } from '../fs/sync-directory.ts';

export interface BlobRef {
  /** SHA-256 of the content, lower-case hex: the same bytes always get the same id. */
  id: string;
  size: number;
}

export interface PutOptions {
  /** Larger content is refused with BLOB_TOO_LARGE and nothing is kept. */
  maxBytes?: number;
}

export interface DiskBlobStoreOptions {
  /** Makes a folder's entries durable (fs/sync-directory.ts); tests pass their own to see which folders a put syncs. */
  syncDirectory?: (dir: string) => Promise<void>;
}

export interface ReadRange {
  /** First byte, inclusive; default 0. */
  start?: number;
  /** Last byte, inclusive (as fs.createReadStream); default the end. */
  end?: number;
}

const ID_PATTERN = /^[0-9a-f]{64}$/;
const TEMP_DIR = 'tmp';
// Temp files untouched this long belong to no running put: a put writes
// steadily or fails. A younger one may be another node's upload in progress
// on a shared blob directory.
const STALE_TEMP_MS = 60 * 60 * 1000;

/**
 * Content-addressed blobs on disk (mail bodies, files): ROOT/ab/cd/<sha256>.
 * A put is acknowledged only once the file and its directory entry are
 * fsynced, so a crash loses nothing that was acknowledged. Which blobs are
 * still referenced is the store's business; delete() removes unconditionally.
 */
export class DiskBlobStore {
  readonly root: string;
  /** Shard folders known to exist (and synced), so a put does not ask again each time. */
  readonly #knownDirs = new Set<string>();
  /** Shard folders being made (and synced) right now. */
  readonly #makingDirs = new Map<string, Promise<void>>();
  readonly #syncDirectory: (dir: string) => Promise<void>;
  #tempReady = false;

  constructor(root: string, options: DiskBlobStoreOptions = {}) {
    this.root = path.resolve(root);
    this.#syncDirectory = options.syncDirectory ?? syncDirectory;
  }

  /** Creates the folders and removes temp files left by a crash; call at start-up. */
  static async open(root: string, options: DiskBlobStoreOptions = {}): Promise<DiskBlobStore> {
    const store = new DiskBlobStore(root, options);
    await mkdir(path.join(store.root, TEMP_DIR), { recursive: true });
    await store.cleanTemp();
    return store;
  }

  /**
   * Streams the content to a temp file while hashing it, then moves it to
   * its address. A stream source is consumed (and destroyed on failure).
   */
  async put(source: Buffer | Readable, options: PutOptions = {}): Promise<BlobRef> {
    const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    if (Buffer.isBuffer(source) && source.length > maxBytes) throw tooLarge(maxBytes);
    const tempPath = path.join(
      this.root,
      TEMP_DIR,
      `${Date.now()}-${process.pid}-${randomBytes(6).toString('hex')}.tmp`,
    );
    const hash = createHash('sha256');
    let size = 0;
    let file: FileHandle | undefined = await this.#openTemp(tempPath);
    try {
      for await (const chunk of Buffer.isBuffer(source) ? [source] : source) {
        const bytes = toBuffer(chunk);
        size += bytes.length;
        if (size > maxBytes) throw tooLarge(maxBytes);
        hash.update(bytes);
        await file.write(bytes);
      }
      // fdatasync: the data and its size; the rename below is made durable by the folder's fsync.
      await file.datasync();
      await file.close();
      file = undefined;
      const id = hash.digest('hex');
      await this.#moveIntoPlace(tempPath, id);
      return { id, size };
    } catch (error) {
      await file?.close().catch(() => undefined);
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
  }

  /** Reads a blob; NOT_FOUND when there is none with this id. */
  async get(id: string, range: ReadRange = {}): Promise<Readable> {
    const file = await open(this.#pathOf(id), 'r').catch((error: unknown) => {
      throw notFoundOr(error, id);
    });
    return file.createReadStream({ start: range.start, end: range.end, autoClose: true });
  }

  /**
   * Reads a whole blob into memory in one call (small ones: mail for IMAP);
   * NOT_FOUND when there is none. The callback readFile: a SEARCH reads
   * thousands of these, and the promise API's file handles cost the event
   * loop about twice as much per file.
   */
  read(id: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      readFile(this.#pathOf(id), (error, bytes) => (error ? reject(notFoundOr(error, id)) : resolve(bytes)));
    });
  }

  async has(id: string): Promise<boolean> {
    try {
      await stat(this.#pathOf(id));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Size in bytes; NOT_FOUND when there is no blob with this id. */
  async size(id: string): Promise<number> {
    const stats = await stat(this.#pathOf(id)).catch((error: unknown) => {
      throw notFoundOr(error, id);
    });
    return stats.size;
  }

  /**
   * Removes the blob; false when it was not there. Not fsynced: a delete
   * undone by a crash leaves an unreferenced blob, which costs space, not data.
   */
  async delete(id: string): Promise<boolean> {
    try {
      await unlink(this.#pathOf(id));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** Removes temp files no put is writing any more; returns how many. */
  async cleanTemp(options: { olderThanMs?: number } = {}): Promise<number> {
    const olderThanMs = options.olderThanMs ?? STALE_TEMP_MS;
    const cutoff = Date.now() - olderThanMs;
    const dir = path.join(this.root, TEMP_DIR);
    const names = await readdir(dir).catch((error: unknown) => {
      if (isNotFound(error)) return [];
      throw error;
    });
    let removed = 0;
    for (const name of names) {
      const file = path.join(dir, name);
      const stats = await stat(file).catch(() => undefined);
      // File times come from a coarser clock than Date.now(): 0 means every file, whatever its time.
      if (!stats?.isFile() || (olderThanMs > 0 && stats.mtimeMs > cutoff)) continue;
      await unlink(file).catch(() => undefined);
      removed++;
    }
    return removed;
  }

  /** The temp folder is made once; if someone removed it since, it is made again. */
  async #openTemp(tempPath: string): Promise<FileHandle> {
    if (!this.#tempReady) {
      await mkdir(path.join(this.root, TEMP_DIR), { recursive: true });
      this.#tempReady = true;
    }
    try {
      return await open(tempPath, 'wx', 0o640);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await mkdir(path.join(this.root, TEMP_DIR), { recursive: true });
      return open(tempPath, 'wx', 0o640);
    }
  }

  async #moveIntoPlace(tempPath: string, id: string): Promise<void> {
    const finalPath = this.#pathOf(id);
    const dir = path.dirname(finalPath);
    await this.#shard(dir);
    // Same name, same content: replacing a blob that is already there changes nothing.
    try {
      await rename(tempPath, finalPath);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // The shard folder went away behind our back: make it again.
      this.#knownDirs.delete(dir);
      await this.#shard(dir);
      await rename(tempPath, finalPath);
    }
    // Also when the blob was already there: a concurrent put of the same
    // content may have renamed it without having synced the folder yet.
    await this.#syncDirectory(dir);
  }

  /**
   * The shard folder, made once. Puts that need a folder another put is
   * making wait for that one: mkdir tells only its maker that the folder is
   * new, and the others must not be acknowledged before it is synced.
   */
  #shard(dir: string): Promise<void> {
    if (this.#knownDirs.has(dir)) return Promise.resolve();
    let making = this.#makingDirs.get(dir);
    if (!making) {
      making = this.#makeShard(dir).finally(() => this.#makingDirs.delete(dir));
      this.#makingDirs.set(dir, making);
    }
    return making;
  }

  /**
   * Makes the shard folder ROOT/ab/cd. A new folder must reach the disk too,
   * or the blob's path may vanish in a crash: its entry is in its parent, so
   * ab is synced when cd is new, and the root only when ab is new as well
   * (mkdir names the first folder it made) — once the 256 top folders exist,
   * a new shard costs one folder sync, not two.
   */
  async #makeShard(dir: string): Promise<void> {
    const created = await mkdir(dir, { recursive: true });
    if (created !== undefined) {
      const parent = path.dirname(dir);
      await Promise.all([
        this.#syncDirectory(parent),
        created === dir ? undefined : this.#syncDirectory(this.root),
      ]);
    }
    this.#knownDirs.add(dir);
  }

  #pathOf(id: string): string {
    if (!ID_PATTERN.test(id)) {
      throw new CooError('INVALID_INPUT', `"${id.slice(0, 80)}" is not a blob id (64 hex digits)`);
    }
    return path.join(this.root, id.slice(0, 2), id.slice(2, 4), id);
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('a blob source must yield bytes');
}

function tooLarge(maxBytes: number): CooError {
  return new CooError('BLOB_TOO_LARGE', `the content is larger than the limit of ${maxBytes} bytes`);
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

function notFoundOr(error: unknown, id: string): Error {
  if (isNotFound(error)) return new CooError('NOT_FOUND', `no blob ${id}`);
  return error instanceof Error ? error : new Error(String(error));
}
