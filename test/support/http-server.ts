import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe } from 'node:test';
import { Agent } from 'undici';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import { initDataDir } from '../../src/init.ts';
import { createLogger } from '../../src/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { call, useFastHashing, type ApiResponse, type CallOptions } from './rest-call.ts';
import { createPostgresDatabase, type TestDatabase } from './stores.ts';

export type { ApiResponse, CallOptions };

export const DOMAIN = 'example.com';
export const ADMIN = `admin@${DOMAIN}`;
export const ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  baseUrl: string;
  /** An API token of the first administrator. */
  token: string;
  /** Log lines the server wrote, parsed. */
  logLines: () => Record<string, unknown>[];
  call(method: string, urlPath: string, options?: CallOptions): Promise<ApiResponse>;
  stop(): Promise<void>;
}

const ALL_BUT_HTTP_OFF = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s'].map(
  (n) => `${n}=off`,
);

/**
 * A real `coo` server on a free loopback port, from a fresh data dir (and,
 * for PostgreSQL, a throw-away database), with an API token for its admin
 * and an HTTPS client that trusts the generated certificate.
 */
export async function startTestServer(kind: 'sqlite' | 'postgres'): Promise<TestServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'coo-http-'));
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let agent: Agent | undefined;
  const cleanup = async () => {
    await agent?.close();
    await server?.close();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    if (kind === 'postgres') database = await createPostgresDatabase();
    const dataDir = path.join(root, 'data');
    await initDataDir({
      dataDir,
      domain: DOMAIN,
      admin: ADMIN,
      password: ADMIN_PASSWORD,
      listen: ['http=127.0.0.1:0', ...ALL_BUT_HTTP_OFF],
      databaseUrl: database?.target.kind === 'postgres' ? database.target.url : undefined,
    });
    useFastHashing(path.join(dataDir, 'coo.toml'));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    server = await startServer({ dataDir, logger: createLogger('debug', sink) });
    const address = server.address('http');
    if (!address) throw new Error('the http listener did not start');
    const { token } = await server.services.tokens.create('tests', ADMIN, CLI_ACTOR);
    const ca = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
    agent = new Agent({ connect: { ca, servername: 'localhost' } });
    const baseUrl = `https://127.0.0.1:${address.port}`;
    const dispatcher = agent;
    return {
      server,
      dataDir,
      baseUrl,
      token,
      logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
      call: (method, urlPath, options = {}) => call(dispatcher, baseUrl, token, method, urlPath, options),
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * Runs a suite against a real server once on SQLite and once on PostgreSQL.
 * Tests in it run in order and share the server; each makes its own names.
 */
export function describeHttpApi(title: string, body: (server: () => TestServer) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    describe(`${title} [${kind}]`, () => {
      let running: TestServer | undefined;
      before(async () => {
        running = await startTestServer(kind);
      });
      after(async () => {
        await running?.stop();
      });
      body(() => {
        if (!running) throw new Error('the test server did not start');
        return running;
      });
    });
  }
}

/** The newest audit entry for this action and target, read through the API. */
export async function lastAuditEntry(server: TestServer, action: string, target: string) {
  const query = new URLSearchParams({ action, target, limit: '1' });
  const response = await server.call('GET', `/api/v1/audit?${query.toString()}`);
  if (response.status !== 200) throw new Error(`GET /api/v1/audit: ${response.status} ${response.text}`);
  return (response.json as { entries: Record<string, unknown>[] }).entries[0];
}
