/**
 * A client for raw protocol tests (POP3, IMAP): sends exactly what it is
 * told, buffers what the server writes, and hands back pieces of it as a
 * parser cuts them; upgrades the same connection to TLS (STLS, STARTTLS).
 */
import net from 'node:net';
import tls from 'node:tls';

export interface RawServerAddress {
  host: string;
  port: number;
}

/** Opens the connection, TLS from the first byte or plaintext. */
export async function connectRaw(
  address: RawServerAddress,
  ca: string,
  useTls: boolean,
): Promise<net.Socket> {
  const socket = useTls
    ? tls.connect({ host: address.host, port: address.port, ca, servername: 'localhost' })
    : net.connect({ host: address.host, port: address.port });
  await new Promise<void>((resolve, reject) => {
    socket.once(useTls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

export class RawClient {
  socket: net.Socket;
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  #ended = false;
  readonly #ca: string;
  /** Resolves `closed`; handed on to the TLS socket after an upgrade. */
  #markClosed: () => void = () => undefined;

  protected constructor(socket: net.Socket, ca: string) {
    this.#ca = ca;
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      this.#markClosed = resolve;
      this.#listen(socket);
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next line without CRLF; rejects when the server closes first or after timeoutMs. */
  line(timeoutMs = 5000): Promise<string> {
    return this.take((buffer) => {
      const end = buffer.indexOf('\r\n');
      return end === -1 ? undefined : [buffer.subarray(0, end).toString('utf8'), end + 2];
    }, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * The TLS handshake over the same connection, after the server said yes.
   * Whatever it sent after that in plaintext would be injected into the TLS
   * session (CVE-2011-0411): there must be nothing.
   */
  protected async upgradeToTls(): Promise<void> {
    if (this.#buffer.length > 0)
      throw new Error(`plaintext after the TLS go-ahead: ${this.#buffer.toString('latin1')}`);
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tls.connect({ socket: plain, ca: this.#ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.#listen(secure);
  }

  /** Waits until `parse` finds what it wants at the start of the buffer, and takes it. */
  protected async take<T>(parse: (buffer: Buffer) => [T, number] | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = parse(this.#buffer);
      if (found) {
        this.#buffer = this.#buffer.subarray(found[1]);
        return found[0];
      }
      if (this.#ended)
        throw new Error(`the server closed the connection; unread: ${this.#buffer.toString('utf8')}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no reply within ${timeoutMs} ms; unread: ${this.#buffer.toString('utf8')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
      this.#markClosed();
    });
  }
}
