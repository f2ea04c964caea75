import tls from 'node:tls';
import type { ListenAddress } from '../../config/schema.ts';
import type { MailContext, RunningListener } from '../mail-system.ts';
import { startSessionListener } from '../session-listener.ts';
import { DEFAULT_LOCK_TUNING, MailboxLocks, type MailboxLockTuning } from './mailbox-lock.ts';
import { Pop3Session } from './session.ts';
import { DEFAULT_POP3_TUNING, type Pop3Tuning, type SessionDeps } from './session-deps.ts';

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
    bus: context.bus,
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
  const listener = await startSessionListener({
    name,
    logger,
    address,
    implicitTls: options.implicitTls,
    secureContext: () => deps.secureContext,
    handshakeTimeoutMs: deps.tuning.handshakeTimeoutMs,
    startSession: (socket, secure) => new Pop3Session(deps, socket, secure),
  });
  return {
    address: listener.address,
    async close() {
      unsubscribe?.();
      await listener.close();
    },
  };
}
