/**
 * Test harness for the messenger: a REAL `coo` server (startServer over a
 * fresh data dir, TLS, http on 127.0.0.1:0, other listeners off) and a REAL
 * WebSocket client (`ws`) that trusts its generated certificate.
 *
 * ── Server ──────────────────────────────────────────────────────────────
 *   const server = await startImServer(options?)
 *     options.database   'sqlite' (default) | 'postgres' (a throw-away database)
 *     options.redis      true: the bus goes over Redis at 127.0.0.1:6379 (with a
 *                        namespace of its own, so parallel test runs do not mix)
 *     options.messenger  startServer's tuning, e.g.
 *                        { gateway: { heartbeatIntervalMs: 200 }, revocationPollMs: 100 }
 *     options.slowHashing true: keep the production argon2 cost (default: fast)
 *     options.mail       true, or { resolver?, config? }: also open the mail listeners
 *                        (smtp, submission, submissions, imap, imaps, pop3, pop3s) on
 *                        127.0.0.1:0; those whose protocol is not built are skipped.
 *                        resolver: mail's DNS (default OFFLINE_RESOLVER: every query fails
 *                        with ECONNREFUSED, a LAN without DNS, so nothing leaves the machine);
 *                        config: keys of [mail] in coo.toml, e.g.
 *                        { max_message_size: '64K', greylisting: true }
 *   server.server        the RunningServer (server.server.messenger: handlers,
 *                        delivery, registry, devices, sessions, gateway…)
 *   server.services      = server.server.services
 *   server.dataDir, server.baseUrl ('https://127.0.0.1:PORT'), server.wsUrl
 *   ('wss://127.0.0.1:PORT/ws'), server.ca (PEM), server.token (admin API token)
 *   server.admin         { address, password } of the first administrator
 *   server.mailPort('smtp') the bound port of a mail listener (throws when it is not running);
 *                        the same as server.server.address('smtp')?.port
 *   await server.createUser('taro', { name?, unit?, password?, isAdmin?,
 *                          validUntil?, title?, reading?, phone? })
 *                        → { id, address, password, name } (domain example.com;
 *                          the unit path is created with its parents if missing)
 *   await server.createUnit('営業部/東京') → { id, path } (parents created)
 *   await server.call(method, path, { body?, token?, headers? }) → { status, json, text, headers }
 *                        REST call with the admin token by default (token: null for none)
 *   server.logLines()    the server's log lines, parsed
 *   await server.addNode(options?) a second server (another process-like node) on the same
 *                        PostgreSQL database and Redis (needs database 'postgres' and redis true)
 *   await server.stop()  closes the server (and its extra nodes), drops the database
 *
 * ── Client ──────────────────────────────────────────────────────────────
 *   const client = await ImTestClient.connect(server, { autoPong?: boolean })
 *   await client.hello(login, password, { device?: {kind, name}, remember? }) → hello data
 *                        (device default { kind: 'desktop', name: 'test' })
 *   await client.resume(token, device?) → hello data
 *   await client.request(t, payload?, timeoutMs?) → data of the `ok` answer; rejects with an
 *                        ImRequestError { code, message, frame } on an `error` answer
 *   client.send(frame)   sends an object as JSON without waiting
 *   client.sendRaw(text) sends any text frame
 *   await client.next(t, predicate?, timeoutMs = 3000) → the first frame of type t (matching
 *                        predicate) not yet taken by next(), including ones that arrived earlier
 *   await client.noFrame(t, ms) resolves if no such frame arrives within ms, else rejects
 *   client.frames        every frame received, parsed, in order
 *   client.wire          { read, written }: bytes on the TCP connection (TLS included)
 *   client.closed        Promise<{ code, reason }>; client.isOpen
 *   await client.close() closes (normal closure) and waits
 *   client.socket        the underlying `ws` WebSocket
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import { Agent } from 'undici';
import WebSocket from 'ws';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import { initDataDir } from '../../src/init.ts';
import { createLogger } from '../../src/log.ts';
import type { DnsResolver } from '../../src/mail/mail-system.ts';
import type { ServerFrame } from '../../src/protocol/im/frames.ts';
import type { DeviceDescription, HelloResult } from '../../src/protocol/im/session.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server.ts';
import type { Services } from '../../src/services.ts';
import { call, useFastHashing, type ApiResponse, type CallOptions } from './rest-call.ts';
import { createPostgresDatabase, type TestDatabase } from './stores.ts';

export const DOMAIN = 'example.com';
export const ADMIN = `admin@${DOMAIN}`;
export const ADMIN_PASSWORD = 'correct horse battery staple';
export const DEFAULT_PASSWORD = 'a fine test password';
export const REDIS_URL = process.env.COO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const MAIL_LISTENERS = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'] as const;
const ALL_BUT_HTTP_OFF = MAIL_LISTENERS.map((n) => `${n}=off`);
const MAIL_ON_LOOPBACK = MAIL_LISTENERS.map((n) => `${n}=127.0.0.1:0`);

/** Mail's DNS in tests by default: nothing answers, as on a LAN with no DNS server. */
export const OFFLINE_RESOLVER: DnsResolver = (name, rrtype) =>
  Promise.reject(
    Object.assign(new Error(`query${rrtype} ECONNREFUSED ${name}`), { code: 'ECONNREFUSED', hostname: name }),
  );

