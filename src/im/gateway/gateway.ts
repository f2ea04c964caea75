import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../log.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { ImCloseCode } from '../../protocol/im/connection.ts';
import type { FrameHandler, SessionLifecycle } from '../types.ts';
import { GatewayConnection, type EndReason } from './connection.ts';
import type { ConnectionRegistry } from './connection-registry.ts';
import { FrameDispatcher, sendError } from './frame-dispatcher.ts';
import { requestIdOf } from './frame-parser.ts';
import type { GatewayOptions } from './gateway-options.ts';
import type { SessionGate } from './session-gate.ts';

export interface GatewayDeps {
  options: GatewayOptions;
  logger: Logger;
  handlers: readonly FrameHandler[];
  lifecycles: readonly SessionLifecycle[];
  gate: SessionGate;
  registry: ConnectionRegistry;
}

/** Ticks per heartbeat interval: with 30 s, one slice of the connections every 500 ms. */
const HEARTBEAT_SLICES = 60;

/**
 * The WebSocket endpoint of the messenger on the `http` listener: takes the
 * HTTP upgrade at /ws (RFC 6455 §4), enforces the size, rate, hello and
 * heartbeat rules, feeds frames one at a time to the dispatcher, and runs
 * the areas' lifecycles when a session opens and closes.
 */
