import { useEffect, useRef, useState } from 'react';
import type { MessageAttachment } from '../../../../src/protocol/im/conversations.ts';
import { useLocale, useT } from '../../lib/i18n.ts';
import { downloadFile, fileObjectUrl, previewUrl } from './file-access.ts';
import { formatBytes } from './format.ts';
import { fileMessages } from './messages.ts';
import './files.css';

/**
 * The files of a message: images as their preview (click for the full
 * image), every file as a card with its size and a download button. Files
 * of a message still being sent show without a download.
 */
export function Attachments({
  attachments,
  pending = false,
}: {
  attachments: MessageAttachment[];
  pending?: boolean;
}) {
  const t = useT(fileMessages);
  if (attachments.length === 0) return null;
  return (
    <ul className="attachments" aria-label={t('attachments')}>
      {attachments.map((attachment) => (
        <li key={attachment.id} className="attachment" data-testid="attachment">
          {attachment.hasPreview && !pending && <ImagePreview attachment={attachment} />}
          <FileCard attachment={attachment} pending={pending} />
        </li>
      ))}
    </ul>
  );
}

function FileCard({ attachment, pending }: { attachment: MessageAttachment; pending: boolean }) {
  const t = useT(fileMessages);
  const locale = useLocale();
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const download = () => {
    setState('busy');
    downloadFile(attachment.id, attachment.name).then(
      () => setState('idle'),
      () => setState('failed'),
    );
  };
  return (
    <div className="file-card">
      <span className="file-icon" aria-hidden="true">
        {iconFor(attachment.mimeType)}
      </span>
      <span className="file-text">
        <span className="file-name" title={attachment.name}>
          {attachment.name}
        </span>
        <span className="file-size">
          {state === 'failed' ? (
            <span role="alert">{t('downloadFailed')}</span>
          ) : state === 'busy' ? (
            t('downloading')
          ) : (
            formatBytes(attachment.size, locale)
          )}
        </span>
      </span>
      {!pending && (
        <button
          type="button"
          className="file-download"
          onClick={download}
          disabled={state === 'busy'}
          aria-label={t('download', { name: attachment.name })}
          title={t('download', { name: attachment.name })}
        >
          ⬇
        </button>
      )}
    </div>
  );
}

function ImagePreview({ attachment }: { attachment: MessageAttachment }) {
  const t = useT(fileMessages);
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let live = true;
    previewUrl(attachment.id).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [attachment.id]);
  if (failed) return null;
  return (
    <>
      <button
        type="button"
        className="image-preview"
        onClick={() => setOpen(true)}
        aria-label={t('showImage', { name: attachment.name })}
      >
        {url ? (
          <img src={url} alt={t('preview', { name: attachment.name })} />
        ) : (
          <span className="image-placeholder" aria-hidden="true" />
        )}
      </button>
      {open && <Lightbox attachment={attachment} onClose={() => setOpen(false)} />}
    </>
  );
}

function Lightbox({ attachment, onClose }: { attachment: MessageAttachment; onClose: () => void }) {
  const t = useT(fileMessages);
  const dialog = useRef<HTMLDialogElement>(null);
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    dialog.current?.showModal();
    const controller = new AbortController();
    let made: string | null = null;
    fileObjectUrl(attachment.id, controller.signal).then(
      (u) => {
        made = u;
        setUrl(u);
      },
      () => undefined,
    );
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [attachment.id]);
  return (
    <dialog ref={dialog} className="lightbox" onClose={onClose} aria-label={attachment.name}>
      <div className="lightbox-bar">
        <span>{attachment.name}</span>
        <button type="button" onClick={onClose}>
          {t('closeImage')}
        </button>
      </div>
      {url ? <img src={url} alt={attachment.name} /> : <div className="image-placeholder" />}
    </dialog>
  );
}

function iconFor(type: string): string {
  if (type.startsWith('image/')) return '🖼️';
  if (type.startsWith('video/')) return '🎞️';
  if (type.startsWith('audio/')) return '🎵';
  if (type === 'application/pdf') return '📕';
  if (/zip|gzip|x-7z|x-tar|rar/.test(type)) return '🗜️';
  if (/sheet|excel|csv/.test(type)) return '📊';
  if (/presentation|powerpoint/.test(type)) return '📽️';
  if (/word|document|text\//.test(type)) return '📄';
  return '📎';
}
