import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BlobStore } from '../../blob/blob-store.ts';
import { auditRecord, type Actor, type AuditSink } from '../../directory/types.ts';
import { CooError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { FileInfo } from '../../protocol/im/files.ts';
import { inTransaction, isUniqueViolation, type Executor, type Store } from '../../store/database.ts';
import * as files from '../../store/files.ts';
import type { AttachmentInfo, AttachmentRegistry } from '../types.ts';
import type { FileAccess } from './file-access.ts';
import { cleanFileName } from './file-name.ts';
import { makeImagePreview, PREVIEW_MIME_TYPE } from './image-preview.ts';
import { decideMimeType, isPreviewableImage, SNIFF_BYTES } from './mime-type.ts';
import type { ByteRange } from './byte-range.ts';

export type FileRow = files.FileRow;

/** A complete upload still in its temporary file, ready to be kept. */
export interface CompletedUpload {
  id: string;
  /** The temporary file holding exactly `size` bytes. */
  path: string;
  size: number;
  uploaderId: number;
  name: string | undefined;
  declaredType: string | undefined;
}

/** Who downloads or uploads: the user, and for the audit log their address and IP. */
export interface FileUser {
  id: number;
  actor: Actor;
}

export type FileVariant = 'file' | 'preview';

export interface FileServiceDeps {
  store: Store;
  audit: AuditSink;
  blobs: BlobStore;
  access: FileAccess;
  logger: Logger;
}

export function toFileInfo(row: FileRow): FileInfo {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    mimeType: row.mime_type,
    sha256: row.sha256,
    hasPreview: row.preview_blob_id !== null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

function toAttachmentInfo(row: FileRow): AttachmentInfo {
  return {
    id: row.id,
    name: row.name,
    size: row.size,
    mimeType: row.mime_type,
    sha256: row.sha256,
    hasPreview: row.preview_blob_id !== null,
  };
}

function unknownFile(id: string): CooError {
  return new CooError(ErrorCode.IM_FILE_UNKNOWN, `no file ${id.slice(0, 64)}, or it is not shared with you`);
}

/**
 * Files of the messenger: keeps finished uploads in the blob store with a
 * preview for images, records where they are attached, and decides who may
 * download them (the uploader, and whoever may read a conversation or memo
 * they are attached to). Every upload and download is audited.
 */
export class FileService implements AttachmentRegistry {
  readonly #deps: FileServiceDeps;

  constructor(deps: FileServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Moves a complete upload into the blob store (fsynced) and records it;
   * the upload's temp file is the caller's to delete afterwards. Keeping the
   * same upload twice (a retried last PATCH) returns the first record.
   */
  async keep(upload: CompletedUpload, actor: Actor): Promise<FileRow> {
    const { store, blobs, audit } = this.#deps;
    const existing = await files.findFile(store.db, upload.id);
    if (existing) return existing;
    const mimeType = decideMimeType(await readHead(upload.path), upload.declaredType);
    const blob = await blobs.put(createReadStream(upload.path));
    if (blob.size !== upload.size) {
      throw new Error(`upload ${upload.id}: expected ${upload.size} bytes, the temp file has ${blob.size}`);
    }
    const preview = isPreviewableImage(mimeType) ? await this.#preview(upload.path, upload.id) : null;
    const row: FileRow = {
      id: upload.id,
      uploader_id: upload.uploaderId,
      name: cleanFileName(upload.name),
      size: blob.size,
      mime_type: mimeType,
      sha256: blob.id,
      preview_blob_id: preview,
      preview_mime_type: preview === null ? null : PREVIEW_MIME_TYPE,
      created_at: Date.now(),
    };
    try {
      await store.db.transaction().execute(async (tx) => {
        await files.insertFile(tx, row);
        const details = { name: row.name, size: row.size, mimeType, sha256: row.sha256 };
        await audit.append(auditRecord(actor, 'file.upload', row.id, details), tx);
      });
    } catch (error) {
      // Two requests finished the same upload at once: the first one's record stands.
      const winner = isUniqueViolation(error) ? await files.findFile(store.db, upload.id) : undefined;
      if (winner) return winner;
      throw error;
    }
    return row;
  }

  /**
   * AttachmentRegistry: the files must be finished uploads of this user;
   * any other id (unknown, unfinished, someone else's) fails the whole call
   * with IM_FILE_UNKNOWN, naming it. Give the caller's transaction as `db`
   * so the attachment commits with the message or memo.
   */
  async attach(
    fileIds: readonly string[],
    uploaderId: number,
    target: { conversationId: number } | { memoId: number },
    db: Executor = this.#deps.store.db,
  ): Promise<AttachmentInfo[]> {
    const ids = [...new Set(fileIds)];
    if (ids.length === 0) return [];
    const where: files.AttachmentTarget =
      'conversationId' in target
        ? { kind: 'conversation', id: target.conversationId }
        : { kind: 'memo', id: target.memoId };
    return inTransaction(db, async (tx) => {
      const rows = new Map((await files.findFilesOfUploader(tx, ids, uploaderId)).map((r) => [r.id, r]));
      const missing = ids.find((id) => !rows.has(id));
      if (missing !== undefined) throw unknownFile(missing);
      await files.insertAttachments(tx, ids, where);
      return ids.map((id) => toAttachmentInfo(rows.get(id) as FileRow));
    });
  }

  /** The file if this user may download it; IM_FILE_UNKNOWN otherwise, so its existence is not given away. */
  async readable(fileId: string, userId: number): Promise<FileRow> {
    const row = await files.findFile(this.#deps.store.db, fileId);
    if (!row || !(await this.#mayRead(row, userId))) throw unknownFile(fileId);
    return row;
  }

  /** A file of this uploader, finished or not yet: undefined when there is none. */
  async ownFile(fileId: string, uploaderId: number): Promise<FileRow | undefined> {
    const row = await files.findFile(this.#deps.store.db, fileId);
    return row?.uploader_id === uploaderId ? row : undefined;
  }

  /**
   * Opens a file that readable() allowed, whole or the given range, the
   * file or its preview, and audits the download.
   */
  async openForDownload(
    row: FileRow,
    variant: FileVariant,
    range: ByteRange | undefined,
    user: FileUser,
  ): Promise<Readable> {
    const blobId = variant === 'preview' ? row.preview_blob_id : row.sha256;
    if (blobId === null) throw new CooError(ErrorCode.NOT_FOUND, `file ${row.id} has no preview`);
    const sent = range ? range.end - range.start + 1 : await this.#deps.blobs.size(blobId);
    const details: Record<string, unknown> = { name: row.name, size: sent, fileSize: row.size };
    if (range) details.range = `${range.start}-${range.end}`;
    if (variant === 'preview') details.preview = true;
    // Opened first: a blob that cannot be read is no download to record.
    const stream = await this.#deps.blobs.get(blobId, range ?? {});
    try {
      await this.#deps.audit.append(auditRecord(user.actor, 'file.download', row.id, details));
    } catch (error) {
      stream.destroy();
      throw error;
    }
    return stream;
  }

  previewSize(row: FileRow): Promise<number> {
    if (row.preview_blob_id === null)
      throw new CooError(ErrorCode.NOT_FOUND, `file ${row.id} has no preview`);
    return this.#deps.blobs.size(row.preview_blob_id);
  }

  async #mayRead(row: FileRow, userId: number): Promise<boolean> {
    if (row.uploader_id === userId) return true;
    const { access, store } = this.#deps;
    for (const target of await files.listAttachmentTargets(store.db, row.id)) {
      const allowed =
        target.kind === 'conversation'
          ? await access.canAccessConversation(userId, target.id)
          : await access.canAccessMemo(userId, target.id);
      if (allowed) return true;
    }
    return false;
  }

  /** A preview blob id, or null when the image cannot be read (corrupt, too large, not really an image). */
  async #preview(path: string, fileId: string): Promise<string | null> {
    let image: Buffer;
    try {
      image = await makeImagePreview(path);
    } catch (error) {
      this.#deps.logger.info({ err: error, file: fileId }, 'no preview: the image cannot be read');
      return null;
    }
    return (await this.#deps.blobs.put(image)).id;
  }
}

async function readHead(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
