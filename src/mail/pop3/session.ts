import { randomBytes } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type net from 'node:net';
import type tls from 'node:tls';
import type { Logger } from '../../log.ts';
import { writeChunks } from '../session-listener.ts';
import type { CommandSession } from './commands/command.ts';
import { dispatch } from './commands/index.ts';
import { LineParser, type ParsedLine } from './parser.ts';
import { Pop3Error, Pop3ErrorCode, Pop3Reply } from './replies.ts';
import { ConnectionClosedError } from './session-errors.ts';
import type { SessionDeps } from './session-deps.ts';
import type { SessionState } from './state.ts';
import { detachPlaintext, upgradeToTls } from '../../tls/server-upgrade.ts';

/**
 * One POP3 connection: reads lines, runs one command at a time in order
 * (pipelined commands wait their turn, and reading pauses when too many
 * wait), writes replies with back-pressure, and keeps the state. Its end,
 * however it comes, releases the maildrop lock without deleting anything;
 * deletions happen only in QUIT's UPDATE state (RFC 1939 §6).
 */
export class Pop3Session implements CommandSession {
  state: SessionState = { kind: 'authorization' };
  authFailures = 0;
  readonly deps: SessionDeps;
  readonly log: Logger;
  readonly remote: string;
  /** Resolves once the connection is closed and the lock (if any) released. */
  readonly closed: Promise<void>;
  #socket: net.Socket | tls.TLSSocket;
  #secure: boolean;
  readonly #parser = new LineParser();
  readonly #queue: ParsedLine[] = [];
  #waiter: ((line: ParsedLine | undefined) => void) | undefined;
  #paused = false;
  #ended = false;
  #endRequested = false;
  #shuttingDown = false;
  #badCommands = 0;
  #markClosed!: () => void;

  constructor(deps: SessionDeps, socket: net.Socket | tls.TLSSocket, secure: boolean) {
    this.deps = deps;
    this.#socket = socket;
    this.#secure = secure;
    this.remote = socket.remoteAddress ?? 'unknown';
    this.log = deps.logger.child({ pop3: randomBytes(4).toString('hex'), remote: this.remote });
    const socketClosed = new Promise<void>((resolve) => (this.#markClosed = resolve));
    this.#attach(socket);
    const run = this.#run();
    this.closed = Promise.allSettled([run, socketClosed]).then(() => this.#releaseLock());
  }

  get secure(): boolean {
    return this.#secure;
  }

  get plaintextLoginAllowed(): boolean {
    return this.#secure || (this.deps.allowPlaintextOnLoopback && isLoopback(this.remote));
  }

  reply(line: string): Promise<void> {
    return this.send([Buffer.from(`${line}\r\n`, 'utf8')]);
  }

  send(chunks: Buffer[]): Promise<void> {
    if (this.#ended) return Promise.reject(new ConnectionClosedError());
    return writeChunks(this.#socket, chunks, () => new ConnectionClosedError());
  }

  nextLine(): Promise<ParsedLine | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const line = this.#queue.shift();
    if (line) {
      if (this.#paused && this.#queue.length < this.deps.tuning.maxPipelined / 2) {
        this.#paused = false;
        this.#socket.resume();
      }
      return Promise.resolve(line);
    }
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  async startTls(): Promise<void> {
    const raw = this.#socket;
    detachPlaintext(raw, { data: this.#onData, timeout: this.#onTimeout });
    // What was queued in plaintext is dropped with it.
    this.#queue.length = 0;
    this.#parser.reset();
    this.#paused = false;
    await this.reply(Pop3Reply.beginTls);
    let secure: tls.TLSSocket;
    try {
      secure = await upgradeToTls(raw, this.deps.secureContext, this.deps.tuning.handshakeTimeoutMs);
    } catch (error) {
      this.log.debug({ err: error }, 'pop3: TLS handshake after STLS failed');
      throw new ConnectionClosedError();
    }
    this.#socket = secure;
    this.#secure = true;
    // RFC 2595 §4: what was learnt before TLS (a USER name) is forgotten.
    this.state = { kind: 'authorization' };
    this.#attach(secure);
    this.log.debug({ cipher: secure.getCipher().name }, 'pop3: STLS done');
  }

  end(): void {
    this.#endRequested = true;
  }

  /** Listener shutdown: an idle session is told and closed; a busy one finishes its command first. */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
    const grace = new Promise<void>((resolve) =>
      setTimeout(resolve, this.deps.tuning.shutdownGraceMs).unref(),
    );
    await Promise.race([this.closed, grace]);
    this.#socket.destroy();
    await this.closed;
  }

  async #run(): Promise<void> {
    try {
      await this.reply(Pop3Reply.greeting(this.deps.hostname));
      while (!this.#endRequested) {
        const line = await this.nextLine();
        if (!line) break;
        await this.#handle(line);
      }
      if (this.#shuttingDown && !this.#endRequested) {
        this.log.debug({ code: Pop3ErrorCode.SHUTTING_DOWN }, 'pop3: closed by the server shutdown');
        await this.reply(Pop3Reply.shuttingDown);
      }
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) this.log.error({ err: error }, 'pop3: session failed');
      this.#socket.destroy();
      return;
    }
    this.#closeSoon();
  }

  /**
   * One line: a command, or an error for what cannot be one. A client that
   * is gone cannot read the reply, but what it sent before leaving is still
   * done in order: a QUIT among it was issued by the client and commits its
   * deletions (RFC 1939 §6); without one, nothing is deleted.
   */
  async #handle(line: ParsedLine): Promise<void> {
    try {
      await this.#answer(line);
    } catch (error) {
      if (!(error instanceof ConnectionClosedError)) throw error;
    }
  }

  async #answer(line: ParsedLine): Promise<void> {
    try {
      await dispatch(this, line);
    } catch (error) {
      if (error instanceof ConnectionClosedError) throw error;
      if (!(error instanceof Pop3Error)) {
        this.log.error(
          { err: error, code: Pop3ErrorCode.INTERNAL, state: this.state.kind },
          'pop3: command failed',
        );
        await this.reply(Pop3Reply.internal);
        return;
      }
      await this.reply(error.line);
      if (error.isProtocolError && ++this.#badCommands >= this.deps.tuning.maxBadCommands) {
        this.log.info({ code: Pop3ErrorCode.TOO_MANY_BAD_COMMANDS }, 'pop3: too many bad commands');
        await this.reply(Pop3Reply.tooManyBadCommands);
        this.end();
      }
    }
  }

  #attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.on('timeout', this.#onTimeout);
    socket.setTimeout(this.deps.tuning.idleTimeoutMs);
  }

  readonly #onData = (chunk: Buffer): void => {
    for (const line of this.#parser.feed(chunk)) {
      const waiter = this.#waiter;
      if (waiter) {
        this.#waiter = undefined;
        waiter(line);
      } else {
        this.#queue.push(line);
      }
    }
    if (!this.#paused && this.#queue.length >= this.deps.tuning.maxPipelined) {
      this.#paused = true;
      this.#socket.pause();
    }
  };