export interface MailTestOptions {
  resolver?: DnsResolver;
  config?: Record<string, string | number | boolean | string[]>;
}

export interface ImServerOptions {
  database?: 'sqlite' | 'postgres';
  redis?: boolean;
  messenger?: ServerOptions['messenger'];
  slowHashing?: boolean;
  mail?: boolean | MailTestOptions;
}

export interface TestUserOptions {
  name?: string;
  unit?: string;
  password?: string;
  isAdmin?: boolean;
  title?: string;
  reading?: string;
  phone?: string;
  validFrom?: number | null;
  validUntil?: number | null;
}

export interface TestUser {
  id: number;
  address: string;
  password: string;
  name: string;
}

export type { ApiResponse, CallOptions } from './rest-call.ts';

export interface ImTestServer {
  server: RunningServer;
  services: Services;
  dataDir: string;
  baseUrl: string;
  wsUrl: string;
  ca: string;
  token: string;
  admin: { address: string; password: string };
  mailPort(name: (typeof MAIL_LISTENERS)[number]): number;
  createUser(localPart: string, options?: TestUserOptions): Promise<TestUser>;
  createUnit(unitPath: string): Promise<{ id: number; path: string }>;
  call(method: string, urlPath: string, options?: CallOptions): Promise<ApiResponse>;
  logLines(): Record<string, unknown>[];
  addNode(options?: { messenger?: ServerOptions['messenger'] }): Promise<ImTestServer>;
  stop(): Promise<void>;
}

/** Starts a real server for messenger tests; see the comment at the top of this file. */
export async function startImServer(options: ImServerOptions = {}): Promise<ImTestServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'coo-im-'));
  let database: TestDatabase | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    if (options.database === 'postgres') database = await createPostgresDatabase();
    const dataDir = path.join(root, 'data');
    await initDataDir({
      dataDir,
      domain: DOMAIN,
      admin: ADMIN,
      password: ADMIN_PASSWORD,
      listen: ['http=127.0.0.1:0', ...(options.mail ? MAIL_ON_LOOPBACK : ALL_BUT_HTTP_OFF)],
      databaseUrl: database?.target.kind === 'postgres' ? database.target.url : undefined,
    });
    const configFile = path.join(dataDir, 'coo.toml');
    if (!options.slowHashing) useFastHashing(configFile);
    if (options.redis) useRedis(configFile, `coo-test-${process.pid}-${randomBytes(4).toString('hex')}`);
    const mail = mailOptions(options.mail);
    if (mail?.config) setSectionKeys(configFile, 'mail', mail.config);
    const node = await startNode(dataDir, options.messenger, cleanups, mail?.resolver);
    const { token } = await node.server.services.tokens.create('tests', ADMIN, CLI_ACTOR);
    return decorate(node, token, options, cleanups, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

interface Node {
  server: RunningServer;
  dataDir: string;
  baseUrl: string;
  wsUrl: string;
  ca: string;
  agent: Agent;
  lines: string[];
}

function mailOptions(mail: ImServerOptions['mail']): MailTestOptions | undefined {
  if (!mail) return undefined;
  const given = mail === true ? {} : mail;
  return { ...given, resolver: given.resolver ?? OFFLINE_RESOLVER };
}

async function startNode(
  dataDir: string,
  messenger: ServerOptions['messenger'],
  cleanups: (() => Promise<void>)[],
  resolver: DnsResolver | undefined,
): Promise<Node> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const server = await startServer({
    dataDir,
    logger: createLogger('debug', sink),
    messenger,
    mail: { resolver: resolver ?? OFFLINE_RESOLVER },
  });
  cleanups.push(() => server.close());
  const address = server.address('http');
  if (!address) throw new Error('the http listener did not start');
  const ca = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  cleanups.push(() => agent.close());
  return {
    server,
    dataDir,
    baseUrl: `https://127.0.0.1:${address.port}`,
    wsUrl: `wss://127.0.0.1:${address.port}/ws`,
    ca,
    agent,
    lines,
  };
}

