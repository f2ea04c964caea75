/**
 * POP3 retrieval throughput: a Coo server (in this process, SQLite or
 * PostgreSQL, blobs on disk) with pop3s on 127.0.0.1, and K clients in a
 * worker thread, each logged in to its own maildrop and fetching every
 * message with RETR, one at a time, over TLS.
 *
 *   npm run bench:pop3 -- [--messages 2000] [--sessions 8] [--size 20] [--database-url URL]
 *
 * --messages are spread over the --sessions maildrops (one user each: a
 * maildrop is locked to one session), each --size KB, all different (a
 * line in ten begins with "." so dot-stuffing is exercised). Latency is
 * per RETR, from the command to the last byte of the reply. Every reply is
 * checked against the stored size.
 *
 * The last line printed is JSON:
 *   {"messages":…,"sessions":…,"size_kb":…,"msgs_per_s":…,"mb_per_s":…,"p50_ms":…,"p99_ms":…}
 */
import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { BlobStore } from '../src/blob/blob-store.ts';
import { CLI_ACTOR } from '../src/directory/types.ts';
import type { Services } from '../src/services.ts';
import { appendMessage, ensureDefaultMailboxes, findMailbox } from '../src/store/mailboxes.ts';
import {
  BENCH_DOMAIN,
  BENCH_PASSWORD,
  benchArguments,
  inWorker,
  percentile,
  round,
  withBenchServer,
} from './support.ts';

interface SessionSpec {
  address: string;
  sizes: number[];
}

interface WorkerInput {
  port: number;
  ca: string;
  sessions: SessionSpec[];
}

interface WorkerResult {
  latenciesMs: number[];
  bytes: number;
  seconds: number;
}

async function main(): Promise<void> {
  const args = benchArguments({ messages: 2000, sessions: 8, size: 20 });
  await withBenchServer(
    { listener: 'pop3s', databaseUrl: args.databaseUrl },
    async ({ server, port, ca, blobs }) => {
      const started = Date.now();
      const sessions = await fill(server.services, blobs, args.messages, args.sessions, args.size * 1024);
      console.log(
        `filled ${args.sessions} maildrops with ${args.messages} messages in ${(Date.now() - started) / 1000} s`,
      );
      const result = await inWorker<WorkerInput, WorkerResult>(import.meta.url, { port, ca, sessions });
      const latencies = result.latenciesMs.sort((a, b) => a - b);
      const summary = {
        messages: latencies.length,
        sessions: args.sessions,
        size_kb: args.size,
        msgs_per_s: round(latencies.length / result.seconds),
        mb_per_s: round(result.bytes / 1024 / 1024 / result.seconds),
        p50_ms: round(percentile(latencies, 0.5)),
        p99_ms: round(percentile(latencies, 0.99)),
      };
      console.log(JSON.stringify(summary));
    },
  );
}

async function fill(
  services: Services,
  blobs: BlobStore,
  messageCount: number,
  sessionCount: number,
  size: number,
): Promise<SessionSpec[]> {
  const specs: SessionSpec[] = [];
  for (let s = 0; s < sessionCount; s++) {
    const address = `reader${s}@${BENCH_DOMAIN}`;
    const user = await services.directory.users.create(address, { displayName: `Reader ${s}` }, CLI_ACTOR, {
      password: BENCH_PASSWORD,
    });
    const now = Date.now();
    await ensureDefaultMailboxes(services.store.db, user.id, now);
    const inbox = await findMailbox(services.store.db, user.id, 'INBOX');
    if (!inbox) throw new Error('no INBOX');
    const count = Math.floor(messageCount / sessionCount) + (s < messageCount % sessionCount ? 1 : 0);
    const sizes: number[] = [];
    for (let start = 0; start < count; start += 100) {
      const batch = Array.from({ length: Math.min(100, count - start) }, (_, i) =>
        makeMessage(address, s * 1_000_000 + start + i, size),
      );
      const stored = await Promise.all(batch.map((message) => blobs.put(message)));
      await services.store.db.transaction().execute(async (tx) => {
        for (const blob of stored) {
          await appendMessage(tx, {
            mailboxId: inbox.id,
            userId: user.id,
            blobSha256: blob.id,
            size: blob.size,
            internalDate: now,
            flags: [],
            subject: 'bench',
            fromAddress: 'sender@example.net',
            messageId: '',
            now,
          });
        }
      });
      sizes.push(...stored.map((blob) => blob.size));
    }
    specs.push({ address, sizes });
  }
  return specs;
}

