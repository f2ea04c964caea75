import type { SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { ListenAddress } from '../../config/schema.ts';
import { isCooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { liveLimit } from '../../settings/live-limits.ts';
import type { MailContext, RunningListener } from '../mail-system.ts';
import { SmtpReplyError, SubmissionReply, toServerError, type SmtpReply } from './replies.ts';
import type { Sender } from './sender-rule.ts';
import { SubmissionService } from './submission-service.ts';
import { TunedSmtpServer } from './tuned-server.ts';

/** `submission`: STARTTLS before AUTH (RFC 6409, RFC 3207); `submissions`: TLS from the start (RFC 8314). */
export type SubmissionMode = 'starttls' | 'implicit';

export const SUBMISSION_LIMITS = {
  // RFC 5321 §4.5.3.2.7: a server waits at least 5 minutes for the next command.
  socketTimeoutMs: 5 * 60_000,
  // At shutdown, sessions get this long to finish before they are told 421.
  closeTimeoutMs: 3_000,
  maxClients: 2_000,
} as const;

type Callback = (error?: Error | null) => void;

/**
 * A submission listener. smtp-server frames the protocol; each handler
 * checks its step through SubmissionService and writes the refusal it
 * throws; anything unexpected is logged and answered 451 4.3.0.
 */
export async function startSubmissionListener(
  context: MailContext,
  address: ListenAddress,
  mode: SubmissionMode,
): Promise<RunningListener> {
  const listener = mode === 'starttls' ? 'submission' : 'submissions';
  const logger = context.logger.child({ listener });
  // The limits as they are now: an admin's change applies to the next session (size) or step.
  const config = context.config.config;
  const store = context.services.store;
  const service = new SubmissionService({
    services: context.services,
    blobs: context.blobs,
    localDelivery: context.localDelivery,
    queue: context.queue,
    logger,
    hostname: config.server.hostname,
    maxMessagesPerHour: liveLimit(
      store,
      'mail.max-messages-per-hour',
      () => config.submission.max_messages_per_hour,
    ),
  });
  // One limit for all mail, inbound and submitted: mail.max-message-size, else [mail] max_message_size.
  const maxMessageSize = liveLimit(store, 'mail.max-message-size', () => config.mail.max_message_size);
  const maxRecipients = liveLimit(store, 'mail.max-recipients', () => config.submission.max_recipients);

  /** Runs a step; its SmtpReplyError becomes the reply, anything else 451 4.3.0 and a log line. */
  const step = (session: SMTPServerSession, callback: Callback, work: () => Promise<void>) => {
    work().then(
      () => callback(),
      (error: unknown) => {
        if (error instanceof SmtpReplyError) return callback(toServerError(error.reply));
        logger.error(
          { err: error, session: session.id, remote: session.remoteAddress },
          'submission: internal error',
        );
        callback(toServerError(SubmissionReply.localError));
      },
    );
  };
  const senderOf = (session: SMTPServerSession): Sender | undefined => session.user as Sender | undefined;

  const server = new TunedSmtpServer(
    {
      secure: mode === 'implicit',
      key: context.tls.keyPem,
      cert: context.tls.certPem,
      name: context.config.config.server.hostname,
      banner: 'Coo mail submission',
      // Set as each session starts (onConnect).
      size: undefined,
      // Over the limit: smtp-server answers 552 5.3.4 itself (RFC 1870 §6.2), whatever onData says.
      rejectOversized: true,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: false,
      allowInsecureAuth: false,
      authRequiredMessage: `${SubmissionReply.authRequired.enhanced} ${SubmissionReply.authRequired.message}`,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: false,
      hideSMTPUTF8: true,
      hideREQUIRETLS: true,
      // A LAN without DNS would make every greeting wait for the reverse lookup to time out.
      disableReverseLookup: true,
      socketTimeout: SUBMISSION_LIMITS.socketTimeoutMs,
      closeTimeout: SUBMISSION_LIMITS.closeTimeoutMs,
      maxClients: SUBMISSION_LIMITS.maxClients,
      logger: false,
      onConnect(session, callback) {
        // RFC 1870: smtp-server reads options.size at each EHLO (SIZE), MAIL (SIZE=) and DATA.
        step(session, callback, async () => {
          server.options.size = await maxMessageSize.read();
        });
      },
      onAuth(auth: SMTPServerAuthentication, session, callback) {
        context.services.auth
          .login({
            login: auth.username ?? '',
            password: auth.password ?? '',
            protocol: 'smtp',
            remote: session.remoteAddress,
          })
          .then(
            (row) => callback(null, { user: { userId: row.id, address: row.address } satisfies Sender }),
            (error: unknown) => {
              const reply = authReply(error);
              if (!reply)
                logger.error({ err: error, session: session.id }, 'submission: login failed unexpectedly');
              callback(toServerError(reply ?? SubmissionReply.localError));
            },
          );
      },
      onMailFrom(from, session, callback) {
        step(session, callback, async () => {
          if (mode === 'starttls' && !session.secure) throw new SmtpReplyError(SubmissionReply.tlsRequired);
          const sender = senderOf(session);
          if (!sender) throw new SmtpReplyError(SubmissionReply.authRequired);
          await service.checkSender(sender, from.address);
          await service.checkSendLimit(sender);
        });
      },
      onRcptTo(to, session, callback) {
        step(session, callback, async () => {
          const most = await maxRecipients.read();
          if (session.envelope.rcptTo.length >= most) {
            throw new SmtpReplyError(SubmissionReply.tooManyRecipients(most));
          }
          (to as { local?: boolean }).local = (await service.classifyRecipient(to.address)) === 'local';
        });
      },
      onData(stream: SMTPServerDataStream, session, callback) {
        // smtp-server measures DATA against the limit it read at the DATA command;
        // once over it, nothing more is kept (and the message is refused below).
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => {
          if (!stream.sizeExceeded) chunks.push(chunk);
        });
        stream.on('error', (error) =>
          logger.warn({ err: error, session: session.id }, 'submission: DATA stream error'),
        );
        stream.on('end', () => {
          // Over the limit: smtp-server answers 552 5.3.4 itself, and nothing was kept.
          if (stream.sizeExceeded) return callback(null);
          step(session, callback, () => accept(session, Buffer.concat(chunks)));
        });
      },
    },
    mode === 'starttls',
  );

  const accept = async (session: SMTPServerSession, message: Buffer) => {
    const sender = senderOf(session);
    if (!sender) throw new SmtpReplyError(SubmissionReply.authRequired);
    const envelope = session.envelope;
    const dsn = envelope.dsn;
    await service.submit({
      sender,
      remote: session.remoteAddress,
      mailFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
      recipients: envelope.rcptTo.map((r) => ({
        address: r.address,
        local: (r as { local?: boolean }).local === true,
      })),
      message,
      dsn: dsn
        ? {
            ret: dsn.ret === 'FULL' || dsn.ret === 'HDRS' ? dsn.ret : undefined,
            envid: dsn.envid ?? undefined,
          }
        : undefined,
    });
  };

  server.on('error', (error) => logger.warn({ err: error }, 'submission: connection error'));
  const bound = await new Promise<ListenAddress>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.server.off('error', reject);
      const info = server.server.address();
      resolve(info && typeof info === 'object' ? { host: info.address, port: info.port } : address);
    });
  });
  const unsubscribe = context.tls.onChange?.((pair) =>
    server.updateSecureContext({ key: pair.keyPem, cert: pair.certPem }),
  );
  return {
    address: bound,
    close: () => {
      unsubscribe?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The reply to a refused login; undefined for an error that is not a refusal. */
function authReply(error: unknown): SmtpReply | undefined {
  if (!isCooError(error)) return undefined;
  const refusals: Partial<Record<ErrorCode, SmtpReply>> = {
    [ErrorCode.AUTH_FAILED]: SubmissionReply.authFailed,
    [ErrorCode.AUTH_THROTTLED]: SubmissionReply.authThrottled(error.message),
    [ErrorCode.AUTH_DISABLED]: SubmissionReply.accountUnusable(error.message),
    [ErrorCode.AUTH_EXPIRED]: SubmissionReply.accountUnusable(error.message),
    [ErrorCode.AUTH_NOT_YET_VALID]: SubmissionReply.accountUnusable(error.message),
  };
  return refusals[error.code];
}
