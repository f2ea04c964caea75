import { FILES_PATH } from '../../../../src/protocol/im/files.ts';
import { api, apiToken } from '../../lib/api.ts';

/**
 * Reading files: every file route wants the device's bearer token, which an
 * <img src> or a plain link cannot send, so previews and images are fetched
 * and shown through blob: URLs (allowed by the page's CSP); previews are
 * small and kept in a bounded cache, so scrolling a long chat back and forth
 * does not fetch them again. A download instead follows a link with a
 * ticket (a minute's permission for this file), so the browser streams it
 * to disk itself, however large.
 */

export class FileFetchError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'FileFetchError';
    this.status = status;
  }
}

export function fileUrl(fileId: string, part: '' | '/preview' | '/info' = ''): string {
  return `${FILES_PATH}/${encodeURIComponent(fileId)}${part}`;
}

async function fetchBlob(url: string, signal?: AbortSignal): Promise<Blob> {
  const headers: Record<string, string> = {};
  const token = apiToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { headers };
  if (signal) init.signal = signal;
  const response = await fetch(url, init);
  if (!response.ok) throw new FileFetchError(response.status, response.statusText);
  return response.blob();
}

const PREVIEW_CACHE_SIZE = 150;
const previews = new Map<string, Promise<string>>();

/** A blob: URL of the file's preview (WebP), fetched once and cached (the oldest dropped past the limit). */
export function previewUrl(fileId: string): Promise<string> {
  const cached = previews.get(fileId);
  if (cached) {
    // Most recently used last.
    previews.delete(fileId);
    previews.set(fileId, cached);
    return cached;
  }
  const loading = fetchBlob(fileUrl(fileId, '/preview')).then((blob) => URL.createObjectURL(blob));
  loading.catch(() => previews.delete(fileId));
  previews.set(fileId, loading);
  while (previews.size > PREVIEW_CACHE_SIZE) {
    const [oldest, url] = previews.entries().next().value as [string, Promise<string>];
    previews.delete(oldest);
    void url.then((u) => URL.revokeObjectURL(u)).catch(() => undefined);
  }
  return loading;
}

/** Saves the file under its name: the browser downloads it from a ticket link, never through memory. */
export async function downloadFile(fileId: string, name: string, signal?: AbortSignal): Promise<void> {
  const { url } = await api<{ url: string; expiresAt: string }>(`${fileUrl(fileId)}/ticket`, {
    method: 'POST',
    ...(signal ? { signal } : {}),
  });
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
}

/** A blob: URL of the whole file, to show an image in full; the caller revokes it. */
export async function fileObjectUrl(fileId: string, signal?: AbortSignal): Promise<string> {
  return URL.createObjectURL(await fetchBlob(`${fileUrl(fileId)}?inline=true`, signal));
}
