import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SubmissionReply, type SmtpReply } from './replies.ts';

type Connection = SMTPServer['connections'] extends Set<infer C> ? C : never;

// RFC 3463 §2: class.subject.detail at the start of a reply text.
const LEADING_ENHANCED_CODE = /^[245]\.\d{1,3}\.\d{1,3} /;

/**
 * smtp-server with two changes to what it writes, made per connection:
 *
 * - Replies of ours carry their own enhanced code (RFC 3463) at the start of
 *   the text; smtp-server would put its fixed one per reply code in front
 *   (550 is always 5.1.1 to it), so such a reply is written as it is.
 * - `tlsBeforeAuth`: until TLS is up, EHLO does not offer AUTH (RFC 4954 §4:
 *   no mechanism that sends a password in the clear), and the refusals of
 *   AUTH or MAIL say that STARTTLS comes first (RFC 3207 §4).
 */
export class TunedSmtpServer extends SMTPServer {
  constructor(options: SMTPServerOptions, tlsBeforeAuth: boolean) {
    super(options);
    this.connections = new TunedConnections(tlsBeforeAuth);
  }
}

class TunedConnections extends Set<Connection> {
  readonly #tlsBeforeAuth: boolean;

  constructor(tlsBeforeAuth: boolean) {
    super();
    this.#tlsBeforeAuth = tlsBeforeAuth;
  }

  override add(connection: Connection): this {
    tuneReplies(connection, this.#tlsBeforeAuth);
    return super.add(connection);
  }
}

function tuneReplies(connection: Connection, tlsBeforeAuth: boolean): void {
  const send = connection.send.bind(connection);
  const write = (reply: SmtpReply) => send(reply.code, `${reply.enhanced} ${reply.message}`, false);
  connection.send = (code, data, context) => {
    if (tlsBeforeAuth && !connection.secure) {
      if (Array.isArray(data) && code === 250) {
        send(
          code,
          data.filter((line) => !/^AUTH\b/i.test(line)),
          context,
        );
        return;
      }
      // 538: smtp-server's own code for AUTH before STARTTLS; 530: MAIL/RCPT/DATA before AUTH.
      if (code === 538 || code === 530) return write(SubmissionReply.tlsRequired);
    }
    if (typeof data === 'string' && LEADING_ENHANCED_CODE.test(data)) return send(code, data, false);
    send(code, data, context);
  };
}
