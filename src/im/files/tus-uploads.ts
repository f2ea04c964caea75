import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer, type Upload } from '@tus/server';
import type { Logger } from '../../log.ts';
import type { LimitReader } from '../../settings/live-limits.ts';
import { FILES_PATH, UploadMetadataKeys } from '../../protocol/im/files.ts';
import type { FileService, FileUser } from './file-service.ts';

/** Upload-Metadata key the server sets to the uploader's user id (a client's own value is dropped). */
const UPLOADER_KEY = 'coo-uploader';

/** An unfinished upload nobody wrote to for this long is deleted with its bytes. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;

export const UPLOAD_ID_PATTERN = /^[0-9a-f]{32}$/;

export interface TusUploadsOptions {
  /** Where unfinished uploads live: DATA/uploads. */
  directory: string;
  /** The size limit as it is now (im.max-upload-size): tus asks it at each creation and PATCH. */
  maxBytes: LimitReader;
  files: FileService;
  logger: Logger;
}

/**
 * The tus 1.0.0 server (creation, creation-with-upload, creation-defer-length,
 * termination) over @tus/file-store in DATA/uploads. Requests
 * reach it already authenticated; each upload remembers its uploader, and a
 * complete one is handed to the FileService before the last PATCH is
 * answered, then its temp file is deleted.
 */
export class TusUploads {
  readonly #server: TusServer;
  readonly #store: FileStore;
  readonly #users = new WeakMap<Request, FileUser>();
  readonly #requestIds = new WeakMap<Request, string>();
  readonly #options: TusUploadsOptions;

  constructor(options: TusUploadsOptions) {
    this.#options = options;
    // Made here, at start-up, so a folder that cannot be made stops the server
    // with a clear error (FileStore would make it later, where a failure is uncaught).
    mkdirSync(options.directory, { recursive: true, mode: 0o750 });
    // No tus expiration: it counts from creation, which would cut a slow
    // upload still in progress; sweepStale() counts from the last write.
    this.#store = new FileStore({ directory: options.directory });
    this.#server = new TusServer({
      path: FILES_PATH,
      datastore: this.#store,
      maxSize: () => options.maxBytes.read(),
      // The Location is then "/api/v1/im/files/ID", right behind any proxy.
      relativeLocation: true,
      // Same-origin web client: no CORS headers at all.
      allowedOrigins: [],
      disableTerminationForFinishedUploads: true,
      namingFunction: () => randomBytes(16).toString('hex'),
      onUploadCreate: async (request, upload) => ({ metadata: this.#metadataFor(request, upload) }),
      onUploadFinish: async (request, upload) => {
        await this.#finish(request, upload);
        return {};
      },
      // tus answers a failure of ours with a bare 500; the log must say what it was.
      onResponseError: (request, error) => {
        if (!('status_code' in error)) {
          this.#options.logger.error({ err: error, reqId: this.#requestIds.get(request) }, 'upload failed');
        }
        return undefined;
      },
    });
  }

  /**
   * Answers one tus request (POST, HEAD, PATCH, DELETE, OPTIONS) of an
   * authenticated user; `requestId` ties a failure in the log to the request.
   */
  handle(request: Request, user: FileUser, requestId: string): Promise<Response> {
    this.#users.set(request, user);
    this.#requestIds.set(request, requestId);
    return this.#server.handleWeb(request);
  }

  /** The uploader of an unfinished upload, or undefined when there is no such upload. */
  async uploaderOf(id: string): Promise<number | undefined> {
    if (!UPLOAD_ID_PATTERN.test(id)) return undefined;
    try {
      const upload = await this.#store.getUpload(id);
      const uploader = Number(upload.metadata?.[UPLOADER_KEY]);
      return Number.isSafeInteger(uploader) ? uploader : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Keeps an upload whose bytes are all there but which was never kept (the
   * keeping failed, say the disk was full, and the client's retry found the
   * offset complete, so no PATCH will come to finish it). True when it was
   * such an upload and is now a file.
   */
  async finishIfComplete(id: string, user: FileUser): Promise<boolean> {
    let upload: Upload;
    try {
      upload = await this.#store.getUpload(id);
    } catch {
      return false;
    }
    if (upload.size === undefined || upload.offset !== upload.size) return false;
    await this.#keep(upload, user);
    return true;
  }

  /** Deletes unfinished uploads nobody wrote to for UPLOAD_EXPIRY_MS; returns how many. */
  async sweepStale(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.#options.directory).catch(() => [])) {
      const id = name.replace(/\.json$/, '');
      if (!UPLOAD_ID_PATTERN.test(id)) continue;
      const data = await stat(path.join(this.#options.directory, id)).catch(() => undefined);
      const info = await stat(path.join(this.#options.directory, `${id}.json`)).catch(() => undefined);
      const lastWrite = Math.max(data?.mtimeMs ?? 0, info?.mtimeMs ?? 0);
      if (now - lastWrite < UPLOAD_EXPIRY_MS) continue;
      await rm(path.join(this.#options.directory, id), { force: true });
      await rm(path.join(this.#options.directory, `${id}.json`), { force: true });
      if (name === id) removed++;
    }
    return removed;
  }

  #userOf(request: Request): FileUser {
    const user = this.#users.get(request);
    if (!user) throw new Error('a tus request reached the upload server without a user');
    return user;
  }

  #metadataFor(request: Request, upload: Upload): Record<string, string | null> {
    const given = upload.metadata ?? {};
    const name = given[UploadMetadataKeys.name] ?? given.name ?? null;
    const type = given[UploadMetadataKeys.type] ?? given.type ?? null;
    return {
      [UploadMetadataKeys.name]: name,
      [UploadMetadataKeys.type]: type,
      [UPLOADER_KEY]: String(this.#userOf(request).id),
    };
  }

  #finish(request: Request, upload: Upload): Promise<void> {
    return this.#keep(upload, this.#userOf(request));
  }

  async #keep(upload: Upload, user: FileUser): Promise<void> {
    const file = path.join(this.#options.directory, upload.id);
    const row = await this.#options.files.keep(
      {
        id: upload.id,
        path: file,
        size: upload.size ?? upload.offset,
        uploaderId: user.id,
        name: upload.metadata?.[UploadMetadataKeys.name] ?? undefined,
        declaredType: upload.metadata?.[UploadMetadataKeys.type] ?? undefined,
      },
      user.actor,
    );
    // The bytes are safe in the blob store: the temp copy goes before the
    // client is answered. A failure leaves a file the sweep removes later.
    await this.#store.remove(upload.id).catch((error: unknown) => {
      this.#options.logger.warn({ err: error, upload: upload.id }, 'could not delete a finished upload');
    });
    this.#options.logger.debug({ file: row.id, size: row.size }, 'upload finished');
  }
}
