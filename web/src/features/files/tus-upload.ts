import { FILES_PATH, UploadMetadataKeys } from '../../../../src/protocol/im/files.ts';

/**
 * One file uploaded with tus 1.0.0 (docs/protocol/files.md) over fetch:
 * POST creates the upload, PATCHes send it in chunks, and after a dropped
 * connection or a server hiccup a HEAD learns where the server is and the
 * upload goes on from there. Progress moves chunk by chunk (fetch has no
 * upload progress), so chunks are sized to give a steady bar and still
 * arrive well within the server's 30 s per request. DOM-free: runs in
 * Node for its tests with a fake fetch.
 */

export const TUS_VERSION = '1.0.0';
/** The most one PATCH carries: the docs' advice for an office LAN. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const MIN_CHUNK_BYTES = 256 * 1024;
/** Pauses before each further try after a failure; then the upload fails (and may be resumed by hand). */
const RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000, 10_000, 20_000];

export class UploadError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'UploadError';
    this.status = status;
    this.code = code;
  }
}

export interface UploadSource {
  readonly size: number;
  readonly name: string;
  readonly type: string;
  slice(start: number, end: number): Blob;
}

export interface TusUploadOptions {
  /** The bearer token, read at each request (it may change after a re-login). */
  token: () => string | null;
  onProgress?: (sent: number, total: number) => void;
  fetch?: typeof fetch;
  endpoint?: string;
  chunkBytes?: number;
  retryDelaysMs?: readonly number[];
  sleep?: (ms: number) => Promise<void>;
}

/** About twenty steps of progress, between 256 KiB and 16 MiB a request. */
export function chunkSizeFor(size: number): number {
  return Math.min(MAX_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, Math.ceil(size / 20)));
}

/** tus Upload-Metadata: `key base64(value)` pairs, the values UTF-8. */
export function encodeMetadata(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => {
      const bytes = new TextEncoder().encode(value);
      let binary = '';
      for (const byte of bytes) binary += String.fromCharCode(byte);
      return `${key} ${btoa(binary)}`;
    })
    .join(',');
}

/** Whether an error is worth another try: the network, a conflict, the server's trouble. */
function retriable(error: unknown): boolean {
  if (!(error instanceof UploadError)) return true; // fetch threw: the network
  return error.status === 0 || error.status === 409 || error.status === 423 || error.status >= 500;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TusUpload {
  readonly #source: UploadSource;
  readonly #options: TusUploadOptions;
  readonly #fetch: typeof fetch;
  readonly #endpoint: string;
  #controller = new AbortController();
  #url: string | undefined;
  #offset = 0;
  #cancelled = false;
  #running = false;

  constructor(source: UploadSource, options: TusUploadOptions) {
    this.#source = source;
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#endpoint = options.endpoint ?? FILES_PATH;
  }

  /** The file id once the server created the upload (the tus id is the file id). */
  get fileId(): string | undefined {
    return this.#url?.split('/').pop();
  }

  get offset(): number {
    return this.#offset;
  }

  /** Uploads (or resumes) to the end; resolves with the file id. */
  async start(): Promise<string> {
    this.#cancelled = false;
    this.#running = true;
    this.#controller = new AbortController();
    try {
      return await this.#run();
    } catch (error) {
      if (!this.#cancelled) throw error;
      await this.#forget();
      throw new UploadError(0, 'CANCELLED', 'the upload was cancelled');
    } finally {
      this.#running = false;
    }
  }

  async #run(): Promise<string> {
    const delays = this.#options.retryDelaysMs ?? RETRY_DELAYS_MS;
    const sleep = this.#options.sleep ?? defaultSleep;
    let failures = 0;
    // Resuming an upload begun before: ask the server where it is first.
    let ask = this.#url !== undefined;
    for (;;) {
      try {
        if (this.#url === undefined) await this.#create();
        else if (ask) await this.#head();
        ask = false;
        while (this.#offset < this.#source.size) await this.#patch();
        const id = this.fileId;
        if (!id) throw new UploadError(0, 'INTERNAL', 'the server gave no upload location');
        return id;
      } catch (error) {
        if (this.#cancelled) throw error;
        const delay = delays[failures];
        if (!retriable(error) || delay === undefined) throw asUploadError(error);
        failures++;
        ask = true;
        await sleep(delay);
        if (this.#cancelled) throw new UploadError(0, 'CANCELLED', 'the upload was cancelled');
      }
    }
  }

  /**
   * Stops sending and asks the server to forget the upload (tus
   * termination): at once when idle, else once the request under way ends.
   */
  async cancel(): Promise<void> {
    this.#cancelled = true;
    this.#controller.abort();
    if (!this.#running) await this.#forget();
  }

  async #forget(): Promise<void> {
    if (this.#url === undefined) return;
    this.#controller = new AbortController();
    await this.#request('DELETE', this.#url, {}).catch(() => undefined);
  }

  async #request(
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: Blob,
  ): Promise<Response> {
    const all: Record<string, string> = { 'tus-resumable': TUS_VERSION, ...headers };
    const token = this.#options.token();
    if (token) all.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers: all, signal: this.#controller.signal };
    if (body !== undefined) init.body = body;
    let response: Response;
    try {
      response = await this.#fetch(url, init);
    } catch {
      throw new UploadError(0, 'NETWORK', 'the server cannot be reached');
    }
    if (!response.ok) throw await errorOf(response);
    if (this.#cancelled && method !== 'DELETE')
      throw new UploadError(0, 'CANCELLED', 'the upload was cancelled');
    return response;
  }

  async #create(): Promise<void> {
    const metadata: Record<string, string> = { [UploadMetadataKeys.name]: this.#source.name || 'file' };
    if (this.#source.type) metadata[UploadMetadataKeys.type] = this.#source.type;
    const response = await this.#request('POST', this.#endpoint, {
      'upload-length': String(this.#source.size),
      'upload-metadata': encodeMetadata(metadata),
    });
    const location = response.headers.get('location');
    if (!location) throw new UploadError(response.status, 'INTERNAL', 'no Location in the answer');
    // The server may answer an absolute URL; the id is its last segment either way.
    this.#url = `${this.#endpoint}/${new URL(location, 'https://coo.invalid').pathname.split('/').pop() ?? ''}`;
    this.#offset = 0;
    this.#options.onProgress?.(0, this.#source.size);
  }

  async #head(): Promise<void> {
    if (this.#url === undefined) return;
    const response = await this.#request('HEAD', this.#url, {});
    this.#offset = Number(response.headers.get('upload-offset') ?? '0');
    this.#options.onProgress?.(this.#offset, this.#source.size);
  }

  async #patch(): Promise<void> {
    if (this.#url === undefined) return;
    const chunk = this.#options.chunkBytes ?? chunkSizeFor(this.#source.size);
    const end = Math.min(this.#source.size, this.#offset + chunk);
    const response = await this.#request(
      'PATCH',
      this.#url,
      { 'upload-offset': String(this.#offset), 'content-type': 'application/offset+octet-stream' },
      this.#source.slice(this.#offset, end),
    );
    const offset = Number(response.headers.get('upload-offset'));
    this.#offset = Number.isFinite(offset) && offset > this.#offset ? offset : end;
    this.#options.onProgress?.(this.#offset, this.#source.size);
  }
}

async function errorOf(response: Response): Promise<UploadError> {
  let code = 'HTTP_ERROR';
  let message = response.statusText;
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // HEAD and some tus answers have no body: the status says it.
  }
  return new UploadError(response.status, code, message);
}

function asUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  return new UploadError(0, 'INTERNAL', error instanceof Error ? error.message : String(error));
}
