import path from 'node:path';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { ListenAddress } from '../../config/schema.ts';
import type { MailContext, RunningListener } from '../mail-system.ts';
import { useOwnEnhancedCodes } from './enhanced-codes.ts';
import { receiveInbound } from './inbound-data.ts';
import { InboundPolicy } from './inbound-policy.ts';
import {
  COMMAND_TIMEOUT_MS,
  inboundSettings,
  REVERSE_LOOKUP_TIMEOUT_MS,
  SHUTDOWN_GRACE_MS,
  type InboundSettings,
} from './inbound-settings.ts';
import { SmtpError, SmtpReply } from './replies.ts';

/**
 * The `smtp` listener (port 25, MX): mail from the internet for our own
 * domains. smtp-server does the protocol framing (RFC 5321 commands,
 * PIPELINING, 8BITMIME, SMTPUTF8, SIZE, STARTTLS with our certificate,
 * ENHANCEDSTATUSCODES) and answers malformed commands itself; AUTH is not
 * offered here (that is submission's job). The checks are in
 * inbound-policy.ts, DATA in inbound-data.ts.
 */
export async function startInboundListener(
  context: MailContext,
  address: ListenAddress,
): Promise<RunningListener> {
  const settings = inboundSettings(
    context.config,
    path.join(context.blobs.root, 'tmp'),
    context.services.store,
  );
  const policy = new InboundPolicy(context, settings);
  const busy = new Set<string>();
  const server = new SMTPServer(serverOptions(context, settings, policy, busy));
  useOwnEnhancedCodes(server);
  server.on('error', (error: NodeJS.ErrnoException) => {
    // A peer that hangs up (ECONNRESET, EPIPE) is everyday life on port 25.
    const everyday = error.code === 'ECONNRESET' || error.code === 'EPIPE';
    context.logger[everyday ? 'debug' : 'warn']({ err: error }, 'smtp: connection error');
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const bound = server.server.address();
  const running: ListenAddress =
    bound && typeof bound === 'object' ? { host: bound.address, port: bound.port } : address;
  const unsubscribe = context.tls.onChange?.((pair) =>
    server.updateSecureContext({ key: pair.keyPem, cert: pair.certPem }),
  );
  return {
    address: running,
    close: () => {
      unsubscribe?.();
      return closeServer(server, busy);
    },
  };
}

function serverOptions(
  context: MailContext,
  settings: InboundSettings,
  policy: InboundPolicy,
  busy: Set<string>,
): SMTPServerOptions {
  const logger = context.logger;
  // RFC 1870: smtp-server reads options.size (this object, kept as server.options)
  // at each EHLO (SIZE), MAIL (SIZE=) and DATA. Set as each session starts, an
  // admin's change of mail.max-message-size reaches the next session.
  const connect = async (session: SMTPServerSession) => {
    options.size = await settings.maxMessageSize.read();
    await policy.connect(session);
  };
  const options: SMTPServerOptions = {
    name: settings.hostname,
    banner: 'Coo',
    key: context.tls.keyPem,
    cert: context.tls.certPem,
    size: undefined,
    // We answer an oversized DATA ourselves, with 552 5.3.4 (RFC 1870 §6.2).
    rejectOversized: false,
    hideENHANCEDSTATUSCODES: false,
    disabledCommands: ['AUTH'],
    authOptional: true,
    maxAllowedUnauthenticatedCommands: false,
    logger: false,
    socketTimeout: COMMAND_TIMEOUT_MS,
    closeTimeout: SHUTDOWN_GRACE_MS,
    resolver: { reverse: (ip, callback) => reverseLookup(context, ip, callback) },
    onConnect: (session, callback) => settle(logger, session, connect(session), callback),
    onMailFrom: (address, session, callback) =>
      settle(logger, session, policy.mailFrom(address, session), callback),
    onRcptTo: (address, session, callback) =>
      settle(logger, session, policy.rcptTo(address, session), callback),
    onData: (stream, session, callback) => {
      busy.add(session.id);
      // A stream that fails (the client went away mid-DATA) must not throw unhandled.
      stream.on('error', () => undefined);
      const work = receiveInbound(context, settings, stream, session, policy.transaction(session));
      settle(logger, session, work, (error, text) => {
        busy.delete(session.id);
        callback(error, text);
      });
    },
    onClose: (session) => policy.close(session),
  };
  return options;
}

/**
 * Hands a handler's result to smtp-server's callback. An SmtpError is the
 * reply; anything else is a bug or an outage: logged with the session, and
 * answered 451 4.3.0 so the sender retries.
 */
function settle<T>(
  logger: MailContext['logger'],
  session: SMTPServerSession,
  work: Promise<T>,
  callback: (error: Error | null, value?: T) => void,
): void {
  work.then(
    (value) => callback(null, value),
    (error: unknown) => {
      if (error instanceof SmtpError) {
        callback(error);
        return;
      }
      if ((error as { code?: unknown } | null)?.code === 'ECONNECTION') {
        // The client went away in the middle of DATA: nothing was kept, nobody to answer.
        logger.info({ session: session.id, remote: session.remoteAddress }, 'smtp: client left during DATA');
        callback(new SmtpError(SmtpReply.localError));
        return;
      }
      logger.error(
        { err: error, session: session.id, remote: session.remoteAddress },
        'smtp: unexpected error',
      );
      callback(new SmtpError(SmtpReply.localError));
    },
  );
}

function reverseLookup(
  context: MailContext,
  ip: string,
  callback: (error: Error | null, hostnames?: string[]) => void,
): void {
  const name = reverseLookupName(ip);
  if (!name) {
    callback(null, []);
    return;
  }
  let done = false;
  const finish = (error: Error | null, names?: string[]) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    callback(error, names);
  };
  const timer = setTimeout(() => finish(new Error('reverse lookup timed out')), REVERSE_LOOKUP_TIMEOUT_MS);
  context.resolver(name, 'PTR').then(
    (names) =>
      finish(null, Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : []),
    (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
  );
}

function reverseLookupName(ip: string): string | undefined {
  const plain = ip.replace(/^::ffff:/i, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(plain)) return `${plain.split('.').reverse().join('.')}.in-addr.arpa`;
  return undefined;
}

/**
 * Stops accepting, tells idle sessions 421 4.3.2 at once, and gives sessions
 * busy with a message SHUTDOWN_GRACE_MS to finish (smtp-server then ends
 * them with 421).
 */
function closeServer(server: SMTPServer, busy: Set<string>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const connection of server.connections) {
      if (busy.has(connection.session.id)) continue;
      connection.send(
        SmtpReply.shuttingDown.code,
        `${SmtpReply.shuttingDown.enhanced} ${SmtpReply.shuttingDown.message}`,
      );
      connection.close();
    }
  });
}
