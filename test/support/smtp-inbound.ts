/**
 * Clients for tests of the inbound SMTP listener:
 *
 *   await pythonSmtp({ port, ca, from, to, message, starttls?, helo? })
 *       python3's smtplib, as a real mail server's client would: EHLO,
 *       STARTTLS (verifying our certificate with `ca`), EHLO, sendmail (with
 *       SIZE=, since we advertise it). Resolves to
 *       { ok, features, tls, refused: {rcpt: [code, text]}, error?: {type, code, message} }.
 *   const raw = await RawSmtp.connect(port)   a plain TCP socket
 *       raw.greeting, await raw.command('EHLO x') → { code, lines, text }, raw.write(bytes),
 *       await raw.data(message) (after DATA's 354: dot-stuffs, ends with CRLF.CRLF) → the reply,
 *       await raw.reply() (the next reply), raw.destroy(), await raw.closed
 *   messageOf(text) → a small RFC 5322 message with CRLF line ends
 */
import { spawn } from 'node:child_process';
import net from 'node:net';

export interface PythonSmtpResult {
  ok: boolean;
  features: string[];
  tls: boolean;
  refused: Record<string, [number, string]>;
  error?: { type: string; code: number; message: string };
}

const PYTHON_CLIENT = String.raw`
import json, smtplib, ssl, sys
a = json.loads(sys.argv[1])
msg = sys.stdin.buffer.read()
out = {'ok': False, 'features': [], 'tls': False, 'refused': {}}
def refused(d):
    return {k: [v[0], v[1].decode('utf-8', 'replace')] for k, v in d.items()}
try:
    s = smtplib.SMTP('127.0.0.1', a['port'], local_hostname=a.get('helo', 'client.example.net'), timeout=30)
    s.ehlo()
    out['features'] = sorted(s.esmtp_features.keys())
    if a.get('starttls'):
        ctx = ssl.create_default_context(cadata=a['ca'])
        s.starttls(context=ctx)
        s.ehlo()
        out['tls'] = True
        out['features'] = sorted(s.esmtp_features.keys())
    try:
        out['refused'] = refused(s.sendmail(a['from'], a['to'], msg))
        out['ok'] = True
    except smtplib.SMTPRecipientsRefused as e:
        out['refused'] = refused(e.recipients)
        out['error'] = {'type': 'SMTPRecipientsRefused', 'code': 0, 'message': ''}
    except smtplib.SMTPResponseException as e:
        out['error'] = {'type': type(e).__name__, 'code': e.smtp_code, 'message': e.smtp_error.decode('utf-8', 'replace')}
    try:
        s.quit()
    except Exception:
        pass
except Exception as e:
    out['error'] = {'type': type(e).__name__, 'code': 0, 'message': str(e)}
print(json.dumps(out))
`;

export function pythonSmtp(input: {
  port: number;
  ca: string;
  from: string;
  to: string[];
  message: string | Buffer;
  starttls?: boolean;
  helo?: string;
}): Promise<PythonSmtpResult> {
  const args = JSON.stringify({
    port: input.port,
    ca: input.ca,
    from: input.from,
    to: input.to,
    starttls: input.starttls ?? true,
    helo: input.helo,
  });
  const child = spawn('python3', ['-c', PYTHON_CLIENT, args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input.message);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python smtplib did not finish\n${stdout}\n${stderr}`));
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python3 exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as PythonSmtpResult);
    });
  });
}

export interface SmtpReplyLines {
  code: number;
  lines: string[];
  /** The lines joined by "\n", without the codes. */
  text: string;
}

/** A raw SMTP client over plain TCP, for malformed input and cut connections. */
export class RawSmtp {
  readonly socket: net.Socket;
  readonly closed: Promise<void>;
  greeting: SmtpReplyLines | undefined;
  #buffer = '';
  readonly #waiters: ((reply: SmtpReplyLines) => void)[] = [];
  readonly #replies: SmtpReplyLines[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  static async connect(port: number): Promise<RawSmtp> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RawSmtp(socket);
    client.greeting = await client.reply();
    return client;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async command(line: string | Buffer): Promise<SmtpReplyLines> {
    this.write(typeof line === 'string' ? `${line}\r\n` : line);
    return this.reply();
  }

  /** Sends a message after DATA's 354 (dot-stuffed here) and the final dot; resolves to the reply. */
  async data(message: string | Buffer): Promise<SmtpReplyLines> {
    const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
    const stuffed = Buffer.from(bytes.toString('latin1').replace(/(^|\n)\./g, '$1..'), 'latin1');
    const ending = stuffed.subarray(-2).toString('latin1') === '\r\n' ? '.\r\n' : '\r\n.\r\n';
    this.write(Buffer.concat([stuffed, Buffer.from(ending)]));
    return this.reply();
  }

  /** The next complete reply (RFC 5321 §4.2: "code-" lines, then "code "). */
  reply(timeoutMs = 10_000): Promise<SmtpReplyLines> {
    const ready = this.#replies.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SMTP reply in time')), timeoutMs);
      this.#waiters.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    for (;;) {
      const match = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.#buffer);
      if (!match) return;
      this.#buffer = this.#buffer.slice(match[0].length);
      const lines = match[0].trimEnd().split(/\r?\n/);
      const reply = {
        code: Number(lines[0]?.slice(0, 3)),
        lines,
        text: lines.map((line) => line.slice(4)).join('\n'),
      };
      const waiter = this.#waiters.shift();
      if (waiter) waiter(reply);
      else this.#replies.push(reply);
    }
  }
}

/** A small message with CRLF line ends. */
export function messageOf(input: {
  from: string;
  to: string;
  subject: string;
  body: string;
  extra?: string;
}): string {
  return (
    `From: ${input.from}\r\nTo: ${input.to}\r\nSubject: ${input.subject}\r\n` +
    `Message-ID: <${Math.random().toString(36).slice(2)}@client.example.net>\r\n` +
    `Date: ${new Date().toUTCString()}\r\n${input.extra ?? ''}\r\n${input.body.replace(/\r?\n/g, '\r\n')}\r\n`
  );
}
