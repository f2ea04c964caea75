import type { ErrorFrame, OkFrame, ServerFrame } from '../../../src/protocol/im/frames.ts';
import { ImCloseCode } from '../../../src/protocol/im/connection.ts';
import type { DeviceDescription, HelloAuth, HelloResult } from '../../../src/protocol/im/session.ts';
import { createStore, type Store } from './store.ts';

/**
 * The client's one WebSocket to the messenger (docs/protocol.md): it logs in
 * with `hello`, answers requests by id, hands events to whoever listens, and
 * reconnects by itself with a growing, jittered backoff, logging in again
 * with the resume token. Requests made while offline wait for the next
 * connection instead of failing, so nothing the user did is dropped.
 */
export type ConnectionStatus =
  /** Before the first successful hello, or between attempts. */
  | { kind: 'connecting'; attempt: number }
  | { kind: 'online'; hello: HelloResult }
  /** Lost; the next attempt is at `retryAt` (ms since the epoch). */
  | { kind: 'offline'; retryAt: number; attempt: number }
  /** Ended for good: log in again. `code` says why (a close code's meaning or an error code). */
  | {
      kind: 'ended';
      reason: EndReason;
      message: string;
      /** The server's error code when a login was refused. */
      code?: string;
      /** The event that announced the end (`session.replaced` names the new device). */
      event?: ServerFrame;
    };

export type EndReason = 'replaced' | 'revoked' | 'account-blocked' | 'auth-failed' | 'signed-out';

export class ProtocolError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

export interface ConnectionOptions {
  url: string;
  auth: HelloAuth;
  device: DeviceDescription;
  remember: boolean;
  /** Called after each successful hello, the first and every reconnect. */
  onHello?: (result: HelloResult, reconnected: boolean) => void;
  /** A resume token that stopped working, or a new one issued. */
  onResumeToken?: (token: string | null) => void;
  /** Test hook: the WebSocket constructor. */
  webSocket?: typeof WebSocket;
  /** Backoff bounds, ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  requestTimeoutMs?: number;
}

type Handler = (frame: ServerFrame) => void;

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Queued {
  frame: Record<string, unknown>;
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
}

const HELLO_ID = 0;

export class Connection {
  readonly status: Store<ConnectionStatus> = createStore<ConnectionStatus>({
    kind: 'connecting',
    attempt: 0,
  });
  readonly #options: Required<Omit<ConnectionOptions, 'onHello' | 'onResumeToken' | 'webSocket'>> &
    ConnectionOptions;
  #auth: HelloAuth;
  #socket: WebSocket | undefined;
  #nextId = 1;
  #attempt = 0;
  #everOnline = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #pending = new Map<number, Pending>();
  #queue: Queued[] = [];
  readonly #handlers = new Map<string, Set<Handler>>();
  /** `session.replaced`/`revoked`/`ended`, kept for the close that follows. */
  #endingEvent: ServerFrame | undefined;

  constructor(options: ConnectionOptions) {
    this.#options = { minBackoffMs: 1000, maxBackoffMs: 60_000, requestTimeoutMs: 30_000, ...options };
    this.#auth = options.auth;
  }

  start(): void {
    this.#open();
    window.addEventListener('online', this.reconnectNow);
  }

  /** Logs out: `bye` (the server forgets a device that is not remembered), then closes for good. */
  async signOut(): Promise<void> {
    if (this.status.get().kind === 'online') {
      await this.request('bye', {}, { timeoutMs: 3000 }).catch(() => undefined);
    }
    this.#end('signed-out', 'signed out');
  }

  /** Stops without a word to the server (the page is going away, tests). */
  close(): void {
    this.#end('signed-out', 'closed');
  }