function decorate(
  node: Node,
  token: string,
  options: ImServerOptions,
  cleanups: (() => Promise<void>)[],
  stop: () => Promise<void>,
): ImTestServer {
  const services = node.server.services;
  const created: ImTestServer = {
    server: node.server,
    services,
    dataDir: node.dataDir,
    baseUrl: node.baseUrl,
    wsUrl: node.wsUrl,
    ca: node.ca,
    token,
    admin: { address: ADMIN, password: ADMIN_PASSWORD },
    mailPort: (name) => {
      const port = node.server.address(name)?.port;
      if (port === undefined) throw new Error(`the ${name} listener is not running`);
      return port;
    },
    createUnit: async (unitPath) => {
      const tree = await services.directory.org.loadTree();
      const existing = tree.find(unitPath);
      if (existing) return { id: existing.id, path: unitPath };
      return services.directory.org.add(unitPath, CLI_ACTOR, { createParents: true });
    },
    createUser: async (localPart, userOptions = {}) => {
      if (userOptions.unit !== undefined) await created.createUnit(userOptions.unit);
      const password = userOptions.password ?? DEFAULT_PASSWORD;
      const name = userOptions.name ?? localPart;
      const address = localPart.includes('@') ? localPart : `${localPart}@${DOMAIN}`;
      const user = await services.directory.users.create(
        address,
        {
          displayName: name,
          unit: userOptions.unit,
          isAdmin: userOptions.isAdmin,
          title: userOptions.title,
          nameReading: userOptions.reading,
          phone: userOptions.phone,
          validFrom: userOptions.validFrom,
          validUntil: userOptions.validUntil,
        },
        CLI_ACTOR,
        { password },
      );
      return { id: user.id, address: user.address, password, name: user.displayName };
    },
    call: (method, urlPath, callOptions = {}) =>
      call(node.agent, node.baseUrl, token, method, urlPath, callOptions),
    logLines: () => node.lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    addNode: async (nodeOptions = {}) => {
      if (options.database !== 'postgres' || !options.redis) {
        throw new Error('addNode needs { database: "postgres", redis: true }');
      }
      const other = await startNode(
        node.dataDir,
        nodeOptions.messenger ?? options.messenger,
        cleanups,
        mailOptions(options.mail)?.resolver,
      );
      return decorate(other, token, options, cleanups, async () => {
        await other.server.close();
      });
    },
    stop,
  };
  return created;
}

