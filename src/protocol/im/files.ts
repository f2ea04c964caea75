/**
 * Files over HTTPS (docs/protocol/files.md). Uploads use the tus protocol
 * (https://tus.io/protocols/resumable-upload, version 1.0.0) at FILES_PATH;
 * a finished upload keeps its tus id as the file's id, so the upload URL
 * answers GET with the file once it is complete.
 */

/** Where uploads are created (tus POST) and files are read (GET FILES_PATH/ID). */
export const FILES_PATH = '/api/v1/im/files';

/** Keys of tus Upload-Metadata the server reads; the names tus-js-client and Uppy send. */
export const UploadMetadataKeys = {
  /** The file name to show and to download as; "name" is accepted too. */
  name: 'filename',
  /** The type the client declares; used when the content is not recognised. "type" is accepted too. */
  type: 'filetype',
} as const;

/** A finished upload, as `GET FILES_PATH/ID/info` and message attachments describe it. */
export interface FileInfo {
  id: string;
  name: string;
  /** Bytes. */
  size: number;
  mimeType: string;
  /** SHA-256 of the content, lower-case hex. */
  sha256: string;
  /** True when `GET FILES_PATH/ID/preview` has a smaller rendition (images). */
  hasPreview: boolean;
  /** ISO 8601, UTC. */
  createdAt: string;
}

/** Longest file name kept, in characters; longer ones are cut (keeping the extension). */
export const MAX_FILE_NAME_CHARS = 255;
