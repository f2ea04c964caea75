/**
 * Drives an SMTP server with python3's smtplib, a real client that mail
 * scripts use, step by step; each step's reply comes back as [code, text]
 * (a refusal included), so tests can check every one.
 *
 *   const replies = await pythonSmtp(caFile, [
 *     ['connect', port], ['ehlo'], ['starttls'], ['ehlo'], ['login', user, password, 'PLAIN'],
 *     ['mail', from], ['rcpt', to], ['data', message], ['quit'],
 *   ]);
 *   // 'connect_ssl' for implicit TLS, 'docmd' for a raw command, 'sendmail' for the whole transaction
 *
 * It runs in a child process (execFile), so a server in this process keeps answering.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export type SmtpStep =
  | ['connect', number]
  | ['connect_ssl', number]
  | ['ehlo']
  | ['starttls']
  | ['login', string, string, ('PLAIN' | 'LOGIN')?]
  | ['docmd', string]
  | ['mail', string]
  | ['rcpt', string]
  | ['data', string]
  | ['sendmail', string, string[], string]
  | ['quit'];

/** [code, text] of a reply; for ehlo also the extensions; for sendmail the refused recipients. */
export type StepReply = [number, string, unknown?];

const DRIVER = String.raw`
import json, smtplib, ssl, sys
steps = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=sys.argv[2])
out = []
s = None
def text(b):
    return b.decode('utf-8', 'replace') if isinstance(b, bytes) else str(b)
for step in steps:
    op = step[0]
    try:
        if op == 'connect':
            s = smtplib.SMTP(timeout=15)
            s._host = '127.0.0.1'  # the name TLS checks the certificate against
            code, msg = s.connect('127.0.0.1', step[1])
            out.append([code, text(msg)])
        elif op == 'connect_ssl':
            s = smtplib.SMTP_SSL(context=ctx, timeout=15)
            s._host = '127.0.0.1'
            code, msg = s.connect('127.0.0.1', step[1])
            out.append([code, text(msg)])
        elif op == 'ehlo':
            code, msg = s.ehlo()
            out.append([code, text(msg), sorted(s.esmtp_features.keys())])
        elif op == 'starttls':
            code, msg = s.starttls(context=ctx)
            out.append([code, text(msg)])
        elif op == 'login':
            s.user, s.password = step[1], step[2]
            mech = step[3] if len(step) > 3 and step[3] else 'PLAIN'
            code, msg = s.auth(mech, getattr(s, 'auth_' + mech.lower()), initial_response_ok=(mech == 'PLAIN'))
            out.append([code, text(msg)])
        elif op == 'docmd':
            code, msg = s.docmd(step[1])
            out.append([code, text(msg)])
        elif op == 'mail':
            code, msg = s.mail(step[1])
            out.append([code, text(msg)])
        elif op == 'rcpt':
            code, msg = s.rcpt(step[1])
            out.append([code, text(msg)])
        elif op == 'data':
            code, msg = s.data(step[1].encode('utf-8'))
            out.append([code, text(msg)])
        elif op == 'sendmail':
            refused = s.sendmail(step[1], step[2], step[3].encode('utf-8'))
            out.append([250, 'sent', {k: [v[0], text(v[1])] for k, v in refused.items()}])
        elif op == 'quit':
            code, msg = s.quit()
            out.append([code, text(msg)])
    except smtplib.SMTPRecipientsRefused as e:
        out.append([0, 'recipients refused', {k: [v[0], text(v[1])] for k, v in e.recipients.items()}])
    except smtplib.SMTPResponseException as e:
        out.append([e.smtp_code, text(e.smtp_error)])
    except smtplib.SMTPNotSupportedError as e:
        out.append([-1, 'not supported: ' + str(e)])
    except Exception as e:
        out.append([-2, type(e).__name__ + ': ' + str(e)])
print(json.dumps(out))
`;

export async function pythonSmtp(caFile: string, steps: SmtpStep[]): Promise<StepReply[]> {
  const { stdout } = await promisify(execFile)('python3', ['-c', DRIVER, JSON.stringify(steps), caFile], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout) as StepReply[];
}

/** A minimal RFC 5322 message with CRLF line ends. */
export function rfc5322(
  fields: { from: string; to: string; subject?: string; extra?: string[] },
  body = 'Hello.',
): string {
  return [
    `From: ${fields.from}`,
    `To: ${fields.to}`,
    `Subject: ${fields.subject ?? 'test'}`,
    ...(fields.extra ?? []),
    '',
    body,
    '',
  ].join('\r\n');
}
