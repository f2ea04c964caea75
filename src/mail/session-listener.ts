import net from 'node:net';
import type tls from 'node:tls';
import type { ListenAddress } from '../config/schema.ts';
import { upgradeToTls } from '../tls/server-upgrade.ts';
import type { MailContext, RunningListener } from './mail-system.ts';
import { secureContextOf, type MailSessionDeps } from './session-deps.ts';

/** What the listener needs of a session it started. */
export interface ListenedSession {
  /** Resolves once the connection is closed and the session has cleaned up. */
  readonly closed: Promise<void>;
  /** Server shutdown: says goodbye in the protocol's words and ends. */
  shutdown(): Promise<void>;
}

export interface SessionListenerOptions<S extends ListenedSession> {
  /** The listener's name, for logs ("imap", "pop3s"…). */
  name: string;
  address: ListenAddress;
  /** TLS from the first byte (imaps, pop3s); otherwise plaintext until the session upgrades. */
  implicitTls: boolean;
  /** The certificate, and news when an admin replaces it. */
  certificate: MailContext['tls'];
  /**
   * What the sessions share: the listener logs to its logger and keeps its
   * secureContext on the certificate of the moment, so that new connections
   * and STARTTLS / STLS use a replaced one.
   */
  deps: MailSessionDeps;
  startSession(socket: net.Socket | tls.TLSSocket, secure: boolean): S;
}

/**
 * The listener of a mail protocol written here (POP3, IMAP): accepts
 * connections (with the TLS handshake first for the implicit-TLS port),
 * starts a session on each, and on close stops accepting and asks every
 * session to end politely.
 */
export async function startSessionListener<S extends ListenedSession>(
  options: SessionListenerOptions<S>,
): Promise<RunningListener> {
  const { name, deps } = options;
  const { logger } = deps;
  const unsubscribe = options.certificate.onChange?.((pair) => {
    deps.secureContext = secureContextOf(pair);
  });
  const sessions = new Set<S>();
  /** Connections still in their TLS handshake, not yet sessions. */
  const handshaking = new Set<net.Socket>();
  let closing = false;

  const start = (socket: net.Socket | tls.TLSSocket, secure: boolean) => {
    const session = options.startSession(socket, secure);
    sessions.add(session);
    void session.closed.then(() => sessions.delete(session));
  };

  const server = net.createServer((raw) => {
    raw.on('error', (error) => logger.debug({ err: error }, `${name}: connection error`));
    if (closing) {
      raw.destroy();
      return;
    }
    // Replies are written whole: no reason to wait for the peer's ACK (Nagle).
    raw.setNoDelay(true);
    if (!options.implicitTls) {
      start(raw, false);
      return;
    }
    handshaking.add(raw);
    upgradeToTls(raw, deps.secureContext, deps.tuning.handshakeTimeoutMs).then(
      (secure) => {
        handshaking.delete(raw);
        if (closing) secure.destroy();
        else start(secure, true);
      },
      (error: unknown) => {
        handshaking.delete(raw);
        logger.debug({ err: error, remote: raw.remoteAddress }, `${name}: TLS handshake failed`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.address.port, options.address.host, () => {
      server.off('error', reject);
      server.on('error', (error) => logger.error({ err: error }, `${name}: listener error`));
      resolve();
    });
  });
  const bound = server.address();
  const boundAddress =
    bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : options.address;

  return {
    address: boundAddress,
    async close() {
      unsubscribe?.();
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of handshaking) socket.destroy();
      await Promise.all([...sessions].map((session) => session.shutdown()));
      await stopped;
    },
  };
}

/**
 * Writes chunks in one go and resolves when the socket can take more
 * (back-pressure); rejects with `closedError()` if the connection is gone.
 */
export function writeChunks(
  socket: net.Socket | tls.TLSSocket,
  chunks: readonly Buffer[],
  closedError: () => Error,
): Promise<void> {
  if (socket.destroyed || !socket.writable) return Promise.reject(closedError());
  let flowing = true;
  socket.cork();
  for (const chunk of chunks) flowing = socket.write(chunk);
  socket.uncork();
  if (flowing) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      reject(closedError());
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
