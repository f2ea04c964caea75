/**
 * A minimal IMAP client for the benchmark: one tagged command at a time
 * over TLS, responses read as they come, literal-aware (RFC 9051 §4.3: a
 * line ending in {n} is followed by n octets, then the rest of the
 * response). Light on purpose, so its own work barely shows in the timings.
 */
import tls from 'node:tls';

export interface ImapResponse {
  /** The response's text, each literal left out (its "{n}" announcement stays). */
  text: string;
  /** The literals' octets, in order. */
  literals: Buffer[];
}

export interface CommandResult {
  untagged: ImapResponse[];
  /** The tagged line, tag removed: "OK …". */
  completion: string;
}

/** The server answered NO or BAD, or the connection failed: the bench's figures would be wrong. */
export class ImapBenchError extends Error {
  readonly code: 'IMAP_REFUSED' | 'IMAP_CONNECTION';

  constructor(code: ImapBenchError['code'], message: string) {
    super(message);
    this.name = 'ImapBenchError';
    this.code = code;
  }
}

interface Pending {
  tag: string;
  command: string;
  untagged: ImapResponse[];
  resolve: (result: CommandResult) => void;
  reject: (error: Error) => void;
}

const CRLF = Buffer.from('\r\n');
const LITERAL = /\{(\d+)\+?\}$/;

export class BenchImapClient {
  readonly #socket: tls.TLSSocket;
  #rest = Buffer.alloc(0);
  #literalLeft = 0;
  #literalChunks: Buffer[] = [];
  #parts: string[] = [];
  #literals: Buffer[] = [];
  #pending: Pending | undefined;
  /** Responses that came while no command was waiting (the greeting). */
  #unsolicited: ImapResponse[] = [];
  #greeted: (() => void) | undefined;
  #tags = 0;

  private constructor(socket: tls.TLSSocket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#feed(chunk));
    socket.on('error', (error) => this.#fail(new ImapBenchError('IMAP_CONNECTION', error.message)));
    socket.on('close', () =>
      this.#fail(new ImapBenchError('IMAP_CONNECTION', 'the server closed the connection')),
    );
  }

  /** Connects over TLS and waits for the greeting (RFC 9051 §7.1.1 OK). */
  static connect(port: number, secureContext: tls.SecureContext): Promise<BenchImapClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, secureContext, servername: 'localhost' });
      socket.once('error', reject);
      const client = new BenchImapClient(socket);
      client.#greeted = () => {
        socket.off('error', reject);
        const greeting = client.#unsolicited.shift()?.text ?? '';
        if (greeting.startsWith('* OK')) resolve(client);
        else reject(new ImapBenchError('IMAP_REFUSED', `unexpected greeting: ${greeting.slice(0, 200)}`));
      };
    });
  }

  async login(user: string, password: string): Promise<void> {
    await this.command(`LOGIN ${quoted(user)} ${quoted(password)}`);
  }

  /** Sends one command (without tag) and resolves with its responses once it completed OK. */
  command(text: string): Promise<CommandResult> {
    if (this.#pending) return Promise.reject(new Error('one command at a time'));
    const tag = `b${++this.#tags}`;
    return new Promise((resolve, reject) => {
      this.#pending = { tag, command: text, untagged: this.#unsolicited, resolve, reject };
      this.#unsolicited = [];
      this.#socket.write(`${tag} ${text}\r\n`);
    });
  }

  close(): void {
    this.#socket.removeAllListeners('close');
    this.#socket.end();
  }

  #feed(chunk: Buffer): void {
    const buffer = this.#rest.length > 0 ? Buffer.concat([this.#rest, chunk]) : chunk;
    let position = 0;
    while (position < buffer.length) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, buffer.length - position);
        this.#literalChunks.push(buffer.subarray(position, position + take));
        this.#literalLeft -= take;
        position += take;
        if (this.#literalLeft === 0) this.#endLiteral();
        continue;
      }
      const end = buffer.indexOf(CRLF, position);
      if (end < 0) break;
      const line = buffer.toString('utf8', position, end);
      position = end + 2;
      const literal = line.endsWith('}') ? LITERAL.exec(line) : null;
      if (literal) {
        this.#parts.push(line);
        this.#literalLeft = Number(literal[1]);
        if (this.#literalLeft === 0) this.#endLiteral();
        continue;
      }
      if (this.#parts.length === 0) {
        this.#respond({ text: line, literals: [] });
        continue;
      }
      this.#parts.push(line);
      this.#respond({ text: this.#parts.join(''), literals: this.#literals });
      this.#parts = [];
      this.#literals = [];
    }
    // Copied: a slice would keep the whole chunk alive.
    this.#rest = Buffer.from(buffer.subarray(position));
  }

  #endLiteral(): void {
    this.#literals.push(Buffer.concat(this.#literalChunks));
    this.#literalChunks = [];
  }

  #respond(response: ImapResponse): void {
    const pending = this.#pending;
    if (!pending) {
      this.#unsolicited.push(response);
      this.#greeted?.();
      this.#greeted = undefined;
      return;
    }
    if (!response.text.startsWith(`${pending.tag} `)) {
      pending.untagged.push(response);
      return;
    }
    this.#pending = undefined;
    const completion = response.text.slice(pending.tag.length + 1);
    if (completion.startsWith('OK')) pending.resolve({ untagged: pending.untagged, completion });
    else
      pending.reject(new ImapBenchError('IMAP_REFUSED', `${pending.command.slice(0, 80)} → ${completion}`));
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
  }
}

/** RFC 9051 §4.3 quoted string. */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}
