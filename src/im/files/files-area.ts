import path from 'node:path';
import type { BlobStore } from '../../blob/blob-store.ts';
import type { ApiApp } from '../../http/routes/common.schema.ts';
import type { Logger } from '../../log.ts';
import type { CoreServices } from '../../services.ts';
import { liveLimit } from '../../settings/live-limits.ts';
import { StoreFileAccess, type FileAccess } from './file-access.ts';
import { installFileRoutes } from './file-routes.ts';
import type { FileRouteAuth } from './upload-routes.ts';
import { FileService } from './file-service.ts';
import { TusUploads } from './tus-uploads.ts';

/** How often stale unfinished uploads are swept. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface FilesAreaDeps {
  services: CoreServices;
  blobs: BlobStore;
  /** The data dir: unfinished uploads live in DATA/uploads. */
  dataDir: string;
  /** [im] max_upload_size: the limit while an admin has not set im.max-upload-size. */
  maxUploadBytes: number;
  logger: Logger;
  /** Who may read a conversation or memo; by default read from their tables. */
  access?: FileAccess;
}

export interface FilesArea {
  files: FileService;
  uploads: TusUploads;
  /** Adds the upload and download routes to the http listener. */
  installRoutes(app: ApiApp, auth: FileRouteAuth): void;
  /** Stops the sweep of stale uploads. */
  close(): void;
}

/** The files part of the messenger, wired once by the composition root. */
export function createFilesArea(deps: FilesAreaDeps): FilesArea {
  // Read at each upload, so a change in the console applies to the next one without a restart.
  const maxUploadBytes = liveLimit(deps.services.store, 'im.max-upload-size', () => deps.maxUploadBytes);
  const files = new FileService({
    store: deps.services.store,
    audit: deps.services.audit,
    blobs: deps.blobs,
    access: deps.access ?? new StoreFileAccess(deps.services.store),
    logger: deps.logger,
  });
  const uploads = new TusUploads({
    directory: path.join(path.resolve(deps.dataDir), 'uploads'),
    maxBytes: maxUploadBytes,
    files,
    logger: deps.logger,
  });
  const sweep = setInterval(() => {
    uploads.sweepStale().then(
      (removed) => {
        if (removed > 0) deps.logger.info({ removed }, 'stale unfinished uploads removed');
      },
      (error: unknown) => deps.logger.warn({ err: error }, 'sweeping stale uploads failed'),
    );
  }, SWEEP_INTERVAL_MS);
  sweep.unref();
  return {
    files,
    uploads,
    installRoutes: (app, auth) =>
      installFileRoutes(app, { uploads, files, maxBytes: maxUploadBytes, ...auth }),
    close: () => clearInterval(sweep),
  };
}
