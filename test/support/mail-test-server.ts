/**
 * The common start of the mail protocol harnesses (pop3.ts, imap.ts): a
 * fresh data dir (and a PostgreSQL database when asked), `coo init` with the
 * given listeners, fast password hashing, a REAL server whose log lines are
 * kept, and the blob store over its data dir.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { DiskBlobStore } from '../../src/blob/disk-blob-store.ts';
import { initDataDir } from '../../src/init.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { useFastHashing } from './rest-call.ts';
import { createPostgresDatabase, type TestDatabase } from './stores.ts';

export const DOMAIN = 'example.com';
export const PASSWORD = 'a fine test password';

export interface MailTestServerOptions {
  /** Prefix of the temp folder ("coo-imap-"). */
  prefix: string;
  database?: 'sqlite' | 'postgres';
  /** `[listen]` entries, e.g. ["imap=127.0.0.1:0", "http=off"…]. */
  listen: string[];
  /** Changes to coo.toml before the server starts. */
  editConfig?: (configFile: string) => void;
}

export interface MailTestServer {
  server: RunningServer;
  dataDir: string;
  blobs: DiskBlobStore;
  /** The server's certificate (PEM), to verify TLS. */
  ca: string;
  /** A logger writing where the server's lines are kept (for extra listeners). */
  logger: () => Logger;
  logLines: () => Record<string, unknown>[];
  /** Runs before the server closes (extra listeners). */
  beforeStop: (step: () => Promise<void>) => void;
  stop: () => Promise<void>;
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
      listen: options.listen,
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
    server = await startServer({ dataDir, logger: createLogger('debug', sink) });
    return {
      server,
      dataDir,
      blobs: await DiskBlobStore.open(path.join(dataDir, 'blobs')),
      ca: readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'),
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
