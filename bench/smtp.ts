/**
 * Inbound SMTP under load: messages delivered into local mailboxes with
 * durability on (each 250 comes after the blob is fsynced and the rows are
 * committed and flushed), as an MX sees them from other mail servers.
 *
 *   npm run bench:smtp -- --sessions N --messages M --size KB [--users U] [--database-url URL]
 *
 * A server process (bench/smtp-server.ts: startServer on a fresh data dir,
 * SQLite unless --database-url, then on a scratch database of that
 * PostgreSQL server, dropped afterwards) and this process as the client: N SMTP
 * sessions at once, each sending its share of M messages of about KB
 * kilobytes one after the other (MAIL, RCPT, DATA; no pipelining), to U
 * users in turn. Latency is from MAIL FROM to the 250 after DATA.
 *
 * The last line printed is JSON:
 *   {"messages":M,"msgs_per_s":…,"p50_ms":…,"p99_ms":…,"sessions":N,"size_kb":KB,"stored":…,
 *    "server_cpu_ms_per_msg":…,"client_cpu_ms_per_msg":…}
 * stored: messages found in the mailboxes afterwards (must equal M);
 * server_cpu_ms_per_msg: CPU time of the server process (all threads and the
 * kernel's share) per message — what the figure costs, whatever else runs
 * on the machine; client_cpu_ms_per_msg: the same for this process, the
 * load generator, which shares the machine's cores with the server.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/loader.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { initDataDir } from '../src/init.ts';
import { openServices } from '../src/services.ts';
import { benchDatabase, onlyListeners, percentile, round } from './support.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '20' },
    messages: { type: 'string', default: '10000' },
    size: { type: 'string', default: '5' },
    users: { type: 'string', default: '100' },
    'database-url': { type: 'string' },
  },
});
const sessions = Number(values.sessions);
const messages = Number(values.messages);
const sizeKb = Number(values.size);
const userCount = Number(values.users);
const DOMAIN = 'bench.example';

async function prepare(dataDir: string, databaseUrl: string | undefined): Promise<void> {
  await initDataDir({
    dataDir,
    domain: DOMAIN,
    admin: `admin@${DOMAIN}`,
    password: 'bench admin password',
    listen: onlyListeners({ smtp: 0 }),
    databaseUrl,
  });
  // Every connection comes from 127.0.0.1: the per-address limits would measure themselves.
  const file = path.join(dataDir, 'coo.toml');
  writeFileSync(
    file,
    readFileSync(file, 'utf8')
      .replace(/^connections_per_address = \d+$/m, 'connections_per_address = 0')
      .replace(/^messages_per_minute_per_address = \d+$/m, 'messages_per_minute_per_address = 0')
      .replace(/^argon2_memory_kib = \d+$/m, 'argon2_memory_kib = 1024'),
  );
  const services = await openServices(loadConfig(dataDir));
  try {
    for (let i = 0; i < userCount; i++) {
      await services.directory.users.create(`u${i}@${DOMAIN}`, { displayName: `利用者 ${i}` }, CLI_ACTOR);
    }
  } finally {
    await services.close();
  }
}

function startServerProcess(dataDir: string): Promise<{ port: number; stop: () => Promise<number> }> {
  const child = fork(path.join(root, 'bench/smtp-server.ts'), [dataDir], {
    stdio: 'inherit',
    execArgv: process.env.COO_BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.COO_BENCH_PROFILE}`]
      : [],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server exited (${code})`)));
    child.once('message', (message: { port?: number }) => {
      if (!message.port) return reject(new Error('the smtp listener did not start'));
      resolve({
        port: message.port,
        stop: () =>
          new Promise((done) => {
            let cpuMs = 0;
            child.removeAllListeners('exit');
            child.on('message', (report: { cpuMs?: number }) => (cpuMs = report.cpuMs ?? cpuMs));
            child.once('exit', () => done(cpuMs));
            child.send({ stop: true });
          }),
      });
    });
  });
}

function messageText(index: number, to: string): Buffer {
  const header =
    `From: Sender ${index} <sender${index % 50}@remote.example>\r\nTo: ${to}\r\n` +
    `Subject: bench message ${index}\r\nMessage-ID: <${index}.${Date.now()}@remote.example>\r\n` +
    `Date: ${new Date().toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n';
  const body = line.repeat(Math.max(1, Math.ceil((sizeKb * 1024 - header.length) / line.length)));
  return Buffer.from(header + body + '.\r\n');
}

/** One SMTP session over plain TCP, reading one reply per command. */
class Session {
  readonly #socket: net.Socket;
  #buffer = '';
  #waiter: ((reply: string) => void) | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      const match = /(?:^|\n)(\d{3}) [^\n]*\n/.exec(this.#buffer);
      if (match && this.#waiter) {
        const reply = this.#buffer;
        this.#buffer = '';
        const waiter = this.#waiter;
        this.#waiter = undefined;
        waiter(reply);
      }
    });
  }

  static async open(port: number): Promise<Session> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const session = new Session(socket);
    await session.expect(undefined, '220');
    await session.expect('EHLO bench.client.example', '250');
    return session;
  }

  expect(command: string | Buffer | undefined, code: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiter = (reply) => {
        const last = reply.trimEnd().split('\n').at(-1) ?? '';
        if (last.startsWith(code)) resolve();
        else reject(new Error(`expected ${code}, got: ${reply.trim()}`));
      };
      if (command !== undefined) this.#socket.write(typeof command === 'string' ? `${command}\r\n` : command);
    });
  }

  async close(): Promise<void> {
    await this.expect('QUIT', '221').catch(() => undefined);
    this.#socket.destroy();
  }
}

async function run(port: number): Promise<{ latencies: number[]; seconds: number; cpuMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      const session = await Session.open(port);
      for (let index = next++; index < messages; index = next++) {
        const to = `u${index % userCount}@${DOMAIN}`;
        const data = messageText(index, to);
        const begin = performance.now();
        await session.expect(`MAIL FROM:<sender${index % 50}@remote.example> SIZE=${data.length}`, '250');
        await session.expect(`RCPT TO:<${to}>`, '250');
        await session.expect('DATA', '354');
        await session.expect(data, '250');
        latencies.push(performance.now() - begin);
      }
      await session.close();
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    latencies,
    seconds: (performance.now() - started) / 1000,
    cpuMs: (used.user + used.system) / 1000,
  };
}

const dir = mkdtempSync(path.join(tmpdir(), 'coo-bench-smtp-'));
const dataDir = path.join(dir, 'data');
const scratch = await benchDatabase(values['database-url']);
try {
  await prepare(dataDir, scratch?.url);
  const server = await startServerProcess(dataDir);
  let result: { latencies: number[]; seconds: number; cpuMs: number };
  let serverCpuMs = 0;
  try {
    result = await run(server.port);
  } finally {
    serverCpuMs = await server.stop();
  }
  const services = await openServices(loadConfig(dataDir));
  const stored = await services.store.db
    .selectFrom('mail_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  await services.close();
  const sorted = result.latencies.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      messages,
      msgs_per_s: Math.round(messages / result.seconds),
      p50_ms: round(percentile(sorted, 0.5)),
      p99_ms: round(percentile(sorted, 0.99)),
      sessions,
      size_kb: sizeKb,
      stored: Number(stored.n),
      server_cpu_ms_per_msg: round(serverCpuMs / messages),
      client_cpu_ms_per_msg: round(result.cpuMs / messages),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await scratch?.drop();
}
