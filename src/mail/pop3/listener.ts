import net from 'node:net';
import tls from 'node:tls';
import type { ListenAddress } from '../../config/schema.ts';
import type { MailContext, RunningListener } from '../mail-system.ts';
import { DEFAULT_LOCK_TUNING, MailboxLocks, type MailboxLockTuning } from './mailbox-lock.ts';
import { Pop3Session } from './session.ts';
import { DEFAULT_POP3_TUNING, type Pop3Tuning, type SessionDeps } from './session-deps.ts';
import { upgradeToTls } from './tls-upgrade.ts';

export interface Pop3ListenerOptions {
  /** pop3s (995): TLS from the first byte. pop3 (110): plaintext until STLS. */
  implicitTls: boolean;
  tuning?: Partial<Pop3Tuning>;
  lockTuning?: MailboxLockTuning;
}

/** A POP3 listener: accepts connections and runs a session on each; close() ends them politely. */
export async function startPop3Listener(
  context: MailContext,
  address: ListenAddress,
  options: Pop3ListenerOptions,
): Promise<RunningListener> {
  const name = options.implicitTls ? 'pop3s' : 'pop3';
  const logger = context.logger.child({ listener: name });
  const deps: SessionDeps = {
    services: context.services,
    blobs: context.blobs,
    logger,
    hostname: context.config.config.server.hostname,
    secureContext: tls.createSecureContext({ cert: context.tls.certPem, key: context.tls.keyPem }),
    locks: new MailboxLocks(context.services.store, logger, options.lockTuning ?? DEFAULT_LOCK_TUNING),
    allowPlaintextOnLoopback: context.config.config.pop3.allow_plaintext_on_loopback,
    tuning: { ...DEFAULT_POP3_TUNING, ...options.tuning },
  };
  // New connections and STLS use the certificate of the moment.
  const unsubscribe = context.tls.onChange?.((pair) => {
    deps.secureContext = tls.createSecureContext({ cert: pair.certPem, key: pair.keyPem });
  });
  const sessions = new Set<Pop3Session>();
  /** Connections still in their TLS handshake (pop3s), not yet sessions. */
  const handshaking = new Set<net.Socket>();
  let closing = false;

  const startSession = (socket: net.Socket | tls.TLSSocket, secure: boolean) => {
    const session = new Pop3Session(deps, socket, secure);
    sessions.add(session);
    void session.closed.then(() => sessions.delete(session));
  };

  const server = net.createServer((raw) => {
    raw.on('error', (error) => logger.debug({ err: error }, 'pop3: connection error'));
    if (closing) {
      raw.destroy();
      return;
    }
    // Replies are small and each is one write: no reason to wait for the peer's ACK (Nagle).
    raw.setNoDelay(true);
    if (!options.implicitTls) {
      startSession(raw, false);
      return;
    }
    handshaking.add(raw);
    upgradeToTls(raw, deps.secureContext, deps.tuning.handshakeTimeoutMs).then(
      (secure) => {
        handshaking.delete(raw);
        if (closing) secure.destroy();
        else startSession(secure, true);
      },
      (error: unknown) => {
        handshaking.delete(raw);
        logger.debug({ err: error, remote: raw.remoteAddress }, 'pop3: TLS handshake failed');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      server.on('error', (error) => logger.error({ err: error }, 'pop3: listener error'));
      resolve();
    });
  });
  const bound = server.address();
  const boundAddress =
    bound !== null && typeof bound === 'object' ? { host: bound.address, port: bound.port } : address;

  return {
    address: boundAddress,
    async close() {
      closing = true;
      unsubscribe?.();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of handshaking) socket.destroy();
      await Promise.all([...sessions].map((session) => session.shutdown()));
      await stopped;
    },
  };
}
