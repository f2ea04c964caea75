import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CooError } from '../errors.ts';
import type { Db } from '../store/database.ts';
import { prepareQuery } from '../store/prepared-query.ts';
import type { LoadedConfig } from '../config/loader.ts';
import { DiskBlobStore, type BlobRef, type PutOptions, type ReadRange } from './disk-blob-store.ts';

/**
 * Where mail bodies and files live, by their SHA-256. Every user of blobs
 * (mail delivery, IMAP, POP3, the queue, messenger files) speaks to this.
 */
export interface BlobStore {
  /** The blob folder on disk (spool and temp files are made beneath it). */
  readonly root: string;
  /** Keeps the content; resolves only once it is durable. */
  put(source: Buffer | Readable, options?: PutOptions): Promise<BlobRef>;
  /** A stream of the blob (or of a byte range of it); NOT_FOUND when there is none. */
  get(id: string, range?: ReadRange): Promise<Readable>;
  /** The whole blob in memory; NOT_FOUND when there is none. */
  read(id: string): Promise<Buffer>;
  has(id: string): Promise<boolean>;
  /** Size in bytes; NOT_FOUND when there is none. */
  size(id: string): Promise<number>;
  /** Removes the blob; false when it was not there. Whether it is still referenced is the caller's business. */
  delete(id: string): Promise<boolean>;
}

/** Content up to this size that is handed over in memory is kept in the database. */
export const DEFAULT_INLINE_MAX_BYTES = 64 * 1024;

/**
 * While a run of reads is served from the embedded database, whose calls
 * are synchronous, the event loop gets a turn at least this often: a SEARCH
 * over 100,000 messages must not hold every other session for its length.
 */
const MAX_TURN_MS = 20;

const ID_PATTERN = /^[0-9a-f]{64}$/;

const insertInline = prepareQuery((db, p: { sha256: string; size: number; content: Buffer; now: number }) =>
  db
    .insertInto('blob_inline')
    .values({ sha256: p.sha256, size: p.size, content: p.content, created_at: p.now })
    .onConflict((conflict) => conflict.column('sha256').doNothing()),
);
const contentOf = prepareQuery((db, p: { sha256: string }) =>
  db.selectFrom('blob_inline').select('content').where('sha256', '=', p.sha256),
);
const sizeOf = prepareQuery((db, p: { sha256: string }) =>
  db.selectFrom('blob_inline').select('size').where('sha256', '=', p.sha256),
);
const deleteInline = prepareQuery((db, p: { sha256: string }) =>
  db.deleteFrom('blob_inline').where('sha256', '=', p.sha256),
);

/**
 * Small blobs in the database, the rest on disk. A message of a few
 * kilobytes costs a file, its fsync, a rename and its folder's fsync on
 * disk — more than all the rest of its delivery together; in the database
 * it is one more row for the group commit, which fsyncs the WAL once for
 * everything written meanwhile. What is handed over in memory (a Buffer)
 * and is no larger than `inlineMaxBytes` goes in; a stream (an upload, a
 * message spooled to disk) goes to the DiskBlobStore. Either way the id is
 * the content's SHA-256, and readers do not know which tier answered: the
 * database is asked first, then the disk.
 */
export class TieredBlobStore implements BlobStore {
  readonly disk: DiskBlobStore;
  readonly #db: Db;
  readonly #inlineMaxBytes: number;
  #turnStarted = 0;
  #turnScheduled = false;

  constructor(disk: DiskBlobStore, db: Db, options: { inlineMaxBytes?: number } = {}) {
    this.disk = disk;
    this.#db = db;
    this.#inlineMaxBytes = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  }

  get root(): string {
    return this.disk.root;
  }

  async put(source: Buffer | Readable, options: PutOptions = {}): Promise<BlobRef> {
    if (!Buffer.isBuffer(source) || source.length > this.#inlineMaxBytes) {
      return this.disk.put(source, options);
    }
    if (options.maxBytes !== undefined && source.length > options.maxBytes) {
      throw new CooError(
        'BLOB_TOO_LARGE',
        `the content is larger than the limit of ${options.maxBytes} bytes`,
      );
    }
    const id = createHash('sha256').update(source).digest('hex');
    // The same content twice is one row: the second insert changes nothing.
    await insertInline.run(this.#db, { sha256: id, size: source.length, content: source, now: Date.now() });
    return { id, size: source.length };
  }

  async get(id: string, range: ReadRange = {}): Promise<Readable> {
    const inline = await this.#inline(id);
    if (!inline) return this.disk.get(id, range);
    const start = range.start ?? 0;
    const end = range.end === undefined ? inline.length : range.end + 1;
    return Readable.from([inline.subarray(start, Math.max(start, end))]);
  }

  async read(id: string): Promise<Buffer> {
    return (await this.#inline(id)) ?? this.disk.read(id);
  }

  async has(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return this.disk.has(id);
    return (await sizeOf.takeFirst(this.#db, { sha256: id })) !== undefined || this.disk.has(id);
  }

  async size(id: string): Promise<number> {
    if (!ID_PATTERN.test(id)) return this.disk.size(id);
    const row = await sizeOf.takeFirst(this.#db, { sha256: id });
    return row ? Number(row.size) : this.disk.size(id);
  }

  /** Removes it from both tiers: a changed limit may have put the same content in each. */
  async delete(id: string): Promise<boolean> {
    if (!ID_PATTERN.test(id)) return this.disk.delete(id);
    const inline = (await deleteInline.affected(this.#db, { sha256: id })) > 0;
    const onDisk = await this.disk.delete(id);
    return inline || onDisk;
  }

  /** The content when the database holds it; a malformed id is left to the disk tier to refuse. */
  async #inline(id: string): Promise<Buffer | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    await this.#giveTheLoopATurn();
    const row = await contentOf.takeFirst(this.#db, { sha256: id });
    if (!row) return undefined;
    const content = row.content;
    return Buffer.isBuffer(content)
      ? content
      : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  }

  /**
   * Waits for the next turn of the event loop when reads have run for
   * longer than MAX_TURN_MS within this one: the clock starts at the turn's
   * first read, and a setImmediate marks the turn's end.
   */
  async #giveTheLoopATurn(): Promise<void> {
    const now = performance.now();
    if (!this.#turnScheduled) {
      this.#turnScheduled = true;
      this.#turnStarted = now;
      setImmediate(() => (this.#turnScheduled = false));
      return;
    }
    if (now - this.#turnStarted > MAX_TURN_MS) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The data dir's blob store as the configuration describes it, without touching the disk (CLI, admin routes). */
export function configuredBlobStore(config: LoadedConfig, db: Db): TieredBlobStore {
  return tiered(new DiskBlobStore(config.paths.blobs), config, db);
}

/** The blob store for a running server: the folders made and a crash's temp files removed. */
export async function openBlobStore(config: LoadedConfig, db: Db): Promise<TieredBlobStore> {
  return tiered(await DiskBlobStore.open(config.paths.blobs), config, db);
}

function tiered(disk: DiskBlobStore, config: LoadedConfig, db: Db): TieredBlobStore {
  return new TieredBlobStore(disk, db, { inlineMaxBytes: config.config.blobs.inline_max_bytes });
}
