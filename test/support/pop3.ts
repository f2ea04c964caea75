/**
 * Test harness for POP3: a REAL `coo` server (startServer over a fresh data
 * dir, pop3 and pop3s on 127.0.0.1:0, every other listener off), messages
 * put into a user's INBOX through the store and the server's blob store, a
 * raw client for malformed input, and python3's poplib as the real client.
 *
 *   const server = await startPop3Server({ database?, allowPlaintextOnLoopback?, lockTuning? })
 *   server.pop3 / server.pop3s   { host, port } of the listeners
 *   server.ca                    the server's certificate (PEM), to verify TLS
 *   await server.createUser('taro') → { id, address, password }
 *   await server.deliver(userId, bytes) → { uid, size, sha256 } (appended to INBOX)
 *   await server.inbox(userId)   the INBOX's messages in the store, in UID order
 *   server.logLines()            the server's log lines, parsed
 *   await server.extraListener({ implicitTls, tuning? }) another pop3 listener on 127.0.0.1:0 over
 *                                the same services, with its own tuning (short timeouts); closed by stop()
 *   await server.stop()
 *
 *   const client = await RawPop3Client.connect(server, { tls: true | false })
 *   await client.line() → the next reply line; await client.command('STAT') → its reply line
 *   await client.multiline() → the body of a multi-line reply, as sent (dot-stuffed, without ".")
 *   client.write(bytes), await client.stls({ alreadySent? }), await client.closed, client.destroy()
 *
 *   await poplib(server, steps) → one result per step, run by python3's poplib:
 *     steps like { op: 'connect_ssl' | 'connect' | 'stls' | 'capa' | 'user' | 'pass' | 'stat' | 'list'
 *     | 'uidl' | 'retr' | 'top' | 'dele' | 'rset' | 'noop' | 'quit' | 'close', arg?, lines?, session? }
 *     (session names one of several connections, default 'a'); each result is { ok } or
 *     { err: the -ERR line } or { exc: a Python exception }; retr/top give { resp, data (base64) }
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryBus } from '../../src/bus/memory-bus.ts';
import { loadConfig } from '../../src/config/loader.ts';
import type { ListenAddress } from '../../src/config/schema.ts';
import type { MailContext, RunningListener } from '../../src/mail/mail-system.ts';
import { startPop3Listener, type Pop3ListenerOptions } from '../../src/mail/pop3/listener.ts';
import type { MailMessageRow } from '../../src/store/mailboxes.ts';
import {
  DOMAIN,
  harnessOf,
  PASSWORD,
  startMailTestServer,
  type MailTestHarness,
} from './mail-test-server.ts';
import { caFile, runPython } from './python.ts';
import { connectRaw, RawClient } from './raw-client.ts';

export { DOMAIN, PASSWORD };

export interface Pop3ServerOptions {
  database?: 'sqlite' | 'postgres';
  /** [pop3] allow_plaintext_on_loopback. */
  allowPlaintextOnLoopback?: boolean;
  /** [auth] max_failures_per_account (default 10). */
  maxFailuresPerAccount?: number;
}

export interface Pop3TestServer extends MailTestHarness {
  pop3: ListenAddress;
  pop3s: ListenAddress;
  deliver(userId: number, message: Buffer): Promise<{ uid: number; size: number; sha256: string }>;
  inbox(userId: number): Promise<MailMessageRow[]>;
  extraListener(options: Pop3ListenerOptions): Promise<RunningListener>;
}

