import type { ListenAddress } from '../../config/schema.ts';
import type { MailContext, RunningListener } from '../mail-system.ts';
import { sharedSessionDeps } from '../session-deps.ts';
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
    ...sharedSessionDeps(context, logger),
    locks: new MailboxLocks(context.services.store, logger, options.lockTuning ?? DEFAULT_LOCK_TUNING),
    allowPlaintextOnLoopback: context.config.config.pop3.allow_plaintext_on_loopback,
    tuning: { ...DEFAULT_POP3_TUNING, ...options.tuning },
  };
  return startSessionListener({
    name,
    address,
    implicitTls: options.implicitTls,
    certificate: context.tls,
    deps,
    startSession: (socket, secure) => new Pop3Session(deps, socket, secure),
  });
}
