/**
 * Test harness for submission and the outbound queue: a REAL data dir
 * (`initDataDir`, TLS certificate, DKIM key), the real services over SQLite
 * or PostgreSQL, the real blob store, the real outbound queue, and the mail
 * listeners started from their modules on 127.0.0.1:0. Local delivery is a
 * RecordingDelivery (every delivery kept, outcomes programmable) unless the
 * test hands its own; the queue worker gets an injected DNS and clock.
 *
 *   const world = await startMailWorld({ domain?, hostname?, database?, queue?, submission?, auth?,
 *                                        maxMessageSize?, resolver?, localDelivery? })
 *   world.services, world.blobs, world.context (a MailContext), world.delivery (RecordingDelivery)
 *   await world.createUser('taro') → { id, address, password }
 *   await world.listen('submission' | 'submissions') → port
 *   world.worker({ resolver, now, mxPort, timeouts }) → a QueueWorker (call runOnce(); no loop)
 *   offlineResolver: the context's DNS by default, every name unknown
 *   world.caFile: the certificate (PEM file) clients trust
 *   await world.stop()
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { openBlobStore, type BlobStore } from '../../src/blob/blob-store.ts';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import { loadConfig } from '../../src/config/loader.ts';
import type { AuthConfig, QueueConfig, SubmissionConfig } from '../../src/config/schema.ts';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import { initDataDir } from '../../src/init.ts';
import { createLogger } from '../../src/log.ts';
import type { DnsResolver, MailContext, RunningListener } from '../../src/mail/mail-system.ts';
import type {
  DeliveryOutcome,
  LocalDeliveryPort,
  RecipientResolution,
  StoredMessage,
} from '../../src/mail/ports.ts';
import { createQueueWorker, OutboundQueue, type QueueWorkerOptions } from '../../src/mail/queue/index.ts';
import type { QueueWorker } from '../../src/mail/queue/queue-worker.ts';
import { submissionModule } from '../../src/mail/submission/index.ts';
import { openServices, type Services } from '../../src/services.ts';
import { useFastHashing } from './rest-call.ts';
import { createPostgresDatabase, type TestDatabase } from './stores.ts';

export const PASSWORD = 'a fine test password';

export interface DeliveryCall {
  message: StoredMessage;
  mailFrom: string;
  recipients: readonly string[];
  submittedBy?: { userId: number; address: string };
  /** The message as stored. */
  content: string;
}

/**
 * A LocalDeliveryPort that records: addresses of existing users (any domain
 * of ours, alias domains included) resolve as local, unknown ones at our
 * domains as unknown, the rest as remote; deliver() keeps each call.
 */
export class RecordingDelivery implements LocalDeliveryPort {
  readonly calls: DeliveryCall[] = [];
  /** The outcome to report for a recipient; 'delivered' when unset. */
  readonly outcomes = new Map<string, DeliveryOutcome>();
  readonly #services: () => Services;
  readonly #blobs: () => BlobStore;

  constructor(services: () => Services, blobs: () => BlobStore) {
    this.#services = services;
    this.#blobs = blobs;
  }

  async resolveRecipient(address: string): Promise<RecipientResolution> {
    const services = this.#services();
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    const ours = (await services.directory.domains.list()).some((d) => d.name === domain);
    if (!ours) return { kind: 'remote', domain };
    const row = await services.directory.users.findRow(address);
    return row
      ? { kind: 'local', userId: row.id, address: row.address }
      : { kind: 'unknown', reason: 'no such user' };
  }

  async deliver(input: Parameters<LocalDeliveryPort['deliver']>[0]): Promise<DeliveryOutcome[]> {
    const stream = await this.#blobs().get(input.message.sha256);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    this.calls.push({ ...input, content: Buffer.concat(chunks).toString('utf8') });
    return input.recipients.map(
      (recipient) => this.outcomes.get(recipient) ?? { recipient, outcome: 'delivered' as const },
    );
  }

