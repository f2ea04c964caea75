/**
 * A receiving SMTP server for queue tests, built with smtp-server: it keeps
 * every message it accepts, and its answers are programmable per
 * recipient. With `tls`, it offers STARTTLS (or speaks implicit TLS with
 * `secure`) with the given certificate; with `auth`, it requires AUTH.
 *
 *   const sink = await startSmtpSink({ tls?, secure?, auth?, rcptReply?, dataReply? })
 *   sink.port, sink.messages ({ from, to, data, secure, user }), sink.sessions
 *   await sink.waitForMessages(n)
 *   await sink.close()
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface SinkMessage {
  from: string;
  to: string[];
  data: string;
  /** True when the message came over TLS (STARTTLS or implicit). */
  secure: boolean;
  user?: string;
}

export interface SinkReply {
  code: number;
  message: string;
}

export interface SmtpSinkOptions {
  tls?: { key: string; cert: string };
  secure?: boolean;
  /** Required credentials; AUTH is offered only then. */
  auth?: { user: string; pass: string };
  /** The reply to a RCPT TO, or undefined to accept. */
  rcptReply?: (address: string) => SinkReply | undefined;
  /** The reply to the message, or undefined to accept. */
  dataReply?: (message: SinkMessage) => SinkReply | undefined;
  /** Waits this long before answering the message (a slow server). */
  holdMs?: number;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  /** Connections seen, for counting attempts. */
  connections: number;
  /** The most connections open at the same time. */
  maxConcurrent: number;
  waitForMessages(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

const fail = (reply: SinkReply) => Object.assign(new Error(reply.message), { responseCode: reply.code });

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  let connections = 0;
  let open = 0;
  let maxConcurrent = 0;
  const serverOptions: SMTPServerOptions = {
    secure: options.secure ?? false,
    key: options.tls?.key,
    cert: options.tls?.cert,
    hideSTARTTLS: !options.tls,
    disableReverseLookup: true,
    logger: false,
    authOptional: !options.auth,
    authMethods: options.auth ? ['PLAIN', 'LOGIN'] : [],
    allowInsecureAuth: !options.tls,
    size: 50 * 1024 * 1024,
    onConnect(_session, callback) {
      connections++;
      open++;
      maxConcurrent = Math.max(maxConcurrent, open);
      callback();
    },
    onClose() {
      open--;
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        callback(null, { user: auth.username });
      } else {
        callback(fail({ code: 535, message: '5.7.8 bad credentials' }));
      }
    },
    onRcptTo(to, _session, callback) {
      const reply = options.rcptReply?.(to.address);
      callback(reply ? fail(reply) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const message: SinkMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
        };
        const answer = () => {
          const reply = options.dataReply?.(message);
          if (reply) return callback(fail(reply));
          messages.push(message);
          callback(null);
        };
        if (options.holdMs) setTimeout(answer, options.holdMs);
        else answer();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    port,
    messages,
    get connections() {
      return connections;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    async waitForMessages(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`the sink got ${messages.length} of ${count} messages`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