/** Sets keys of one [section] of coo.toml (replacing a key that is there, else adding it under the header). */
function setSectionKeys(configFile: string, section: string, values: Record<string, unknown>): void {
  let text = readFileSync(configFile, 'utf8');
  const header = `[${section}]`;
  if (!text.includes(`\n${header}\n`)) text = `${text.trimEnd()}\n\n${header}\n`;
  const start = text.indexOf(`\n${header}\n`) + header.length + 2;
  const nextHeader = text.slice(start).search(/^\[/m);
  const end = nextHeader === -1 ? text.length : start + nextHeader;
  let body = text.slice(start, end);
  for (const [key, value] of Object.entries(values)) {
    const line = `${key} = ${JSON.stringify(value)}`;
    const pattern = new RegExp(`^#?\\s*${key} = .*$`, 'm');
    body = pattern.test(body) ? body.replace(pattern, line) : `${line}\n${body}`;
  }
  writeFileSync(configFile, text.slice(0, start) + body + text.slice(end));
}

function useRedis(configFile: string, namespace: string): void {
  const text = readFileSync(configFile, 'utf8');
  const withRedis = text.replace(/^\[redis\]$/m, `[redis]\nurl = "${REDIS_URL}"\nnamespace = "${namespace}"`);
  if (withRedis === text) throw new Error(`${configFile}: no [redis] section`);
  writeFileSync(configFile, withRedis);
}

/** An `error` answer to a request. */
export class ImRequestError extends Error {
  readonly code: string;
  readonly frame: ServerFrame;

  constructor(frame: ServerFrame) {
    super(`${String(frame.code)}: ${String(frame.message)}`);
    this.name = 'ImRequestError';
    this.code = String(frame.code);
    this.frame = frame;
  }
}

interface Waiter {
  t: string;
  predicate: (frame: ServerFrame) => boolean;
  resolve: (frame: ServerFrame) => void;
}

/** A WebSocket client of the messenger protocol; see the comment at the top of this file. */
export class ImTestClient {
  readonly socket: WebSocket;
  /** Every frame received, in order. */
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #raw: net.Socket;
  readonly #pending = new Map<number, (frame: ServerFrame) => void>();
  readonly #taken = new Set<ServerFrame>();
  readonly #waiters = new Set<Waiter>();
  #nextId = 1;

  private constructor(socket: WebSocket, raw: net.Socket) {
    this.socket = socket;
    this.#raw = raw;
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(rawText(data)) as ServerFrame;
      this.frames.push(frame);
      if ((frame.t === 'ok' || frame.t === 'error') && typeof frame.re === 'number') {
        const answer = this.#pending.get(frame.re);
        if (answer) {
          this.#pending.delete(frame.re);
          this.#taken.add(frame);
          answer(frame);
          return;
        }
      }
      for (const waiter of this.#waiters) {
        if (waiter.t === frame.t && waiter.predicate(frame)) {
          this.#waiters.delete(waiter);
          this.#taken.add(frame);
          waiter.resolve(frame);
          return;
        }
      }
    });
    // Errors show up as the close code; without a listener they would crash the test process.
    socket.on('error', () => undefined);
  }

  static async connect(
    server: { wsUrl: string; ca: string },
    options: { autoPong?: boolean } = {},
  ): Promise<ImTestClient> {
    let raw: net.Socket | undefined;
    const socket = new WebSocket(server.wsUrl, {
      autoPong: options.autoPong ?? true,
      perMessageDeflate: false,
      // Our own TCP socket under TLS, so tests can count the bytes on the wire.
      createConnection: (connectOptions: tls.ConnectionOptions) => {
        raw = net.connect({ host: connectOptions.host ?? '127.0.0.1', port: Number(connectOptions.port) });
        return tls.connect({ ...connectOptions, socket: raw, ca: server.ca, servername: 'localhost' });
      },
    } as WebSocket.ClientOptions);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)),
      );
    });
    if (!raw) throw new Error('the WebSocket did not use our connection');
    return new ImTestClient(socket, raw);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Bytes on the TCP connection so far, TLS records included. */
  get wire(): { read: number; written: number } {
    return { read: this.#raw.bytesRead, written: this.#raw.bytesWritten };
  }

  async hello(
    login: string,
    password: string,
    options: { device?: DeviceDescription; remember?: boolean } = {},
  ): Promise<HelloResult> {
    return (await this.request('hello', {
      auth: { kind: 'password', login, password },
      device: options.device ?? { kind: 'desktop', name: 'test' },
      ...(options.remember === undefined ? {} : { remember: options.remember }),
    })) as HelloResult;
  }

  async resume(token: string, device?: DeviceDescription): Promise<HelloResult> {
    return (await this.request('hello', {
      auth: { kind: 'resume', token },
      ...(device ? { device } : {}),
    })) as HelloResult;
  }

  /** Sends `{t, id, ...payload}` and resolves with the answer's data; rejects on an error answer. */
  async request(t: string, payload: Record<string, unknown> = {}, timeoutMs = 5000): Promise<unknown> {
    const id = this.#nextId++;
    const answer = new Promise<ServerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no answer to "${t}" (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
    this.send({ ...payload, t, id });
    const frame = await answer;
    if (frame.t === 'error') throw new ImRequestError(frame);
    return frame.data;
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(text: string | Buffer): void {
    this.socket.send(text);
  }

  /** The first frame of type t (matching predicate) not taken yet: already received, or the next to come. */
  next(
    t: string,
    predicate: (frame: ServerFrame) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<ServerFrame> {
    const earlier = this.frames.find((frame) => frame.t === t && !this.#taken.has(frame) && predicate(frame));
    if (earlier) {
      this.#taken.add(earlier);
      return Promise.resolve(earlier);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        t,
        predicate,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(`no "${t}" frame within ${timeoutMs} ms; got: ${JSON.stringify(this.frames.slice(-5))}`),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Resolves when no frame of type t (matching predicate) arrives within ms. */
  async noFrame(
    t: string,
    ms: number,
    predicate: (frame: ServerFrame) => boolean = () => true,
  ): Promise<void> {
    const frame = await this.next(t, predicate, ms).catch(() => undefined);
    if (frame) throw new Error(`unexpected "${t}" frame: ${JSON.stringify(frame)}`);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(1000);
    }
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
    await Promise.race([this.closed, timeout]);
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
