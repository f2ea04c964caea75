import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from '../../log.ts';
import { writeChunks } from '../session-listener.ts';
import { detachPlaintext, upgradeToTls } from '../../tls/server-upgrade.ts';
import { capabilityLine } from './capabilities.ts';
import type { CommandSession } from './commands/command.ts';
import { dispatch } from './commands/dispatch.ts';
import { CommandReader, type CommandFrame, type ReaderEvent } from './protocol/command-reader.ts';
import type { ImapDeps } from './session-deps.ts';
import type { Enabled, SessionState } from './state.ts';

const PRE_LOGIN_APPEND_BYTES = 64 * 1024;

/** Input waiting for its turn: a command frame, or a refusal the reader made before reading it. */
type Input = { kind: 'frame'; frame: CommandFrame } | Extract<ReaderEvent, { kind: 'refuse' }>;

export class ConnectionClosedError extends Error {
  constructor() {
    super('the connection is closed');
    this.name = 'ConnectionClosedError';
  }
}

/**
 * One IMAP connection: feeds bytes to the reader, runs one command at a time
 * in order (pipelined commands wait their turn; reading pauses when too many
 * wait), writes responses with back-pressure, and keeps the state.
 */
export class ImapSession implements CommandSession {
  state: SessionState = { kind: 'not-authenticated' };
  readonly enabled: Enabled = { condstore: false, qresync: false, utf8: false, rev2: false };
  authFailures = 0;
  badCommands = 0;
  savedUids: number[] = [];
  /** Read again at login; until then the server's configured default. */
  appendLimit: number;
  clientId?: string;
  readonly deps: ImapDeps;
  log: Logger;
  readonly remote: string;
  /** Resolves once the connection is closed and the session's watchers stopped. */
  readonly closed: Promise<void>;
  #socket: net.Socket | tls.TLSSocket;
  #secure: boolean;
  readonly #reader: CommandReader;
  readonly #queue: Input[] = [];
  #waiter: (() => void) | undefined;
  #paused = false;
  #ended = false;
  #endRequested = false;
  #shuttingDown = false;
  #markClosed!: () => void;
  /** Stops watching the selected mailbox's changes. */
  unwatch: (() => void) | undefined;

