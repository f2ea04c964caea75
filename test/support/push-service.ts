import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  hkdfSync,
  randomBytes,
  verify,
  type ECDH,
} from 'node:crypto';
import { createServer, Agent, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateSelfSignedCertificate } from '../../src/tls/self-signed.ts';

/** One request the push service received. */
export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A browser's side of a subscription: what it hands the server, and what it keeps to decrypt. */
export interface FakeBrowser {
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  /** Decrypts a message sent to this subscription (RFC 8291 with RFC 8188 aes128gcm). */
  decrypt(body: Buffer): string;
}

/**
 * A stand-in for a browser vendor's push service (RFC 8030) on loopback
 * HTTPS: records every push and answers each endpoint with the status the
 * test chose (201 by default). The service is on the internet in real life;
 * this is the edge of the world, so a local server is the right double.
 */
export class FakePushService {
  readonly received: ReceivedPush[] = [];
  /** HTTP status per endpoint path; 201 Created when not set. */
  readonly statusOf = new Map<string, number>();
  /** How long each answer waits, to see how many requests the sender keeps in flight. */
  delayMs = 0;
  /** The most requests in flight at once so far. */
  maxInFlight = 0;
  #inFlight = 0;
  /** An agent that trusts this server's self-signed certificate, for the sender. */
  agent!: Agent;
  #server!: Server;
  #origin = '';

  static async start(): Promise<FakePushService> {
    const service = new FakePushService();
    const pair = await generateSelfSignedCertificate('push.example.test');
    service.#server = createServer({ cert: pair.certPem, key: pair.keyPem }, (request, response) => {
      service.#inFlight++;
      service.maxInFlight = Math.max(service.maxInFlight, service.#inFlight);
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        service.received.push({ path, headers: request.headers, body: Buffer.concat(chunks) });
        setTimeout(() => {
          service.#inFlight--;
          response.writeHead(service.statusOf.get(path) ?? 201).end();
        }, service.delayMs);
      });
    });
    await new Promise<void>((resolve) => service.#server.listen(0, '127.0.0.1', resolve));
    service.#origin = `https://127.0.0.1:${(service.#server.address() as AddressInfo).port}`;
    service.agent = new Agent({ ca: pair.certPem });
    return service;
  }

  get origin(): string {
    return this.#origin;
  }

  /** A new browser subscribed at PATH on this service. */
  browser(path = `/push/${randomBytes(8).toString('hex')}`): FakeBrowser {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    return {
      subscription: {
        endpoint: `${this.#origin}${path}`,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      },
      decrypt: (body) => decryptAes128gcm(body, ecdh, auth),
    };
  }

  receivedAt(endpoint: string): ReceivedPush[] {
    const path = new URL(endpoint).pathname;
    return this.received.filter((push) => push.path === path);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** RFC 8291 §3.4 and RFC 8188 §2: one record, as the browser decrypts it. */
function decryptAes128gcm(body: Buffer, browser: ECDH, authSecret: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLength = body[20] ?? 0;
  const serverPublic = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const shared = browser.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), browser.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // RFC 8188 §2: the last record ends with the delimiter 0x02, then zero padding.
  const end = padded.lastIndexOf(0x02);
  if (end < 0) throw new Error('no padding delimiter in the last record');
  return padded.subarray(0, end).toString('utf8');
}

/**
 * Checks `Authorization: vapid t=JWT, k=KEY` (RFC 8292 §3): the JWT is ES256
 * signed by KEY; resolves to its claims.
 */
export function verifyVapid(authorization: string | undefined): {
  publicKey: string;
  claims: { aud: string; exp: number; sub: string };
} {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? '');
  if (!match?.[1] || !match[2]) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [header, claims, signature] = match[1].split('.') as [string, string, string];
  const point = Buffer.from(match[2], 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = Buffer.from(`${header}.${claims}`);
  const ok = verify(
    'sha256',
    signed,
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error('the VAPID JWT signature does not verify');
  const alg = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { alg: string }).alg;
  if (alg !== 'ES256') throw new Error(`VAPID JWT alg ${alg}`);
  return {
    publicKey: match[2],
    claims: JSON.parse(Buffer.from(claims, 'base64url').toString()) as {
      aud: string;
      exp: number;
      sub: string;
    },
  };
}
