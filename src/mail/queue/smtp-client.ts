import net from 'node:net';
import type { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { AttemptError, resultOfReply, type RecipientResult } from './attempt-result.ts';

/** One server to hand a message to. */
export interface SmtpTarget {
  /** Where to connect: an address (MX delivery) or a name (smarthost). */
  host: string;
  port: number;
  /** The server's name: SNI, and the Remote-MTA of a DSN. */
  name: string;
  /**
   * opportunistic: STARTTLS when offered, never verified, plain text when it
   * fails (Postfix's "may"); starttls: required; implicit: TLS from the first
   * byte (port 465); none: plain text.
   */
  tls: 'opportunistic' | 'starttls' | 'implicit' | 'none';
  verifyTls: boolean;
  auth?: { user: string; pass: string };
}

export interface SmtpTimeouts {
  connectMs: number;
  greetingMs: number;
  /** Inactivity on the connection. */
  socketMs: number;
  /** The whole attempt, however slowly the server trickles. */
  attemptMs: number;
}

// RFC 5321 §4.5.3.2 gives a client 5 minutes per command; a slow server may take that.
export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = {
  connectMs: 30_000,
  greetingMs: 5 * 60_000,
  socketMs: 5 * 60_000,
  attemptMs: 15 * 60_000,
};

export interface SmtpMessage {
  heloName: string;
  /** "" for a bounce (MAIL FROM:<>). */
  from: string;
  to: readonly string[];
  size: number;
  /** Opened only once the envelope is accepted. */
  open: () => Promise<Readable>;
  dsn?: { ret?: 'FULL' | 'HDRS'; envid?: string };
  /** Aborted at shutdown: the connection is closed and the attempt counts as unreachable. */
  signal?: AbortSignal;
}

/**
 * The outcome of one SMTP session: a result per recipient when the server
 * answered the transaction, or `unreachable` when it never got that far
 * (refused, timed out, broken TLS, a 4xx/5xx greeting), so the next address
 * or MX is tried.
 */
export type SmtpOutcome =
  | { kind: 'answered'; results: Map<string, RecipientResult> }
  | { kind: 'unreachable'; error: AttemptError; tlsFailed: boolean };

interface NodemailerError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  recipient?: string;
  rejectedErrors?: NodemailerError[];
}

/** Delivers one message to one server; never throws. */
export async function sendOverSmtp(
  target: SmtpTarget,
  message: SmtpMessage,
  timeouts: SmtpTimeouts = DEFAULT_SMTP_TIMEOUTS,
): Promise<SmtpOutcome> {
  // RFC 6066 §3: SNI carries a host name, never an address.
  const servername = net.isIP(target.name) ? undefined : target.name;
  const connection = new SMTPConnection({
    host: target.host,
    port: target.port,
    name: message.heloName,
    secure: target.tls === 'implicit',
    requireTLS: target.tls === 'starttls',
    ignoreTLS: target.tls === 'none',
    opportunisticTLS: target.tls === 'opportunistic',
    servername,
    tls: { rejectUnauthorized: target.verifyTls, servername },
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    socketCloseTimeout: 0,
    logger: false,
  });
  let stage: 'connect' | 'auth' | 'send' = 'connect';
  const broken = new Promise<never>((_resolve, reject) => {
    connection.on('error', reject);
    connection.once('end', () =>
      reject(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' })),
    );
  });
  broken.catch(() => undefined);
  const deadline = setTimeout(() => connection.close(), timeouts.attemptMs);
  const abort = () => connection.close();
  message.signal?.addEventListener('abort', abort, { once: true });
  try {
    if (message.signal?.aborted) throw Object.assign(new Error('shutting down'), { code: 'EABORT' });
    await Promise.race([
      new Promise<void>((resolve, reject) => connection.connect((e) => (e ? reject(e) : resolve()))),
      broken,
    ]);
    if (target.auth) {
      stage = 'auth';
      const auth = target.auth;
      await Promise.race([
        new Promise<void>((resolve, reject) =>
          connection.login({ user: auth.user, pass: auth.pass }, (e) => (e ? reject(e) : resolve())),
        ),
        broken,
      ]);
    }
    stage = 'send';
    const stream = await message.open();
    const info = await Promise.race([
      new Promise<SMTPConnection.SentMessageInfo>((resolve, reject) =>
        connection.send(
          {
            from: message.from,
            to: [...message.to],
            size: message.size,
            use8BitMime: true,
            dsn: message.dsn ? { ret: message.dsn.ret ?? null, envid: message.dsn.envid ?? null } : undefined,
          },
          stream,
          (e, sent) => (e || !sent ? reject(e ?? new Error('no answer')) : resolve(sent)),
        ),
      ),
      broken,
    ]);
    connection.quit();
    return { kind: 'answered', results: sentResults(target, message, info) };
  } catch (error) {
    connection.close();
    return failureOutcome(target, message, stage, error as NodemailerError);
  } finally {
    clearTimeout(deadline);
    message.signal?.removeEventListener('abort', abort);
  }
}

function sentResults(
  target: SmtpTarget,
  message: SmtpMessage,
  info: SMTPConnection.SentMessageInfo,
): Map<string, RecipientResult> {
  const results = new Map<string, RecipientResult>();
  const delivered = resultOfReply(info.response || '250 accepted', target.name);
  for (const recipient of message.to) results.set(recipient, delivered);
  for (const rejected of (info.rejectedErrors ?? []) as NodemailerError[]) {
    if (rejected.recipient) results.set(rejected.recipient, replyResult(target, rejected));
  }
  return results;
}

function failureOutcome(
  target: SmtpTarget,
  message: SmtpMessage,
  stage: 'connect' | 'auth' | 'send',
  error: NodemailerError,
): SmtpOutcome {
  const code = error.code ?? '';
  const all = (result: RecipientResult): SmtpOutcome => ({
    kind: 'answered',
    results: new Map(message.to.map((recipient) => [recipient, result])),
  });
  if (stage === 'send' && (code === 'EENVELOPE' || code === 'EMESSAGE')) {
    if (error.responseCode === undefined) {
      // Refused before asking the server: the message is over its advertised SIZE (RFC 1870).
      return all({ kind: 'failed', status: '5.3.4', diagnostic: error.message, remoteMta: target.name });
    }
    if (error.command === 'RCPT TO' && error.rejectedErrors?.length) {
      const results = new Map<string, RecipientResult>();
      for (const recipient of message.to) results.set(recipient, replyResult(target, error));
      for (const rejected of error.rejectedErrors) {
        if (rejected.recipient) results.set(rejected.recipient, replyResult(target, rejected));
      }
      return { kind: 'answered', results };
    }
    return all(replyResult(target, error));
  }
  if (stage === 'auth') {
    // A wrong smarthost password is the admin's to fix: keep the mail queued meanwhile.
    const reply = error.response ? `: ${error.response}` : '';
    return all({
      kind: 'deferred',
      status: '4.7.0',
      diagnostic: `x-coo; ${target.name} refused the login${reply}`,
      remoteMta: target.name,
    });
  }
  const why = error.response ?? error.message;
  return {
    kind: 'unreachable',
    error: new AttemptError(
      false,
      '4.4.1',
      `cannot deliver through ${target.name} [${target.host}]: ${why}`,
      target.name,
    ),
    tlsFailed: code === 'ETLS',
  };
}

function replyResult(target: SmtpTarget, error: NodemailerError): RecipientResult {
  return resultOfReply(error.response ?? `451 4.4.0 ${error.message}`, target.name);
}
