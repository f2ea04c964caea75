/**
 * What the benchmarks share: a free port, a data dir's listener list with
 * only some of them on, the command line, a server over a fresh data dir,
 * the worker thread of the clients, and the arithmetic of the results.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { configuredBlobStore, type BlobStore } from '../src/blob/blob-store.ts';
import { LISTENER_NAMES, type ListenerName } from '../src/config/schema.ts';
import { initDataDir } from '../src/init.ts';
import { createLogger } from '../src/log.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { createScratchDatabase } from '../src/store/scratch-database.ts';

export const BENCH_DOMAIN = 'bench.example';
export const BENCH_PASSWORD = 'a fine bench password';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** `--listen` entries for initDataDir: the given listeners on 127.0.0.1 at their port, every other one off. */
export function onlyListeners(on: Partial<Record<ListenerName, number>>): string[] {
  return LISTENER_NAMES.map((name) => {
    const port = on[name];
    return port === undefined ? `${name}=off` : `${name}=127.0.0.1:${port}`;
  });
}

/**
 * The command line of a server benchmark: each option of `defaults` a
 * positive integer (the default when absent), and --database-url, a
 * PostgreSQL server to run on (SQLite when absent).
 */
export function benchArguments<Name extends string>(
  defaults: Record<Name, number>,
): Record<Name, number> & { databaseUrl: string | undefined } {
  const names = Object.keys(defaults) as Name[];
  const options: Record<string, { type: 'string'; default?: string }> = {
    'database-url': { type: 'string' },
  };
  for (const name of names) options[name] = { type: 'string', default: String(defaults[name]) };
  const { values } = parseArgs({ options });
  const numbers = Object.fromEntries(
    names.map((name) => [name, positiveInteger(name, String(values[name]))]),
  ) as Record<Name, number>;
  return { ...numbers, databaseUrl: values['database-url'] };
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`--${name} wants a positive integer, not ${text}`);
  return value;
}

export interface BenchServer {
  server: RunningServer;
  dataDir: string;
  /** The port of the one listener on. */
  port: number;
  /** The server's certificate (PEM), for the clients to verify TLS. */
  ca: string;
  /** The blob store over the server's data dir, to fill mailboxes without the protocols. */
  blobs: BlobStore;
}

/**
 * Runs `work` against a Coo server in this process: a fresh data dir for
 * BENCH_DOMAIN (on a scratch database of the PostgreSQL server at
 * databaseUrl, or SQLite), only `listener` on, on 127.0.0.1. Afterwards the
 * server is closed and the data dir and database removed.
 */
/** A scratch database of the PostgreSQL server at this URL (gone with its drop()); undefined: SQLite. */
export function benchDatabase(databaseUrl: string | undefined) {
  return databaseUrl ? createScratchDatabase(databaseUrl, 'coo_bench') : Promise.resolve(undefined);
}

export async function withBenchServer<T>(
  options: { listener: ListenerName; databaseUrl: string | undefined },
  work: (bench: BenchServer) => Promise<T>,
): Promise<T> {
  const { listener } = options;
  const root = mkdtempSync(path.join(tmpdir(), `coo-bench-${listener}-`));
  const scratch = await benchDatabase(options.databaseUrl);
  try {
    const dataDir = path.join(root, 'data');
    await initDataDir({
      dataDir,
      domain: BENCH_DOMAIN,
      admin: `admin@${BENCH_DOMAIN}`,
      password: BENCH_PASSWORD,
      listen: onlyListeners({ [listener]: 0 }),
      databaseUrl: scratch?.url,
    });
    lowerHashingCost(path.join(dataDir, 'coo.toml'));
    const server = await startServer({ dataDir, logger: createLogger('warn') });
    try {
      const port = server.address(listener)?.port;
      if (!port) throw new Error(`${listener} did not start`);
      return await work({
        server,
        dataDir,
        port,
        ca: readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'),
        blobs: configuredBlobStore(server.services.config, server.services.store.db),
      });
    } finally {
      await server.close();
    }
  } finally {
    await scratch?.drop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** A benchmark measures its protocol, not argon2: the cheapest allowed cost. */
function lowerHashingCost(configFile: string): void {
  const text = readFileSync(configFile, 'utf8')
    .replace(/^argon2_memory_kib = \d+/m, 'argon2_memory_kib = 1024')
    .replace(/^argon2_passes = \d+/m, 'argon2_passes = 1');
  writeFileSync(configFile, text);
}

/**
 * Runs the benchmark's own file (`import.meta.url`) again in a worker
 * thread, which sees `input` as workerData; resolves with the one message
 * it posts.
 */
export function inWorker<Input, Result>(script: string, input: Input): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(script), { workerData: input });
    worker.once('message', (result: Result) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the client worker exited with ${code}`));
    });
  });
}

export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/** To one decimal place. */
export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