  constructor(deps: ImapDeps, socket: net.Socket | tls.TLSSocket, secure: boolean) {
    this.deps = deps;
    this.appendLimit = deps.configuredAppendLimit;
    this.#socket = socket;
    this.#secure = secure;
    this.remote = socket.remoteAddress ?? 'unknown';
    this.log = deps.logger.child({ imap: randomBytes(4).toString('hex'), remote: this.remote });
    // No APPEND before login: a large message literal is refused at once (TOOBIG), never invited with "+".
    this.#reader = new CommandReader({ maxAppendBytes: PRE_LOGIN_APPEND_BYTES });
    const socketClosed = new Promise<void>((resolve) => (this.#markClosed = resolve));
    this.#attach(socket);
    const run = this.#run();
    this.closed = Promise.allSettled([run, socketClosed]).then(() => {
      this.unwatch?.();
      this.unwatch = undefined;
    });
  }

  get secure(): boolean {
    return this.#secure;
  }

  get plaintextLoginAllowed(): boolean {
    return this.#secure || (this.deps.allowPlaintextOnLoopback && isLoopback(this.remote));
  }

  untagged(line: string): Promise<void> {
    return this.send([Buffer.from(`* ${line}\r\n`, 'utf8')]);
  }

  continuation(text: string): Promise<void> {
    return this.send([Buffer.from(`+ ${text}\r\n`, 'utf8')]);
  }

  send(chunks: Buffer[]): Promise<void> {
    if (this.#ended) return Promise.reject(new ConnectionClosedError());
    return writeChunks(this.#socket, chunks, () => new ConnectionClosedError());
  }

  async nextFrame(): Promise<CommandFrame | undefined> {
    const input = await this.#next();
    return input?.kind === 'frame' ? input.frame : undefined;
  }

  hasInput(): boolean {
    return this.#queue.length > 0 || this.#ended || this.#shuttingDown;
  }

  inputPending(): Promise<void> {
    if (this.#queue.length > 0 || this.#ended || this.#shuttingDown) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#waiter;
      this.#waiter = () => {
        previous?.();
        resolve();
      };
    });
  }

  setAppendLimit(bytes: number): void {
    this.appendLimit = bytes;
    this.#reader.setLimits({ maxAppendBytes: bytes });
  }

  /** Sets the inactivity timer: shorter before login, RFC 9051 §5.4's 30 minutes after. */
  setIdleTimeout(ms: number): void {
    this.#socket.setTimeout(ms);
  }

  async syncSelected(allowExpunge: boolean): Promise<void> {
    if (this.state.kind !== 'selected') return;
    const mailbox = this.state.mailbox;
    const lines = await mailbox.sync(this.deps.services.store.db, {
      allowExpunge,
      condstore: this.enabled.condstore,
      qresync: this.enabled.qresync,
    });
    if (lines === 'gone') {
      // The mailbox was deleted by another session: nothing in it can be reached (RFC 9051 §7.1.5).
      await this.untagged(`BYE the mailbox ${mailbox.name} was deleted by another session`);
      this.end();
      return;
    }
    if (lines.length > 0) await this.send([Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'utf8')]);
  }

  async startTls(tag: string): Promise<void> {
    const raw = this.#socket;
    detachPlaintext(raw, { data: this.#onData, timeout: this.#onTimeout });
    // What was queued in plaintext is dropped with it.
    this.#queue.length = 0;
    this.#paused = false;
    await this.send([Buffer.from(`${tag} OK begin TLS negotiation now\r\n`)]);
    let secure: tls.TLSSocket;
    try {
      secure = await upgradeToTls(raw, this.deps.secureContext, this.deps.tuning.handshakeTimeoutMs);
    } catch (error) {
      this.log.debug({ err: error }, 'imap: TLS handshake after STARTTLS failed');
      throw new ConnectionClosedError();
    }
    this.#reader.reset();
    this.#socket = secure;
    this.#secure = true;
    this.#attach(secure);
  }

  end(): void {
    this.#endRequested = true;
  }

  /** Server shutdown: BYE, then a grace period for the command under way. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#waiter?.();
    const socket = this.#socket;
    if (!this.#ended && socket.writable) socket.write('* BYE the server is shutting down\r\n');
    const grace = setTimeout(() => socket.destroy(), this.deps.tuning.shutdownGraceMs);
    socket.end();
    await this.closed;
    clearTimeout(grace);
  }

  #attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.#onData);
    socket.on('timeout', this.#onTimeout);
    socket.on('error', (error) => this.log.debug({ err: error }, 'imap: connection error'));
    socket.on('close', () => {
      this.#ended = true;
      this.#waiter?.();
      this.#markClosed();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#waiter?.();
    });
    socket.setTimeout(
      this.state.kind === 'not-authenticated'
        ? this.deps.tuning.preAuthTimeoutMs
        : this.deps.tuning.idleTimeoutMs,
    );
    socket.resume();
  }

  readonly #onData = (chunk: Buffer): void => {
    for (const event of this.#reader.feed(chunk)) {
      if (event.kind === 'continue') {
        // RFC 9051 §7.5: the client waits for this before sending a synchronising literal.
        this.#socket.write('+ Ready for literal data\r\n');
        continue;
      }
      this.#queue.push(event);
    }
    if (this.#queue.length > 0) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter?.();
    }
    if (!this.#paused && this.#queue.length >= this.deps.tuning.maxPipelined) {
      this.#paused = true;
      this.#socket.pause();
    }
  };

  readonly #onTimeout = (): void => {
    this.log.debug('imap: autologout after inactivity');
    if (this.#socket.writable) this.#socket.write('* BYE autologout: idle for too long\r\n');
    this.#socket.end();
    this.#socket.destroy();
  };

  async #next(): Promise<Input | undefined> {
    for (;;) {
      if (this.#shuttingDown) return undefined;
      const input = this.#queue.shift();
      if (input) {
        if (this.#paused && this.#queue.length < this.deps.tuning.maxPipelined / 2) {
          this.#paused = false;
          this.#socket.resume();
        }
        return input;
      }
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  async #run(): Promise<void> {
    try {
      await this.untagged(`OK [CAPABILITY ${capabilityLine(this)}] Coo IMAP ready on ${this.deps.hostname}`);
      while (!this.#endRequested) {
        const input = await this.#next();
        if (!input) break;
        await dispatch(this, input);
      }
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) this.log.error({ err: error }, 'imap: session failed');
    } finally {
      this.#ended = true;
      const socket = this.#socket;
      if (!socket.destroyed) socket.end();
    }
  }
}

function isLoopback(address: string): boolean {
  if (address === '::1') return true;
  const v4 = isIPv6(address) && address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.');
}
