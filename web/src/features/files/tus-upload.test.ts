import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TusUpload, UploadError, chunkSizeFor, encodeMetadata } from './tus-upload.ts';

/**
 * A tus 1.0.0 server in memory, behind a fake fetch: enough of the protocol
 * to check what the client sends, and to drop a connection mid-PATCH with
 * part of the bytes kept, as the real server does.
 */
class FakeTusServer {
  readonly requests: { method: string; url: string; headers: Record<string, string> }[] = [];
  readonly uploads = new Map<
    string,
    { length: number; bytes: Uint8Array[]; offset: number; metadata: string }
  >();
  /** Drop the next PATCH after keeping this many of its bytes. */
  dropNextPatchAfter: number | null = null;
  deleted: string[] = [];

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = input instanceof Request ? input.url : input.toString();
    const headers = Object.fromEntries(
      Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const method = init.method ?? 'GET';
    this.requests.push({ method, url, headers });
    if (headers['tus-resumable'] !== '1.0.0') return new Response(null, { status: 412 });
    if (headers.authorization !== 'Bearer token-1') return json(401, 'AUTH_REQUIRED');
    const id = url.split('/').pop() ?? '';
    const upload = this.uploads.get(id);
    switch (method) {
      case 'POST': {
        const length = Number(headers['upload-length']);
        if (length > 1_000_000) return json(413, 'BLOB_TOO_LARGE');
        const newId = `f${this.uploads.size + 1}`.padEnd(32, '0');
        this.uploads.set(newId, { length, bytes: [], offset: 0, metadata: headers['upload-metadata'] ?? '' });
        return new Response(null, {
          status: 201,
          headers: { location: `https://host/api/v1/im/files/${newId}` },
        });
      }
      case 'HEAD':
        if (!upload) return new Response(null, { status: 404 });
        return new Response(null, { status: 200, headers: { 'upload-offset': String(upload.offset) } });
      case 'PATCH': {
        if (!upload) return json(404, 'IM_FILE_UNKNOWN');
        if (Number(headers['upload-offset']) !== upload.offset) return json(409, 'UPLOAD_CONFLICT');
        const body = new Uint8Array(await (init.body as Blob).arrayBuffer());
        if (this.dropNextPatchAfter !== null) {
          const kept = body.slice(0, this.dropNextPatchAfter);
          this.dropNextPatchAfter = null;
          upload.bytes.push(kept);
          upload.offset += kept.length;
          throw new TypeError('Failed to fetch');
        }
        upload.bytes.push(body);
        upload.offset += body.length;
        return new Response(null, { status: 204, headers: { 'upload-offset': String(upload.offset) } });
      }
      case 'DELETE':
        this.deleted.push(id);
        this.uploads.delete(id);
        return new Response(null, { status: 204 });
      default:
        return new Response(null, { status: 405 });
    }
  };

  content(id: string): Buffer {
    return Buffer.concat(this.uploads.get(id)?.bytes ?? []);
  }
}