  readonly #onError = (error: Error): void => {
    this.log.debug({ err: error }, 'pop3: connection error');
  };

  readonly #onClose = (): void => {
    if (this.#ended) return;
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(undefined);
    this.#markClosed();
  };

  /** RFC 1939 §3: the autologout timer ends the session without entering UPDATE. */
  readonly #onTimeout = (): void => {
    this.log.debug({ code: Pop3ErrorCode.IDLE_TIMEOUT, state: this.state.kind }, 'pop3: idle timeout');
    const waiter = this.#waiter;
    if (waiter) {
      // Idle between commands: say why, and take no command after this one (not even QUIT).
      this.end();
      this.#waiter = undefined;
      this.#socket.write(`${Pop3Reply.idleTimeout}\r\n`);
      waiter(undefined);
    } else {
      // Stuck in the middle of a reply (the client stopped reading): nothing sensible to add.
      this.#socket.destroy();
    }
  };

  /** Ends the connection politely; a client that does not close its side is cut after a while. */
  #closeSoon(): void {
    const socket = this.#socket;
    if (!socket.destroyed) socket.end();
    setTimeout(() => socket.destroy(), 2_000).unref();
  }

  /** The lock of a session that logged in, released whatever ended it (QUIT releases it itself, after UPDATE). */
  async #releaseLock(): Promise<void> {
    const state = this.state;
    switch (state.kind) {
      case 'authorization':
        return;
      case 'transaction':
      case 'update':
        await state.lock.release();
        return;
      default: {
        const never: never = state;
        throw new Error(`unexpected state ${String(never)}`);
      }
    }
  }
}

/** 127.0.0.0/8, ::1 and the IPv4-mapped form of 127.0.0.0/8. */
export function isLoopback(address: string): boolean {
  if (isIPv6(address)) {
    if (address === '::1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
  }
  return address.startsWith('127.');
}