  /**
   * Sends a request and resolves with its `data`, or rejects with a
   * ProtocolError carrying the server's code. While offline it waits for
   * the next connection; once the connection has ended it rejects at once.
   */
  request<T = unknown>(
    t: string,
    body: Record<string, unknown> = {},
    options: { timeoutMs?: number } = {},
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const status = this.status.get();
      if (status.kind === 'ended') {
        reject(new ProtocolError('IM_CONNECTION_ENDED', status.message));
        return;
      }
      const queued: Queued = { frame: { ...body, t }, resolve: resolve as (data: unknown) => void, reject };
      if (status.kind === 'online') this.#sendRequest(queued, options.timeoutMs);
      else this.#queue.push(queued);
    });
  }

  /** A fire-and-forget frame (typing, activity); dropped while offline. */
  send(t: string, body: Record<string, unknown> = {}): void {
    if (this.status.get().kind !== 'online') return;
    this.#socket?.send(JSON.stringify({ ...body, t }));
  }

  /** Listens to events of type `t` ('*' for all); returns the unsubscribe function. */
  on(t: string, handler: Handler): () => void {
    let set = this.#handlers.get(t);
    if (!set) {
      set = new Set();
      this.#handlers.set(t, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Tries again at once instead of waiting for the backoff (the user clicked, the network came back). */
  reconnectNow = (): void => {
    if (this.status.get().kind !== 'offline') return;
    clearTimeout(this.#retryTimer);
    this.#open();
  };

  #open(): void {
    this.status.set({ kind: 'connecting', attempt: this.#attempt });
    const Socket = this.#options.webSocket ?? WebSocket;
    const socket = new Socket(this.#options.url);
    this.#socket = socket;
    socket.onopen = () => {
      const hello: Record<string, unknown> = { t: 'hello', id: HELLO_ID, auth: this.#auth };
      if (this.#auth.kind === 'password') {
        hello.device = this.#options.device;
        hello.remember = this.#options.remember;
      }
      socket.send(JSON.stringify(hello));
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data === 'string') this.#receive(event.data);
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket === socket) this.#closed(event.code, event.reason);
    };
  }

  #receive(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.t === 'ok' || frame.t === 'error') {
      const answer = frame as unknown as OkFrame | ErrorFrame;
      const re = answer.re;
      if (re === HELLO_ID && this.status.get().kind !== 'online') {
        this.#helloAnswered(answer as OkFrame<HelloResult> | ErrorFrame);
        return;
      }
      const pending = re === undefined ? undefined : this.#pending.get(re);
      if (pending && re !== undefined) {
        this.#pending.delete(re);
        clearTimeout(pending.timer);
        if (answer.t === 'ok') pending.resolve(answer.data);
        else pending.reject(new ProtocolError(answer.code, answer.message));
        return;
      }
    }
    if (frame.t === 'session.replaced' || frame.t === 'session.revoked' || frame.t === 'session.ended') {
      this.#endingEvent = frame;
    }
    for (const key of [frame.t, '*']) {
      for (const handler of [...(this.#handlers.get(key) ?? [])]) {
        try {
          handler(frame);
        } catch (error) {
          console.error(`handler of ${frame.t} failed`, error);
        }
      }
    }
  }

  #helloAnswered(frame: OkFrame<HelloResult> | ErrorFrame): void {
    if (frame.t === 'error') {
      const resumeInvalid = frame.code === 'IM_RESUME_INVALID';
      if (resumeInvalid) this.#options.onResumeToken?.(null);
      const retriable = frame.code === 'AUTH_THROTTLED' || frame.code === 'INTERNAL';
      if (retriable) {
        this.#socket?.close();
        return;
      }
      this.#end('auth-failed', frame.message, frame.code);
      return;
    }
    const result = frame.data;
    if (result.resumeToken) {
      this.#auth = { kind: 'resume', token: result.resumeToken };
      this.#options.onResumeToken?.(result.resumeToken);
    }
    const reconnected = this.#everOnline;
    this.#everOnline = true;
    this.#attempt = 0;
    this.status.set({ kind: 'online', hello: result });
    this.#options.onHello?.(result, reconnected);
    const queue = this.#queue;
    this.#queue = [];
    for (const queued of queue) this.#sendRequest(queued);
  }

  #sendRequest(queued: Queued, timeoutMs = this.#options.requestTimeoutMs): void {
    const id = this.#nextId++;
    const timer = setTimeout(() => {
      this.#pending.delete(id);
      queued.reject(new ProtocolError('IM_TIMEOUT', `no answer to ${String(queued.frame.t)} in time`));
    }, timeoutMs);
    this.#pending.set(id, { resolve: queued.resolve, reject: queued.reject, timer });
    this.#socket?.send(JSON.stringify({ ...queued.frame, id }));
  }

  #closed(code: number, reason: string): void {
    this.#socket = undefined;
    // Requests in flight may or may not have been handled: they fail, and the
    // caller retries with its clientId where that matters.
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new ProtocolError('IM_CONNECTION_LOST', 'the connection was lost'));
      this.#pending.delete(id);
    }
    if (this.status.get().kind === 'ended') return;
    if (code === ImCloseCode.REPLACED) return this.#end('replaced', reason);
    if (code === ImCloseCode.DEVICE_REVOKED) return this.#end('revoked', reason);
    if (code === ImCloseCode.ACCOUNT_BLOCKED) return this.#end('account-blocked', reason);
    this.#attempt++;
    const base = Math.min(this.#options.maxBackoffMs, this.#options.minBackoffMs * 2 ** (this.#attempt - 1));
    const delay = base / 2 + Math.random() * (base / 2);
    this.status.set({ kind: 'offline', retryAt: Date.now() + delay, attempt: this.#attempt });
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #end(reason: EndReason, message: string, code?: string): void {
    clearTimeout(this.#retryTimer);
    window.removeEventListener('online', this.reconnectNow);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
    const ended: ConnectionStatus = { kind: 'ended', reason, message };
    if (code) ended.code = code;
    if (this.#endingEvent) ended.event = this.#endingEvent;
    this.status.set(ended);
    for (const queued of this.#queue) queued.reject(new ProtocolError('IM_CONNECTION_ENDED', message));
    this.#queue = [];
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new ProtocolError('IM_CONNECTION_ENDED', message));
      this.#pending.delete(id);
    }
  }
}
