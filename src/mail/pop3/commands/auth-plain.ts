import { ConnectionClosedError } from '../session-errors.ts';
import { Pop3Error, Pop3ErrorCode, Pop3Reply, RespCode } from '../replies.ts';
import type { CommandSession, Pop3Command } from './command.ts';
import { logIn, requirePlaintextAllowed } from './login.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * RFC 5034 AUTH with the PLAIN mechanism (RFC 4616), with or without an
 * initial response. Bare AUTH lists the mechanisms, as many clients expect.
 */
export const authCommand: Pop3Command = {
  keyword: 'AUTH',
  state: 'authorization',
  async run(session, _state, command) {
    const [mechanism, initial, ...extra] = command.args;
    if (mechanism === undefined) {
      const list = session.plaintextLoginAllowed ? ['PLAIN'] : [];
      await session.send([
        Buffer.from(['+OK SASL mechanisms follow', ...list, '.', ''].join('\r\n'), 'latin1'),
      ]);
      return;
    }
    if (mechanism.toUpperCase() !== 'PLAIN') {
      throw new Pop3Error(
        Pop3ErrorCode.AUTH_MECHANISM,
        `unsupported SASL mechanism; this server offers PLAIN`,
      );
    }
    if (extra.length > 0)
      throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'AUTH PLAIN takes at most one initial response');
    requirePlaintextAllowed(session);
    // RFC 5034 §4: "=" is an empty initial response; without one the server asks with "+ ".
    const response = initial ?? (await askForResponse(session));
    const { login, password } = decodePlain(response === '=' ? '' : response);
    await logIn(session, login, password);
  },
};

async function askForResponse(session: CommandSession): Promise<string> {
  await session.reply(Pop3Reply.saslContinue);
  const line = await session.nextLine();
  if (!line) throw new ConnectionClosedError();
  if (line.kind !== 'line') {
    throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'the SASL response is not valid base64');
  }
  const text = line.text.trim();
  // RFC 5034 §4: "*" cancels the exchange.
  if (text === '*') throw new Pop3Error(Pop3ErrorCode.AUTH_CANCELLED, 'authentication cancelled');
  return text;
}

/** RFC 4616 §2: [authzid] NUL authcid NUL passwd, in UTF-8; logging in as someone else is not offered. */
export function decodePlain(base64: string): { login: string; password: string } {
  if (!BASE64.test(base64)) {
    throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'the SASL response is not valid base64');
  }
  const parts = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  const [authzid, login, password] = parts;
  if (parts.length !== 3 || authzid === undefined || !login || password === undefined) {
    throw new Pop3Error(Pop3ErrorCode.SYNTAX, 'a PLAIN response is [authzid] NUL name NUL password');
  }
  if (authzid !== '' && authzid.toLowerCase() !== login.toLowerCase()) {
    throw new Pop3Error(
      Pop3ErrorCode.AUTH_FAILED,
      'logging in as another user (authorization identity) is not allowed',
      RespCode.auth,
    );
  }
  return { login, password };
}