export class ImGateway {
  readonly #deps: GatewayDeps;
  readonly #server: WebSocketServer;
  readonly #dispatcher: FrameDispatcher;
  /** Every connection, logged in or not, with the promise of its close handling. */
  readonly #connections = new Map<GatewayConnection, { finished: Promise<void>; slice: number }>();
  /** The heartbeat visits one slice of the connections per tick (see #startHeartbeat). */
  readonly #slices = Array.from({ length: HEARTBEAT_SLICES }, () => new Set<GatewayConnection>());
  #nextSlice = 0;
  /** Connections whose opening lifecycles run or ran: closing waits for them. */
  readonly #opened = new WeakMap<GatewayConnection, Promise<void>>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(deps: GatewayDeps) {
    this.#deps = deps;
    this.#server = new WebSocketServer({
      noServer: true,
      maxPayload: deps.options.maxPayloadBytes,
      // Compression costs ~300 KiB of zlib state per connection and adds bytes to idle pings.
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.#dispatcher = new FrameDispatcher({
      handlers: deps.handlers,
      gate: deps.gate,
      registry: deps.registry,
      options: deps.options,
      logger: deps.logger,
      onOpened: (connection) => {
        this.#opened.set(connection, this.#runOpened(connection));
      },
    });
  }

  /** Takes upgrades for the gateway's path on this HTTP(S) server; other paths are left alone. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== this.#deps.options.path) {
        // Nobody else takes upgrades: answer rather than leave the socket hanging.
        if (server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
        return;
      }
      if (this.#closing) {
        rejectUpgrade(socket, 503, 'Service Unavailable');
        return;
      }
      socket.on('error', (error) => this.#deps.logger.debug({ err: error }, 'im: upgrade socket error'));
      this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, request));
    });
    this.#startHeartbeat();
  }

  /** Connections open now (logged in or not). */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Closes every connection with 1001 (going away), waits a moment for the
   * clients' close frames, cuts the rest, and waits for their lifecycles.
   */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    const connections = [...this.#connections.entries()];
    for (const [connection] of connections) {
      connection.close(ImCloseCode.GOING_AWAY, 'server shutting down', 'shutdown');
    }
    const all = Promise.all(connections.map(([, entry]) => entry.finished));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#deps.options.closeGraceMs);
    });
    if ((await Promise.race([all, grace])) === 'timeout') {
      for (const [connection] of this.#connections) connection.terminate('shutdown');
    }
    clearTimeout(timer);
    await all;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: WebSocket, request: IncomingMessage): void {
    const { options, logger } = this.#deps;
    const connection = new GatewayConnection({
      socket,
      id: randomBytes(12).toString('base64url'),
      remote: request.socket.remoteAddress ?? '',
      options,
      logger,
    });
    let closed!: (code: number) => void;
    const closedEvent = new Promise<number>((resolve) => (closed = resolve));
    const finished = closedEvent.then((code) => this.#finish(connection, code));
    const slice = this.#nextSlice++ % HEARTBEAT_SLICES;
    this.#slices[slice]?.add(connection);
    this.#connections.set(connection, { finished, slice });

    const helloTimer = setTimeout(() => {
      if (connection.state.kind !== 'awaiting-hello') return;
      sendError(connection, undefined, ErrorCode.IM_NOT_AUTHENTICATED, 'no hello in time');
      connection.close(ImCloseCode.POLICY, 'no hello in time', 'hello-timeout');
    }, options.helloTimeoutMs);

    // Frames are handled one after the other, so a conversation's messages keep the order they were sent in.
    let queue = Promise.resolve();
    socket.on('message', (data: RawData, isBinary: boolean) => {
      connection.lastSeenAt = Date.now();
      const verdict = connection.admit(connection.lastSeenAt);
      if (verdict === 'flooding') {
        logger.warn({ connection: connection.id, remote: connection.remote }, 'im: client flooding; closed');
        connection.close(ImCloseCode.POLICY, 'too many frames', 'flooding');
        return;
      }
      const text = isBinary ? undefined : rawText(data);
      if (verdict === 'limited') {
        const re = text === undefined ? undefined : requestIdOf(text);
        sendError(connection, re, ErrorCode.IM_RATE_LIMITED, 'too many frames: slow down');
        return;
      }
      if (text === undefined) {
        sendError(
          connection,
          undefined,
          ErrorCode.IM_BAD_FRAME,
          'binary frames are not part of the protocol',
        );
        return;
      }
      queue = queue.then(() =>
        this.#dispatcher.dispatch(connection, text).catch((error: unknown) => {
          logger.error({ err: error, connection: connection.id }, 'im: frame dispatch failed');
        }),
      );
    });
    socket.on('pong', () => {
      connection.lastSeenAt = Date.now();
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws closes the socket itself after an error (1009 for a frame over maxPayload).
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') connection.endReason ??= 'too-big';
      logger.debug({ err: error, connection: connection.id }, 'im: websocket error');
    });
    socket.on('close', (code: number) => {
      clearTimeout(helloTimer);
      // Let the frame being handled finish first, so closing sees its final state.
      void queue.then(() => closed(code));
    });
  }

  async #finish(connection: GatewayConnection, code: number): Promise<void> {
    const reason: EndReason = connection.endReason ?? (code === 1006 ? 'connection-lost' : 'client-closed');
    const session = connection.openSession;
    connection.state = { kind: 'closed', session };
    this.#deps.registry.remove(connection);
    try {
      if (!session) return;
      await this.#opened.get(connection);
      for (const lifecycle of this.#deps.lifecycles) {
        await lifecycle.closed(connection).catch((error: unknown) => {
          this.#deps.logger.error({ err: error, user: session.address }, 'im: session close hook failed');
        });
      }
      await this.#deps.gate.ended(connection, reason).catch((error: unknown) => {
        this.#deps.logger.error({ err: error, user: session.address }, 'im: session end failed');
      });
    } finally {
      const entry = this.#connections.get(connection);
      if (entry) this.#slices[entry.slice]?.delete(connection);
      this.#connections.delete(connection);
    }
  }

  async #runOpened(connection: GatewayConnection): Promise<void> {
    const { gate, lifecycles, logger } = this.#deps;
    try {
      await gate.opened(connection);
      for (const lifecycle of lifecycles) {
        if (connection.isClosed) return;
        await lifecycle.opened(connection);
      }
    } catch (error) {
      logger.error({ err: error, user: connection.session.address }, 'im: session open hook failed');
    }
  }

  /**
   * One timer for all connections: each is pinged once per interval, and
   * dropped when silent for two (RFC 6455 §5.5.2: a pong must answer a ping),
   * so dead peers are noticed within three intervals. The connections are
   * spread over slices visited one per tick: pinging 20,000 TLS sockets at
   * once would stall every other frame for the best part of a second.
   */
  #startHeartbeat(): void {
    const interval = this.#deps.options.heartbeatIntervalMs;
    let tick = 0;
    this.#heartbeat = setInterval(
      () => {
        const slice = this.#slices[tick++ % HEARTBEAT_SLICES];
        if (!slice) return;
        const now = Date.now();
        for (const connection of [...slice]) {
          if (now - connection.lastSeenAt > 2 * interval) {
            this.#deps.logger.info(
              { connection: connection.id, user: connection.openSession?.address },
              'im: no pong from client; connection dropped',
            );
            connection.terminate('heartbeat-timeout');
          } else connection.ping();
        }
      },
      Math.max(1, Math.floor(interval / HEARTBEAT_SLICES)),
    );
    this.#heartbeat.unref();
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
