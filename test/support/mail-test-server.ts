/**
 * The common part of the mail protocol harnesses (pop3.ts, imap.ts): a
 * fresh data dir (and a PostgreSQL database when asked), `coo init` with
 * only the given listeners on, fast password hashing, a REAL server whose
 * log lines are kept, the blob store over its data dir, and users and
 * messages put in through the store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { configuredBlobStore, type BlobStore } from '../../src/blob/blob-store.ts';
import { LISTENER_NAMES, type ListenAddress, type ListenerName } from '../../src/config/schema.ts';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import { initDataDir } from '../../src/init.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { Services } from '../../src/services.ts';
import {
  appendMessage,
  ensureDefaultMailboxes,
  findMailbox,
  listMessages,
  type MailMessageRow,
} from '../../src/store/mailboxes.ts';
import { useFastHashing } from './rest-call.ts';
import { createPostgresDatabase, type TestDatabase } from './stores.ts';

export const DOMAIN = 'example.com';
export const PASSWORD = 'a fine test password';

export interface MailTestServerOptions {
  /** Prefix of the temp folder ("coo-imap-"). */
  prefix: string;
  database?: 'sqlite' | 'postgres';
  /** The listeners on, each on 127.0.0.1:0; every other one is off. */
  listeners: readonly ListenerName[];
  /** Changes to coo.toml before the server starts. */
  editConfig?: (configFile: string) => void;
}

export interface MailTestUser {
  id: number;
  address: string;
  password: string;
}

export interface DeliverOptions {
  flags?: readonly string[];
  /** INTERNALDATE, ms since the epoch (default: now). */
  internalDate?: number;
}

export interface DeliveredMessage {
  uid: number;
  size: number;
  sha256: string;
  mailboxId: number;
}

/** What the IMAP and POP3 harnesses hand their tests alike. */
export interface MailTestHarness {
  server: RunningServer;
  services: Services;
  /** The server's certificate (PEM), to verify TLS. */
  ca: string;
  blobs: BlobStore;
  /** A user at DOMAIN with PASSWORD. */
  createUser: (localPart: string) => Promise<MailTestUser>;
  logLines: () => Record<string, unknown>[];
  stop: () => Promise<void>;
}

export interface MailTestServer extends MailTestHarness {
  dataDir: string;
  /** The user has no mailbox yet: deliver() makes them. */
  createUser: (localPart: string) => Promise<MailTestUser>;
  /** The bound address of a listener that was asked for; throws when it did not start. */
  address: (name: ListenerName) => ListenAddress;
  /**
   * Appends the message to the user's mailbox (INBOX unless named) as
   * delivery would, with the summary columns read from its header; the
   * default mailboxes are made first.
   */
  deliver: (
    userId: number,
    message: Buffer,
    mailbox?: string,
    options?: DeliverOptions,
  ) => Promise<DeliveredMessage>;
  /** The messages of the user's mailbox in the store, in UID order; none when there is no such mailbox. */
  messages: (userId: number, name: string) => Promise<MailMessageRow[]>;
  /** A logger writing where the server's lines are kept (for extra listeners). */
  logger: () => Logger;
  /** Runs before the server closes (extra listeners). */
  beforeStop: (step: () => Promise<void>) => void;
}

export async function startMailTestServer(options: MailTestServerOptions): Promise<MailTestServer> {
  const root = mkdtempSync(path.join(tmpdir(), options.prefix));
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  const steps: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of steps) await step().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    if (options.database === 'postgres') database = await createPostgresDatabase();
    const dataDir = path.join(root, 'data');
    await initDataDir({
      dataDir,
      domain: DOMAIN,
      admin: `admin@${DOMAIN}`,
      password: PASSWORD,
      listen: LISTENER_NAMES.map((name) =>
        options.listeners.includes(name) ? `${name}=127.0.0.1:0` : `${name}=off`,
      ),
      databaseUrl: database?.target.kind === 'postgres' ? database.target.url : undefined,
    });
    const configFile = path.join(dataDir, 'coo.toml');
    useFastHashing(configFile);
    options.editConfig?.(configFile);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const running = await startServer({ dataDir, logger: createLogger('debug', sink) });
    server = running;
    const { services } = running;
    const { db } = services.store;
    const blobs = configuredBlobStore(services.config, db);
    return {
      server: running,
      services,
      dataDir,
      blobs,
      ca: readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'),
      address: (name) => {
        const address = running.address(name);
        if (!address) throw new Error(`the ${name} listener did not start`);
        return address;
      },
      createUser: async (localPart) => {
        const address = `${localPart}@${DOMAIN}`;
        const user = await services.directory.users.create(address, { displayName: localPart }, CLI_ACTOR, {
          password: PASSWORD,
        });
        return { id: user.id, address: user.address, password: PASSWORD };
      },
      deliver: async (userId, message, mailbox = 'INBOX', deliverOptions = {}) => {
        const blob = await blobs.put(message);
        const now = Date.now();
        await ensureDefaultMailboxes(db, userId, now);
        const target = await findMailbox(db, userId, mailbox);
        if (!target) throw new Error(`user ${userId} has no mailbox "${mailbox}"`);
        const row = await db.transaction().execute((tx) =>
          appendMessage(tx, {
            mailboxId: target.id,
            userId,
            blobSha256: blob.id,
            size: blob.size,
            internalDate: deliverOptions.internalDate ?? now,
            flags: deliverOptions.flags ?? [],
            subject: headerValue(message, 'subject'),
            fromAddress: headerValue(message, 'from').toLowerCase(),
            messageId: headerValue(message, 'message-id').replace(/^<|>$/g, ''),
            now,
          }),
        );
        return { uid: Number(row.uid), size: Number(row.size), sha256: blob.id, mailboxId: target.id };
      },
      messages: async (userId, name) => {
        const row = await findMailbox(db, userId, name);
        return row ? listMessages(db, row.id) : [];
      },
      logger: () => createLogger('debug', sink),
      logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
      beforeStop: (step) => steps.push(step),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The harness's part of what a protocol's harness hands its tests. */
export function harnessOf(base: MailTestServer): MailTestHarness {
  const { server, services, ca, blobs, createUser, logLines, stop } = base;
  return { server, services, ca, blobs, createUser, logLines, stop };
}

/** A header's raw value (first occurrence, unfolded), "" when absent: enough for the store's summary columns. */
function headerValue(message: Buffer, field: string): string {
  const end = message.indexOf('\r\n\r\n');
  const head = message.subarray(0, end === -1 ? message.length : end).toString('latin1');
  const match = new RegExp(`^${field}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r\n[ \t]/g, ' ').trim() ?? '';
}
