import type { ListenAddress } from '../../config/schema.ts';
import { liveLimit } from '../../settings/live-limits.ts';
import type { MailContext, RunningListener } from '../mail-system.ts';
import { sharedSessionDeps } from '../session-deps.ts';
import { startSessionListener } from '../session-listener.ts';
import { MailboxChangeFeed } from './change-feed.ts';
import { MailboxIndexCache } from './mailbox-index-cache.ts';
import { MessageCache } from './message-cache.ts';
import { ImapSession } from './session.ts';
import { DEFAULT_IMAP_TUNING, type ImapDeps, type ImapTuning } from './session-deps.ts';

export interface ImapListenerOptions {
  /** imaps (993): TLS from the first byte. imap (143): plaintext until STARTTLS. */
  implicitTls: boolean;
  tuning?: Partial<ImapTuning>;
}

/** An IMAP listener: accepts connections and runs a session on each; close() ends them with BYE. */
export async function startImapListener(
  context: MailContext,
  address: ListenAddress,
  options: ImapListenerOptions,
): Promise<RunningListener> {
  const name = options.implicitTls ? 'imaps' : 'imap';
  const logger = context.logger.child({ listener: name });
  const { config } = context.config;
  const changes = await MailboxChangeFeed.start(context.bus, logger);
  const deps: ImapDeps = {
    ...sharedSessionDeps(context, logger),
    changes,
    indexes: new MailboxIndexCache(),
    messages: new MessageCache(context.blobs),
    allowPlaintextOnLoopback: config.imap.allow_plaintext_on_loopback,
    appendLimit: liveLimit(
      context.services.store,
      'mail.max-message-size',
      () => config.mail.max_message_size,
    ),
    configuredAppendLimit: config.mail.max_message_size,
    defaultQuota: config.users.default_quota,
    tuning: { ...DEFAULT_IMAP_TUNING, ...options.tuning },
  };
  const listener = await startSessionListener({
    name,
    address,
    implicitTls: options.implicitTls,
    certificate: context.tls,
    deps,
    startSession: (socket, secure) => new ImapSession(deps, socket, secure),
  });
  return {
    address: listener.address,
    async close() {
      await listener.close();
      await changes.close();
    },
  };
}
