/**
 * The messenger under load, as deployed: a `coo serve` process (TLS, SQLite
 * or PostgreSQL) and load-generator processes on the same machine.
 *
 *   npm run bench:im -- --clients N --seconds S [--rate MSGS_PER_S] [--chatters SHARE]
 *                       [--presence CHANGES_PER_S] [--database-url URL]
 *                       [--nodes K --redis-url URL]
 *
 * With --database-url the data lives in a scratch database of that
 * PostgreSQL server, dropped afterwards. --nodes K starts K `coo serve`
 * processes on it and on Redis (each its own port, as behind a load
 * balancer; the generators' clients are spread over them, so chats and
 * presence cross nodes); rss_mb is then their sum and the loop figures the
 * worst node's. One process cannot hold more sockets than its limit of open
 * files allows: more nodes serve more clients.
 *
 * N users are imported in units of 50 and each gets a remembered device
 * (a resume token), as if they had logged in once before. Then every client
 * connects and logs in with its token (login_s), watches the presence of
 * the ~50 people of its unit, a share of the clients (--chatters) opens a
 * 1:1 and a group chat, and for S seconds they send --rate messages/s in
 * all while --presence status changes/s go on. Latency is from the send to
 * the receipt by each other member, on one clock.
 *
 * The last line printed is JSON:
 *   {"clients":N,"nodes":K,"connected":…,"login_s":…,"msgs_per_s":…,"p50_ms":…,"p99_ms":…,"rss_mb":…,
 *    "presence_bytes_per_change":…,"server_loop_p99_ms":…,"server_loop_max_ms":…,
 *    "generator_loop_p99_ms":…}
 * presence_bytes_per_change: the bytes of presence frames all watchers
 * received, divided by the number of status changes. The loop figures
 * are the event-loop delay of the server (p99, max) and of the busiest generator (p99)
 * while chatting: where a latency beyond the work itself comes from.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/loader.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import { importUsers } from '../src/directory/user-csv.ts';
import { DeviceService } from '../src/im/sessions/device-service.ts';
import { initDataDir } from '../src/init.ts';
import { openServices } from '../src/services.ts';
import type { ParentMessage, WorkerClient, WorkerReport } from './im-worker.ts';
import { benchDatabase, freePort, onlyListeners } from './support.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '1000' },
    chatters: { type: 'string', default: '0.2' },
    presence: { type: 'string', default: '20' },
    'unit-size': { type: 'string', default: '50' },
    workers: { type: 'string', default: '' },
    concurrency: { type: 'string', default: '100' },
    'server-node-options': { type: 'string', default: '' },
    'database-url': { type: 'string' },
    nodes: { type: 'string', default: '1' },
    'redis-url': { type: 'string' },
  },
});
const nodeCount = Number(values.nodes);
if (nodeCount > 1 && (!values['database-url'] || !values['redis-url'])) {
  throw new Error('--nodes above 1 needs --database-url and --redis-url: nodes share PostgreSQL and Redis');
}
const clientCount = Number(values.clients);
const seconds = Number(values.seconds);
const unitSize = Number(values['unit-size']);
// A process may hold fewer than 20,000 open files here: 5,000 clients per generator.
const workerCount = Number(values.workers || Math.max(nodeCount, Math.ceil(clientCount / 5000)));

function csvOfUsers(count: number): Buffer {
  const lines = ['address,name,reading,unit'];
  for (let i = 0; i < count; i++) {
    const unit = `本社/部${Math.floor(i / unitSize / 10)}/課${Math.floor(i / unitSize)}`;
    lines.push(`u${i}@bench.example,利用者 ${i},りようしゃ ${i},${unit}`);
  }
  return Buffer.from(lines.join('\n') + '\n');
}

async function prepare(
  dataDir: string,
  port: number,
  databaseUrl: string | undefined,
): Promise<WorkerClient[]> {
  await initDataDir({
    dataDir,
    domain: 'bench.example',
    admin: 'admin@bench.example',
    password: 'bench admin password',
    listen: onlyListeners({ http: port }),
    databaseUrl,
  });
  if (values['redis-url']) {
    // A namespace of its own: nothing of an earlier run on the same Redis is seen.
    const file = path.join(dataDir, 'coo.toml');
    const redis = `[redis]\nurl = ${JSON.stringify(values['redis-url'])}\nnamespace = "coo-bench-${process.pid}-${Date.now()}"\n`;
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\[redis\]\n/m, redis));
  }
  const services = await openServices(loadConfig(dataDir));
  try {
    const report = await importUsers(services, csvOfUsers(clientCount), { actor: CLI_ACTOR });
    if (report.errors.length) throw new Error(`import: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const devices = new DeviceService({
      store: services.store,
      audit: services.audit,
      users: services.directory.users,
    });
    const rows = (await services.directory.users.list()).filter((u) => u.address.startsWith('u'));
    rows.sort((a, b) => Number(a.address.slice(1).split('@')[0]) - Number(b.address.slice(1).split('@')[0]));
    const clients: WorkerClient[] = [];
    for (const [i, user] of rows.entries()) {
      const row = await services.directory.users.requireRow(user.address);
      const login = await devices.register(
        row,
        { kind: 'desktop', name: 'bench' },
        { remember: true, remote: '127.0.0.1' },
      );
      const unitStart = Math.floor(i / unitSize) * unitSize;
      const watch = rows
        .slice(unitStart, unitStart + unitSize)
        .map((u) => u.id)
        .filter((id) => id !== user.id);
      clients.push({ userId: user.id, token: login.resumeToken ?? '', watch });
    }
    const chatterCount = Math.floor(clients.length * Number(values.chatters));
    for (let i = 0; i + 1 < chatterCount; i += 2) {
      const a = clients[i];
      const b = clients[i + 1];
      if (!a || !b) continue;
      a.conversationPeer = b.userId;
      const group = clients.slice(i + 2, i + 6).map((c) => c.userId);
      if (group.length) b.groupPeers = group;
    }
    return clients;
  } finally {
    await services.close();
  }
}

function startServer(dataDir: string, port: number): Promise<ChildProcess> {
  const server = spawn(
    path.join(root, 'node_modules/.bin/node'),
    [path.join(root, 'src/cli/main.ts'), 'serve', '--data', dataDir, '--listen', `http=127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, UV_THREADPOOL_SIZE: '4', NODE_OPTIONS: values['server-node-options'] },
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes(`"listener":"http"`) && output.includes(String(port))) resolve(server);
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
    server.once('exit', (code) => reject(new Error(`server exited ${String(code)}: ${output.slice(-2000)}`)));
  });
}

/** The server's event-loop delay p99 and max since the last scrape (prom-client resets them per scrape). */
function serverLoopDelayMs(port: number, ca: string): Promise<{ p99: number; max: number }> {
  return new Promise((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/metrics', ca }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      const ms = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(body)?.[1] ?? NaN) * 1000;
      res.on('end', () =>
        resolve({ p99: ms('nodejs_eventloop_lag_p99_seconds'), max: ms('nodejs_eventloop_lag_max_seconds') }),
      );
    });
    req.on('error', () => resolve({ p99: NaN, max: NaN }));
    req.end();
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function ask(worker: ChildProcess, message: ParentMessage): Promise<WorkerReport> {
  return new Promise((resolve) => {
    worker.once('message', (report: WorkerReport) => resolve(report));
    worker.send(message);
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'coo-bench-im-'));
  const scratch = await benchDatabase(values['database-url']);
  const ports: number[] = [];
  for (let i = 0; i < nodeCount; i++) ports.push(await freePort());
  const port = ports[0] ?? 0;
  const servers: ChildProcess[] = [];
  const workers: ChildProcess[] = [];
  try {
    console.error(`preparing ${clientCount} users with resume tokens…`);
    const clients = await prepare(dataDir, port, scratch?.url);
    const ca = readFileSync(path.join(dataDir, 'tls/cert.pem'), 'utf8');
    for (const nodePort of ports) servers.push(await startServer(dataDir, nodePort));
    for (let i = 0; i < workerCount; i++) {
      workers.push(
        fork(path.join(root, 'bench/im-worker.ts'), [], {
          execPath: path.join(root, 'node_modules/.bin/node'),
        }),
      );
    }
    const shares = workers.map((_, w) => clients.filter((_, i) => i % workerCount === w));
    console.error(`connecting ${clientCount} clients from ${workerCount} processes…`);
    const loginStart = performance.now();
    const connected = await Promise.all(
      workers.map((worker, w) =>
        ask(worker, {
          kind: 'connect',
          url: `wss://127.0.0.1:${ports[w % nodeCount] ?? port}/ws`,
          ca,
          clients: shares[w] ?? [],
          concurrency: Number(values.concurrency),
        }),
      ),
    );
    const loginSeconds = (performance.now() - loginStart) / 1000;
    const connectedCount = connected.reduce((n, r) => n + (r.kind === 'connected' ? r.connected : 0), 0);
    for (const r of connected)
      if (r.kind === 'connected' && r.errors.length) console.error('connect errors:', r.errors.slice(0, 5));
    console.error(`${connectedCount} connected in ${loginSeconds.toFixed(1)} s; chatting for ${seconds} s…`);
    await Promise.all(ports.map((nodePort) => serverLoopDelayMs(nodePort, ca)));
    const ratePerWorker = Number(values.rate) / workerCount;
    const presencePerWorker = Number(values.presence) / workerCount;
    const chatted = await Promise.all(
      workers.map((worker) =>
        ask(worker, {
          kind: 'chat',
          seconds,
          messagesPerSecond: ratePerWorker,
          presenceChangesPerSecond: presencePerWorker,
        }),
      ),
    );
    const rss = servers.reduce((sum, server) => sum + rssMb(server.pid ?? 0), 0);
    const loops = await Promise.all(ports.map((nodePort) => serverLoopDelayMs(nodePort, ca)));
    const serverLoop = {
      p99: Math.max(...loops.map((loop) => loop.p99)),
      max: Math.max(...loops.map((loop) => loop.max)),
    };
    let generatorLoopP99 = 0;
    let acked = 0;
    let presenceBytes = 0;
    let presenceChanges = 0;
    const latencies: number[] = [];
    for (const r of chatted) {
      if (r.kind !== 'chatted') continue;
      acked += r.acked;
      presenceBytes += r.presenceBytes;
      presenceChanges += r.presenceChanges;
      latencies.push(...r.latenciesMs);
      generatorLoopP99 = Math.max(generatorLoopP99, r.loopP99Ms);
      if (r.errors.length) console.error('chat errors:', r.errors.slice(0, 5));
    }
    latencies.sort((a, b) => a - b);
    const result = {
      clients: clientCount,
      nodes: nodeCount,
      connected: connectedCount,
      login_s: Number(loginSeconds.toFixed(2)),
      msgs_per_s: Math.round(acked / seconds),
      deliveries: latencies.length,
      p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      rss_mb: rss,
      presence_bytes_per_change: presenceChanges ? Math.round(presenceBytes / presenceChanges) : 0,
      server_loop_p99_ms: Number(serverLoop.p99.toFixed(1)),
      server_loop_max_ms: Number(serverLoop.max.toFixed(1)),
      generator_loop_p99_ms: Number(generatorLoopP99.toFixed(1)),
    };
    writeFileSync(path.join(dataDir, 'result.json'), JSON.stringify(result));
    console.log(JSON.stringify(result));
  } finally {
    for (const worker of workers) worker.send({ kind: 'stop' } satisfies ParentMessage);
    for (const server of servers) server.kill('SIGTERM');
    // The scratch database can only be dropped once no node holds a connection to it.
    await Promise.all(servers.map((server) => exited(server)));
    rmSync(dataDir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

await main();
