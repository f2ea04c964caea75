import { useCallback } from 'react';
import { useLocale, useT } from '../../lib/i18n.ts';
import { useStore } from '../../lib/store.ts';
import { formatBytes, isImageType } from './format.ts';
import { fileMessages } from './messages.ts';
import type { UploadItem, Uploads } from './uploads.ts';
import './files.css';

/** Larger images are not decoded just for a thumbnail. */
const THUMBNAIL_MAX_BYTES = 20 * 1024 * 1024;

/** The files going with the next message: progress, cancel, retry, and a thumbnail for images. */
export function UploadTray({ uploads, conversationId }: { uploads: Uploads; conversationId: number }) {
  const t = useT(fileMessages);
  const items = useStore(uploads.items);
  const mine = items.filter((item) => item.conversationId === conversationId);
  if (mine.length === 0) return null;
  return (
    <ul className="upload-tray" aria-label={t('uploads')}>
      {mine.map((item) => (
        <UploadChip key={item.localId} item={item} uploads={uploads} />
      ))}
    </ul>
  );
}

function UploadChip({ item, uploads }: { item: UploadItem; uploads: Uploads }) {
  const t = useT(fileMessages);
  const locale = useLocale();
  const thumbnail = isImageType(item.type) && item.source instanceof Blob && item.size <= THUMBNAIL_MAX_BYTES;
  const percent = item.size === 0 ? 100 : Math.floor((item.sent / item.size) * 100);
  const status =
    item.status === 'done'
      ? t('uploaded')
      : item.status === 'failed'
        ? item.error === 'BLOB_TOO_LARGE'
          ? t('tooLarge')
          : item.error === 'NETWORK'
            ? t('networkLost')
            : t('uploadFailed')
        : t('progress', { percent });
  return (
    <li className="upload-chip" data-status={item.status} data-testid="upload">
      {thumbnail && item.source instanceof Blob ? (
        <LocalThumbnail source={item.source} />
      ) : (
        <span className="upload-thumb" aria-hidden="true">
          📎
        </span>
      )}
      <span className="upload-text">
        <span className="file-name" title={item.name}>
          {item.name}
        </span>
        <span className="file-size" role={item.status === 'failed' ? 'alert' : undefined}>
          {formatBytes(item.size, locale)} · {status}
        </span>
        {item.status !== 'done' && (
          <progress
            max={100}
            value={percent}
            aria-label={t('uploading', { name: item.name })}
            data-failed={item.status === 'failed' || undefined}
          />
        )}
      </span>
      {item.status === 'failed' && (
        <button
          type="button"
          className="link"
          onClick={() => uploads.retry(item.localId)}
          aria-label={t('retryUpload', { name: item.name })}
        >
          ↻
        </button>
      )}
      <button
        type="button"
        className="link"
        onClick={() => uploads.remove(item.localId)}
        aria-label={
          item.status === 'uploading'
            ? t('cancelUpload', { name: item.name })
            : t('removeFile', { name: item.name })
        }
      >
        ✕
      </button>
    </li>
  );
}

/**
 * The image being uploaded, shown from the File itself through a blob: URL
 * made when the <img> mounts and revoked when it goes (a ref callback with
 * cleanup, so no state and no extra render).
 */
function LocalThumbnail({ source }: { source: Blob }) {
  const attach = useCallback(
    (img: HTMLImageElement | null) => {
      if (!img) return;
      const url = URL.createObjectURL(source);
      img.src = url;
      return () => URL.revokeObjectURL(url);
    },
    [source],
  );
  return <img className="upload-thumb" ref={attach} alt="" />;
}