function json(status: number, code: string): Response {
  return new Response(JSON.stringify({ error: { code, message: code } }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function file(size: number, name = '議事録.pdf'): File {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7) % 251;
  return new File([bytes], name, { type: 'application/pdf' });
}

const noSleep = async () => undefined;

describe('tus upload', () => {
  test('creates the upload with its name as UTF-8 metadata and sends it in chunks, reporting progress', async () => {
    const server = new FakeTusServer();
    const progress: number[] = [];
    const source = file(100_000);
    const upload = new TusUpload(source, {
      token: () => 'token-1',
      fetch: server.fetch,
      chunkBytes: 30_000,
      onProgress: (sent) => progress.push(sent),
    });
    const id = await upload.start();
    assert.equal(id, 'f1'.padEnd(32, '0'));
    assert.deepEqual(server.content(id), Buffer.from(await source.arrayBuffer()));
    assert.deepEqual(progress, [0, 30_000, 60_000, 90_000, 100_000]);
    const create = server.requests[0];
    assert.equal(create?.headers['upload-length'], '100000');
    assert.equal(
      create?.headers['upload-metadata'],
      encodeMetadata({ filename: '議事録.pdf', filetype: 'application/pdf' }),
    );
    assert.match(create?.headers['upload-metadata'] ?? '', /^filename 6K2w5LqL6YyyLnBkZg==,/);
    const patches = server.requests.filter((r) => r.method === 'PATCH');
    assert.deepEqual(
      patches.map((r) => r.headers['upload-offset']),
      ['0', '30000', '60000', '90000'],
    );
    assert.ok(patches.every((r) => r.headers['content-type'] === 'application/offset+octet-stream'));
  });

  test('after a connection dropped mid-PATCH it asks where the server is (HEAD) and goes on from there', async () => {
    const server = new FakeTusServer();
    server.dropNextPatchAfter = 12_345;
    const source = file(50_000);
    const upload = new TusUpload(source, { token: () => 'token-1', fetch: server.fetch, sleep: noSleep });
    const id = await upload.start();
    assert.deepEqual(server.content(id), Buffer.from(await source.arrayBuffer()));
    const methods = server.requests.map((r) => `${r.method} ${r.headers['upload-offset'] ?? ''}`.trim());
    assert.deepEqual(methods, ['POST', 'PATCH 0', 'HEAD', 'PATCH 12345']);
  });

  test('a refusal that retrying cannot fix fails at once with the server code', async () => {
    const server = new FakeTusServer();
    const upload = new TusUpload(file(2_000_000), {
      token: () => 'token-1',
      fetch: server.fetch,
      sleep: noSleep,
    });
    await assert.rejects(
      upload.start(),
      (error: unknown) => error instanceof UploadError && error.code === 'BLOB_TOO_LARGE',
    );
    assert.equal(server.requests.length, 1);
  });

  test('the network failing every time gives up after the retries, and start() resumes later', async () => {
    const server = new FakeTusServer();
    let offline = false;
    let cut = false;
    const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
      offline ? Promise.reject(new TypeError('offline')) : server.fetch(input, init);
    const source = file(40_000);
    const upload = new TusUpload(source, {
      token: () => 'token-1',
      fetch,
      chunkBytes: 10_000,
      retryDelaysMs: [0, 0],
      sleep: noSleep,
      onProgress: (sent) => {
        if (sent === 20_000 && !cut) offline = cut = true;
      },
    });
    await assert.rejects(
      upload.start(),
      (error: unknown) => error instanceof UploadError && error.code === 'NETWORK',
    );
    offline = false;
    const id = await upload.start();
    assert.deepEqual(server.content(id), Buffer.from(await source.arrayBuffer()));
    assert.equal(server.requests.filter((r) => r.method === 'POST').length, 1, 'resumed, not started again');
  });

  test('cancel stops the upload and asks the server to forget it', async () => {
    const server = new FakeTusServer();
    let upload: TusUpload | undefined;
    const source = file(40_000);
    upload = new TusUpload(source, {
      token: () => 'token-1',
      fetch: server.fetch,
      chunkBytes: 10_000,
      onProgress: (sent) => {
        if (sent === 10_000) void upload?.cancel();
      },
    });
    await assert.rejects(
      upload.start(),
      (error: unknown) => error instanceof UploadError && error.code === 'CANCELLED',
    );
    assert.equal(server.deleted.length, 1);
    upload = undefined;
  });

  test('chunks give about twenty steps, within 256 KiB and 16 MiB', () => {
    assert.equal(chunkSizeFor(1000), 256 * 1024);
    assert.equal(chunkSizeFor(100 * 1024 * 1024), 5 * 1024 * 1024);
    assert.equal(chunkSizeFor(2 * 1024 * 1024 * 1024), 16 * 1024 * 1024);
  });
});
