import type WebSocket from 'ws';
import type { Logger } from '../../log.ts';
import type { ServerFrame } from '../../protocol/im/frames.ts';
import type { ImConnection, ImSession } from '../types.ts';
import type { GatewayOptions } from './gateway-options.ts';
import { TokenBucket } from './token-bucket.ts';

/** Why a session ended, for the logout audit entry and the logs. */
export type EndReason =
  | 'bye'
  | 'client-closed'
  | 'connection-lost'
  | 'replaced'
  | 'revoked'
  | 'account-blocked'
  | 'shutdown'
  | 'heartbeat-timeout'
  | 'hello-timeout'
  | 'not-authenticated'
  | 'flooding'
  | 'too-slow'
  | 'too-big';

/**
 * Where a connection is in its life. Handlers only ever see `open`
 * connections, so a session exists before any of them runs.
 */
export type ConnectionState =
  | { kind: 'awaiting-hello'; failedHellos: number }
  | { kind: 'authenticating' }
  | { kind: 'open'; session: ImSession }
  | { kind: 'closed'; session: ImSession | undefined };

/** One WebSocket: its state, limits and output. The gateway feeds it; handlers see it as an ImConnection. */
export class GatewayConnection implements ImConnection {
  readonly id: string;
  readonly remote: string;
  readonly openedAt: number;
  state: ConnectionState = { kind: 'awaiting-hello', failedHellos: 0 };
  /** When the hello succeeded (ms): of two sessions the policy keeps the later. */
  loggedInAt = 0;
  /** Last time anything came in (a frame or a pong): the heartbeat's measure of life. */
  lastSeenAt: number;
  /** Set by whoever closes first; the close event reads it. */
  endReason: EndReason | undefined;
  readonly #socket: WebSocket;
  readonly #options: GatewayOptions;
  readonly #logger: Logger;
  readonly #rate: TokenBucket;
  readonly #flood: TokenBucket;

  constructor(deps: {
    socket: WebSocket;
    id: string;
    remote: string;
    options: GatewayOptions;
    logger: Logger;
  }) {
    const now = Date.now();
    this.#socket = deps.socket;
    this.id = deps.id;
    this.remote = deps.remote;
    this.#options = deps.options;
    this.#logger = deps.logger;
    this.openedAt = now;
    this.lastSeenAt = now;
    this.#rate = new TokenBucket(deps.options.rateBurst, deps.options.ratePerSecond, now);
    this.#flood = new TokenBucket(deps.options.floodTolerance, deps.options.floodForgivenessPerSecond, now);
  }

  get session(): ImSession {
    if (this.state.kind === 'open') return this.state.session;
    if (this.state.kind === 'closed' && this.state.session) return this.state.session;
    throw new Error(`connection ${this.id} has no session (state ${this.state.kind})`);
  }

  /** The session, when logged in and not yet closed. */
  get openSession(): ImSession | undefined {
    return this.state.kind === 'open' ? this.state.session : undefined;
  }

  get isClosed(): boolean {
    return this.state.kind === 'closed' || this.#socket.readyState !== this.#socket.OPEN;
  }

  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  /** Sends an already serialised frame: a delivery to many connections serialises once. */
  sendText(text: string): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    // A client that does not read makes its output pile up in our memory;
    // past the limit it cannot catch up, and a close frame would wait behind
    // the pile, so the socket is cut.
    if (this.#socket.bufferedAmount + text.length > this.#options.maxBufferedBytes) {
      this.#logger.warn(
        { connection: this.id, user: this.openSession?.address, buffered: this.#socket.bufferedAmount },
        'im: client too slow to read its frames; dropping the connection',
      );
      this.terminate('too-slow');
      return;
    }
    this.#socket.send(text, (error) => {
      if (error) this.#logger.debug({ connection: this.id, err: error }, 'im: send failed');
    });
  }

  /** Whether a frame arriving now is within the rate; false means answer IM_RATE_LIMITED. */
  admit(now: number): 'accepted' | 'limited' | 'flooding' {
    if (this.#rate.take(now)) return 'accepted';
    return this.#flood.take(now) ? 'limited' : 'flooding';
  }

  /** Closes with a close frame (RFC 6455 §5.5.1); the first reason given is the one kept. */
  close(code: number, reason: string, endReason: EndReason): void {
    this.endReason ??= endReason;
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.close(code, reason);
  }

  /** Drops the TCP connection at once, for peers that cannot or will not read. */
  terminate(endReason: EndReason): void {
    this.endReason ??= endReason;
    this.#socket.terminate();
  }

  ping(): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.ping();
  }
}
