/**
 * The tus protocol (1.0.0) done by hand over real HTTPS, as a browser's
 * tus-js-client would: POST to create, PATCH with Upload-Offset, HEAD to
 * resume; plus a raw TLS socket to cut a PATCH off mid-body.
 */
import tls from 'node:tls';
import { Agent, request } from 'undici';

export interface TusResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
  body: Buffer;
}

export class TusClient {
  readonly #baseUrl: string;
  readonly #ca: string;
  readonly #agent: Agent;

  constructor(server: { baseUrl: string; ca: string }) {
    this.#baseUrl = server.baseUrl;
    this.#ca = server.ca;
    this.#agent = new Agent({ connect: { ca: server.ca, servername: 'localhost' } });
  }

  /** Any request; `token` (a device token) becomes the bearer unless null. */
  async send(
    method: string,
    path: string,
    options: { token: string | null; headers?: Record<string, string>; body?: Buffer },
  ): Promise<TusResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== null) headers.authorization = `Bearer ${options.token}`;
    const response = await request(`${this.#baseUrl}${path}`, {
      method: method as 'GET',
      headers,
      body: options.body,
      dispatcher: this.#agent,
    });
    const body = Buffer.from(await response.body.arrayBuffer());
    let json: unknown;
    try {
      json = body.length === 0 ? undefined : JSON.parse(body.toString('utf8'));
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, json, body };
  }

  /** tus §3.1 creation; `metadata` values are base64-encoded as the spec asks. */
  create(token: string, length: number, metadata: Record<string, string> = {}, body?: Buffer) {
    const encoded = Object.entries(metadata)
      .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
      .join(',');
    return this.send('POST', '/api/v1/im/files', {
      token,
      headers: {
        'tus-resumable': '1.0.0',
        'upload-length': String(length),
        ...(encoded ? { 'upload-metadata': encoded } : {}),
        ...(body ? { 'content-type': 'application/offset+octet-stream' } : {}),
      },
      body,
    });
  }

  patch(token: string, location: string, offset: number, bytes: Buffer) {
    return this.send('PATCH', location, {
      token,
      headers: {
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      body: bytes,
    });
  }

  head(token: string, location: string) {
    return this.send('HEAD', location, { token, headers: { 'tus-resumable': '1.0.0' } });
  }

  /**
   * Starts a PATCH announcing `announced` bytes, sends only `bytes`, then
   * drops the connection, as a laptop leaving the Wi-Fi does.
   */
  async patchAndDrop(token: string, location: string, offset: number, bytes: Buffer, announced: number) {
    const url = new URL(this.#baseUrl);
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      ca: this.#ca,
      servername: 'localhost',
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => undefined);
    const head = [
      `PATCH ${location} HTTP/1.1`,
      'Host: localhost',
      `Authorization: Bearer ${token}`,
      'Tus-Resumable: 1.0.0',
      `Upload-Offset: ${offset}`,
      'Content-Type: application/offset+octet-stream',
      `Content-Length: ${announced}`,
      '',
      '',
    ].join('\r\n');
    await new Promise<void>((resolve) => socket.write(head, () => resolve()));
    await new Promise<void>((resolve) => socket.write(bytes, () => resolve()));
    // Let the bytes reach the server before the cut.
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
  }

  /**
   * Sends a request head and the first bytes of a body it announces as much
   * longer; resolves with what the server answered once it closed the
   * connection (rejects if it keeps it open for `waitMs`).
   */
  async refusedMidBody(head: string[], bytes: Buffer, waitMs = 3000): Promise<string> {
    const url = new URL(this.#baseUrl);
    const socket = tls.connect({
      host: url.hostname,
      port: Number(url.port),
      ca: this.#ca,
      servername: 'localhost',
    });
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write([...head, 'Host: localhost', '', ''].join('\r\n'));
    socket.write(bytes);
    const timer = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), waitMs).unref());
    const outcome = await Promise.race([closed.then(() => 'closed' as const), timer]);
    socket.destroy();
    if (outcome === 'open') throw new Error(`the server kept the connection open; it answered: ${answer}`);
    return answer;
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