  /** Resolves with the first call (from now or earlier) that matches. */
  async waitFor(match: (call: DeliveryCall) => boolean, timeoutMs = 5000): Promise<DeliveryCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching local delivery within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/** DNS on a LAN without one: every name is unknown. */
export const offlineResolver: DnsResolver = async (name) => {
  throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

export interface MailWorldOptions {
  domain?: string;
  hostname?: string;
  database?: 'sqlite' | 'postgres';
  queue?: Partial<QueueConfig>;
  submission?: Partial<SubmissionConfig>;
  auth?: Partial<AuthConfig>;
  /** [mail] max_message_size, the limit submission shares with inbound SMTP. */
  maxMessageSize?: number;
  /** The context's DNS (default: every name unknown, as on an offline LAN). */
  resolver?: DnsResolver;
  /** Replaces the recording local delivery. */
  localDelivery?: (world: MailWorld) => LocalDeliveryPort;
}

export interface MailWorld {
  dataDir: string;
  domain: string;
  hostname: string;
  services: Services;
  blobs: BlobStore;
  context: MailContext;
  queue: OutboundQueue;
  delivery: RecordingDelivery;
  caFile: string;
  logLines(): Record<string, unknown>[];
  createUser(
    localPart: string,
    options?: { password?: string },
  ): Promise<{ id: number; address: string; password: string }>;
  listen(name: 'submission' | 'submissions'): Promise<number>;
  worker(options?: QueueWorkerOptions): QueueWorker;
  stop(): Promise<void>;
}

export async function startMailWorld(options: MailWorldOptions = {}): Promise<MailWorld> {
  const domain = options.domain ?? 'example.com';
  const hostname = options.hostname ?? `mail.${domain}`;
  const root = mkdtempSync(path.join(tmpdir(), 'coo-mail-'));
  const dataDir = path.join(root, 'data');
  let database: TestDatabase | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of cleanups.reverse()) await step().catch(() => undefined);
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    if (options.database === 'postgres') database = await createPostgresDatabase();
    await initDataDir({
      dataDir,
      domain,
      admin: `admin@${domain}`,
      password: PASSWORD,
      hostname,
      listen: ['http=off', 'smtp=off', 'imap=off', 'imaps=off', 'pop3=off', 'pop3s=off'].concat([
        'submission=127.0.0.1:0',
        'submissions=127.0.0.1:0',
      ]),
      databaseUrl: database?.target.kind === 'postgres' ? database.target.url : undefined,
    });
    useFastHashing(path.join(dataDir, 'coo.toml'));
    const config = loadConfig(dataDir);
    config.config.queue = { ...config.config.queue, ...options.queue };
    config.config.submission = { ...config.config.submission, ...options.submission };
    config.config.auth = { ...config.config.auth, ...options.auth };
    if (options.maxMessageSize !== undefined) config.config.mail.max_message_size = options.maxMessageSize;
    const services = await openServices(config);
    cleanups.push(() => services.close());
    const blobs = await openBlobStore(config, services.store.db);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const caFile = config.paths.tlsCert;
    const tls = { certPem: readFileSync(caFile, 'utf8'), keyPem: readFileSync(config.paths.tlsKey, 'utf8') };
    const queue = new OutboundQueue(services.store);
    const context = {
      services,
      bus: new MemoryBus(),
      blobs,
      logger: createLogger('debug', sink),
      config,
      tls,
      queue,
      resolver: options.resolver ?? offlineResolver,
    } as unknown as MailContext;
    const delivery = new RecordingDelivery(
      () => services,
      () => blobs,
    );
    const world: MailWorld = {
      dataDir,
      domain,
      hostname,
      services,
      blobs,
      context,
      queue,
      delivery,
      caFile,
      logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
      createUser: async (localPart, userOptions = {}) => {
        const password = userOptions.password ?? PASSWORD;
        const address = localPart.includes('@') ? localPart : `${localPart}@${domain}`;
        const user = await services.directory.users.create(address, { displayName: localPart }, CLI_ACTOR, {
          password,
        });
        return { id: user.id, address: user.address, password };
      },
      listen: async (name) => {
        const factory = submissionModule.listeners?.[name];
        if (!factory) throw new Error(`no ${name} listener`);
        const listener: RunningListener = await factory(context, { host: '127.0.0.1', port: 0 });
        cleanups.push(() => listener.close());
        return listener.address.port;
      },
      worker: (workerOptions = {}) => {
        const worker = createQueueWorker(context, workerOptions);
        cleanups.push(() => worker.close());
        return worker;
      },
      stop,
    };
    context.localDelivery = options.localDelivery ? options.localDelivery(world) : delivery;
    return world;
  } catch (error) {
    await stop();
    throw error;
  }
}