export async function startPop3Server(options: Pop3ServerOptions = {}): Promise<Pop3TestServer> {
  const base = await startMailTestServer({
    prefix: 'coo-pop3-',
    database: options.database,
    listeners: ['pop3', 'pop3s'],
    editConfig: (configFile) => editConfig(configFile, options),
  });
  const extra: RunningListener[] = [];
  base.beforeStop(async () => {
    for (const listener of extra) await listener.close().catch(() => undefined);
  });
  try {
    const { dataDir, services, blobs } = base;
    return {
      ...harnessOf(base),
      pop3: base.address('pop3'),
      pop3s: base.address('pop3s'),
      deliver: (userId, message) => base.deliver(userId, message),
      inbox: (userId) => base.messages(userId, 'INBOX'),
      extraListener: async (listenerOptions) => {
        const tlsPair = {
          certPem: readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'),
          keyPem: readFileSync(path.join(dataDir, 'tls', 'key.pem'), 'utf8'),
        };
        // What a POP3 listener uses of the mail context; the ports stay out of it.
        const context = {
          services,
          blobs,
          bus: new MemoryBus(),
          logger: base.logger(),
          config: loadConfig(dataDir),
          tls: tlsPair,
        } as unknown as MailContext;
        const listener = await startPop3Listener(context, { host: '127.0.0.1', port: 0 }, listenerOptions);
        extra.push(listener);
        return listener;
      },
    };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

function editConfig(configFile: string, options: Pop3ServerOptions): void {
  let text = readFileSync(configFile, 'utf8');
  if (options.allowPlaintextOnLoopback !== undefined) {
    text = replaceOrFail(
      text,
      /^allow_plaintext_on_loopback = \w+$/m,
      `allow_plaintext_on_loopback = ${options.allowPlaintextOnLoopback}`,
    );
  }
  if (options.maxFailuresPerAccount !== undefined) {
    text = replaceOrFail(
      text,
      /^max_failures_per_account = \d+$/m,
      `max_failures_per_account = ${options.maxFailuresPerAccount}`,
    );
  }
  writeFileSync(configFile, text);
}

function replaceOrFail(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`coo.toml has no line matching ${String(pattern)}`);
  return text.replace(pattern, replacement);
}

/** A POP3 client that sends exactly what it is told, for malformed input and byte-exact checks. */
export class RawPop3Client extends RawClient {
  static async connect(
    server: Pick<Pop3TestServer, 'pop3' | 'pop3s' | 'ca'>,
    options: { tls: boolean },
  ): Promise<RawPop3Client> {
    const address = options.tls ? server.pop3s : server.pop3;
    return new RawPop3Client(await connectRaw(address, server.ca, options.tls), server.ca);
  }

  async command(text: string, timeoutMs = 5000): Promise<string> {
    this.write(`${text}\r\n`);
    return this.line(timeoutMs);
  }

  /** The body of a multi-line reply up to the terminating ".", still dot-stuffed, with its last CRLF. */
  multiline(timeoutMs = 5000): Promise<Buffer> {
    return this.take((buffer) => {
      if (buffer.subarray(0, 3).equals(Buffer.from('.\r\n'))) return [Buffer.alloc(0), 3];
      const end = buffer.indexOf('\r\n.\r\n');
      return end === -1 ? undefined : [Buffer.from(buffer.subarray(0, end + 2)), end + 5];
    }, timeoutMs);
  }

  /** STLS (unless already written), then the TLS handshake over the same connection; resolves with STLS's reply. */
  async stls(options: { alreadySent?: boolean } = {}): Promise<string> {
    const reply = options.alreadySent ? await this.line() : await this.command('STLS');
    if (!reply.startsWith('+OK')) return reply;
    await this.upgradeToTls();
    return reply;
  }
}

const POPLIB_DRIVER = String.raw`
import base64, json, poplib, ssl, sys
cfg = json.load(sys.stdin)
ctx = ssl.create_default_context(cafile=cfg['ca'])
sessions = {}
results = []
def text(b):
    return b.decode('utf-8', 'replace')
for step in cfg['steps']:
    op = step['op']
    name = step.get('session', 'a')
    conn = sessions.get(name)
    try:
        if op == 'connect_ssl':
            conn = sessions[name] = poplib.POP3_SSL('127.0.0.1', cfg['pop3s'], context=ctx, timeout=15)
            r = text(conn.getwelcome())
        elif op == 'connect':
            conn = sessions[name] = poplib.POP3('127.0.0.1', cfg['pop3'], timeout=15)
            r = text(conn.getwelcome())
        elif op == 'stls':
            r = text(conn.stls(ctx))
        elif op == 'capa':
            r = conn.capa()
        elif op == 'user':
            r = text(conn.user(step['arg']))
        elif op == 'pass':
            r = text(conn.pass_(step['arg']))
        elif op == 'stat':
            r = list(conn.stat())
        elif op in ('list', 'uidl'):
            fn = conn.list if op == 'list' else conn.uidl
            resp = fn(step['arg']) if 'arg' in step else fn()
            r = text(resp) if isinstance(resp, bytes) else [text(line) for line in resp[1]]
        elif op in ('retr', 'top'):
            resp, lines, octets = conn.retr(step['arg']) if op == 'retr' else conn.top(step['arg'], step['lines'])
            r = {'resp': text(resp), 'data': base64.b64encode(b'\r\n'.join(lines) + b'\r\n').decode()}
        elif op in ('dele', 'rset', 'noop', 'quit'):
            fn = getattr(conn, op)
            r = text(fn(step['arg']) if 'arg' in step else fn())
        elif op == 'close':
            conn.close()
            r = None
        else:
            raise ValueError('unknown op ' + op)
        results.append({'ok': r})
    except poplib.error_proto as e:
        results.append({'err': text(e.args[0]) if isinstance(e.args[0], bytes) else str(e.args[0])})
    except Exception as e:
        results.append({'exc': repr(e)})
print(json.dumps(results))
`;

export interface PoplibStep {
  op: string;
  arg?: string | number;
  lines?: number;
  session?: string;
}

export type PoplibResult = { ok: unknown } | { err: string } | { exc: string };

/** Runs the steps with python3's poplib; see the comment at the top of this file. */
export async function poplib(
  server: Pick<Pop3TestServer, 'pop3' | 'pop3s' | 'ca'>,
  steps: PoplibStep[],
): Promise<PoplibResult[]> {
  const { code, stdout, stderr } = await runPython(POPLIB_DRIVER, {
    ca: caFile(server.ca),
    pop3: server.pop3.port,
    pop3s: server.pop3s.port,
    steps,
  });
  if (code !== 0) throw new Error(`python3 poplib driver failed (${code}): ${stderr}`);
  return JSON.parse(stdout) as PoplibResult[];
}