function makeMessage(to: string, index: number, size: number): Buffer {
  const header = `From: sender@example.net\r\nTo: ${to}\r\nSubject: bench ${index}\r\nMessage-ID: <${index}.${randomBytes(6).toString('hex')}@bench>\r\n\r\n`;
  const lines: string[] = [];
  let length = header.length;
  for (let i = 0; length < size; i++) {
    const text = randomBytes(38).toString('hex').slice(0, 74);
    const line = i % 10 === 0 ? `.${text.slice(1)}` : text;
    lines.push(line);
    length += line.length + 2;
  }
  return Buffer.from(`${header}${lines.join('\r\n')}\r\n`, 'latin1');
}

/** The clients: each session logs in and fetches its messages one RETR at a time. */
async function runClients(input: WorkerInput): Promise<void> {
  const secureContext = tls.createSecureContext({ ca: input.ca });
  const latenciesMs: number[] = [];
  let bytes = 0;
  const clients = await Promise.all(
    input.sessions.map(async (spec) => {
      const client = await BenchClient.connect(input.port, secureContext);
      await client.expectOk();
      await client.command(`USER ${spec.address}`);
      await client.command(`PASS ${BENCH_PASSWORD}`);
      return { client, spec };
    }),
  );
  const started = performance.now();
  await Promise.all(
    clients.map(async ({ client, spec }) => {
      for (const [index, size] of spec.sizes.entries()) {
        const sent = performance.now();
        const received = await client.retrieve(index + 1);
        latenciesMs.push(performance.now() - sent);
        if (received < size)
          throw new Error(`message ${index + 1}: ${received} octets on the wire, ${size} stored`);
        bytes += size;
      }
      await client.command('QUIT');
      client.close();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  parentPort?.postMessage({ latenciesMs, bytes, seconds } satisfies WorkerResult);
}

const TERMINATOR = Buffer.from('\r\n.\r\n');

/** A minimal POP3 client: one command at a time, replies found by their end. */
class BenchClient {
  readonly #socket: tls.TLSSocket;
  #chunks: Buffer[] = [];
  #tail = Buffer.alloc(0);
  #received = 0;
  #wake: (() => void) | undefined;

  private constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#received += chunk.length;
      this.#tail = Buffer.concat([this.#tail, chunk]).subarray(-TERMINATOR.length);
      this.#wake?.();
    });
    socket.on('error', (error) => {
      throw error;
    });
  }

  static connect(port: number, secureContext: tls.SecureContext): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, secureContext, servername: 'localhost' }, () =>
        resolve(new BenchClient(socket)),
      );
      socket.once('error', reject);
    });
  }

  async command(line: string): Promise<void> {
    this.#socket.write(`${line}\r\n`);
    await this.expectOk();
  }

  /** Waits for one single-line reply, which must be +OK. */
  async expectOk(): Promise<void> {
    await this.#until(() => this.#tail.subarray(-2).toString('latin1') === '\r\n');
    const reply = Buffer.concat(this.#chunks).toString('latin1');
    this.#reset();
    if (!reply.startsWith('+OK')) throw new Error(`unexpected reply: ${reply.slice(0, 200)}`);
  }

  /** RETR n; resolves with the octets of the reply body on the wire. */
  async retrieve(number: number): Promise<number> {
    this.#socket.write(`RETR ${number}\r\n`);
    await this.#until(() => this.#tail.equals(TERMINATOR));
    const first = this.#chunks[0]?.subarray(0, 3).toString('latin1');
    if (first !== '+OK')
      throw new Error(`RETR ${number}: ${Buffer.concat(this.#chunks).toString('latin1', 0, 200)}`);
    const octets = this.#received;
    this.#reset();
    return octets;
  }

  close(): void {
    this.#socket.end();
  }

  #reset(): void {
    this.#chunks = [];
    this.#tail = Buffer.alloc(0);
    this.#received = 0;
  }

  async #until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = undefined;
  }
}

// Last, once every class above is defined: the main thread runs the server, the worker the clients.
if (isMainThread) await main();
else await runClients(workerData as WorkerInput);
