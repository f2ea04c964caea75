import type { MessageAttachment } from '../../../../src/protocol/im/conversations.ts';
import { createStore, type Store } from '../../lib/store.ts';
import { TusUpload, UploadError, type TusUploadOptions, type UploadSource } from './tus-upload.ts';

/**
 * The files being uploaded for each conversation's next message: their
 * progress, cancel and retry. A finished upload waits, ready, until the
 * message that carries it is sent. DOM-free (the File is only read through
 * UploadSource).
 */

export type UploadStatus = 'uploading' | 'done' | 'failed';

export interface UploadItem {
  localId: string;
  conversationId: number;
  name: string;
  size: number;
  type: string;
  sent: number;
  status: UploadStatus;
  /** Why it failed (the server's code, or NETWORK). */
  error?: string;
  fileId?: string;
  /** The File itself, for a local preview while it uploads. */
  source: UploadSource;
}

export type UploadsOptions = Omit<TusUploadOptions, 'onProgress'>;

let counter = 0;

export class Uploads {
  readonly items: Store<UploadItem[]> = createStore<UploadItem[]>([]);
  readonly #options: UploadsOptions;
  readonly #uploads = new Map<string, TusUpload>();

  constructor(options: UploadsOptions) {
    this.#options = options;
  }

  forConversation(items: readonly UploadItem[], conversationId: number): UploadItem[] {
    return items.filter((item) => item.conversationId === conversationId);
  }

  add(conversationId: number, source: UploadSource): UploadItem {
    const item: UploadItem = {
      localId: `upload-${++counter}`,
      conversationId,
      name: source.name || 'file',
      size: source.size,
      type: source.type,
      sent: 0,
      status: 'uploading',
      source,
    };
    this.items.set((list) => [...list, item]);
    const upload = new TusUpload(source, {
      ...this.#options,
      onProgress: (sent) => this.#update(item.localId, { sent }),
    });
    this.#uploads.set(item.localId, upload);
    this.#run(item.localId, upload);
    return item;
  }

  /** Goes on from where the server is (a HEAD first), after a failure. */
  retry(localId: string): void {
    const upload = this.#uploads.get(localId);
    if (!upload) return;
    this.#update(localId, { status: 'uploading', error: undefined });
    this.#run(localId, upload);
  }

  /** The network is back: uploads it interrupted go on from where the server is. */
  resumeInterrupted(): void {
    for (const item of this.items.get()) {
      if (item.status === 'failed' && item.error === 'NETWORK') this.retry(item.localId);
    }
  }

  /** Stops an upload (the server forgets it) or drops a finished one from the next message. */
  remove(localId: string): void {
    const upload = this.#uploads.get(localId);
    const item = this.items.get().find((i) => i.localId === localId);
    this.#uploads.delete(localId);
    this.items.set((list) => list.filter((i) => i.localId !== localId));
    if (upload && item?.status !== 'done') void upload.cancel();
  }

  /** The finished files of a conversation, as the message will carry them. */
  ready(conversationId: number): MessageAttachment[] {
    return this.items
      .get()
      .filter((i) => i.conversationId === conversationId && i.status === 'done' && i.fileId)
      .map((i) => ({
        id: i.fileId ?? '',
        name: i.name,
        size: i.size,
        mimeType: i.type || 'application/octet-stream',
        sha256: '',
        hasPreview: false,
      }));
  }

  busy(conversationId: number): boolean {
    return this.items.get().some((i) => i.conversationId === conversationId && i.status === 'uploading');
  }

  /** The message carrying them is on its way: the ready files leave the tray. */
  takeReady(conversationId: number): MessageAttachment[] {
    const ready = this.ready(conversationId);
    const ids = new Set(ready.map((a) => a.id));
    for (const item of this.items.get()) {
      if (item.fileId && ids.has(item.fileId)) this.#uploads.delete(item.localId);
    }
    this.items.set((list) => list.filter((i) => !(i.fileId && ids.has(i.fileId))));
    return ready;
  }

  #run(localId: string, upload: TusUpload): void {
    upload.start().then(
      (fileId) => this.#update(localId, { status: 'done', fileId, sent: upload.offset }),
      (error: unknown) => {
        if (!this.#uploads.has(localId)) return; // removed meanwhile
        const code = error instanceof UploadError ? error.code : 'INTERNAL';
        if (code === 'CANCELLED') return;
        this.#update(localId, { status: 'failed', error: code });
      },
    );
  }

  #update(localId: string, change: Partial<UploadItem>): void {
    this.items.set((list) =>
      list.map((item) => {
        if (item.localId !== localId) return item;
        const next = { ...item, ...change };
        if (change.error === undefined && 'error' in change) delete next.error;
        return next;
      }),
    );
  }
}
