import { isCooError } from '../../../errors.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import { ensureDefaultMailboxes } from '../../../store/mailboxes.ts';
import type { UserRow } from '../../../store/users.ts';
import { capabilityLine } from '../capabilities.ts';
import { ImapError, ImapErrorId } from '../imap-error.ts';
import { frameText } from '../protocol/command-parser.ts';
import { ConnectionClosedError } from '../session.ts';
import { command, type CommandSession } from './command.ts';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** RFC 9051 §6.2.3 LOGIN */
export const loginCommand = command({
  names: ['LOGIN'],
  state: 'not-authenticated',
  async run(session, _state, { user, password }) {
    requirePlaintextAllowed(session);
    return logIn(session, user, password);
  },
});

/** RFC 9051 §6.2.2 AUTHENTICATE with PLAIN (RFC 4616), with or without an initial response (RFC 4959). */
export const authenticateCommand = command({
  names: ['AUTHENTICATE'],
  state: 'not-authenticated',
  async run(session, _state, { mechanism, initialResponse }) {
    if (mechanism.toUpperCase() !== 'PLAIN') {
      throw new ImapError(
        'NO',
        ImapErrorId.AUTH_MECHANISM,
        'unsupported SASL mechanism; this server offers PLAIN',
        'CANNOT',
      );
    }
    requirePlaintextAllowed(session);
    const response = initialResponse ?? (await askForResponse(session));
    const { login, password } = decodePlain(response === '=' ? '' : response);
    return logIn(session, login, password);
  },
});

function requirePlaintextAllowed(session: CommandSession): void {
  if (session.plaintextLoginAllowed) return;
  throw new ImapError(
    'NO',
    ImapErrorId.TLS_REQUIRED,
    'login is disabled on an unencrypted connection: use STARTTLS first, or port 993',
    'PRIVACYREQUIRED',
  );
}

async function askForResponse(session: CommandSession): Promise<string> {
  await session.continuation('');
  const frame = await session.nextFrame();
  if (!frame) throw new ConnectionClosedError();
  const text = frameText(frame).trim();
  // RFC 9051 §6.2.2: "*" cancels the exchange.
  if (text === '*') throw new ImapError('BAD', ImapErrorId.AUTH_CANCELLED, 'authentication cancelled');
  return text;
}

/** RFC 4616 §2: [authzid] NUL authcid NUL passwd, in UTF-8; logging in as someone else is not offered. */
function decodePlain(base64: string): { login: string; password: string } {
  if (!BASE64.test(base64))
    throw new ImapError('BAD', ImapErrorId.SYNTAX, 'the SASL response is not valid base64');
  const parts = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  const [authzid, login, password] = parts;
  if (parts.length !== 3 || authzid === undefined || !login || password === undefined) {
    throw new ImapError('BAD', ImapErrorId.SYNTAX, 'a PLAIN response is [authzid] NUL name NUL password');
  }
  if (authzid !== '' && authzid.toLowerCase() !== login.toLowerCase()) {
    throw new ImapError(
      'NO',
      ImapErrorId.AUTH_FAILED,
      'logging in as another user (authorization identity) is not allowed',
      'AUTHORIZATIONFAILED',
    );
  }
  return { login, password };
}

/** The password through the shared login service (throttling, disabled and expired accounts, audit). */
async function logIn(session: CommandSession, login: string, password: string): Promise<string> {
  const { services } = session.deps;
  let user: UserRow;
  try {
    user = await services.auth.login({ login, password, protocol: 'imap', remote: session.remote });
  } catch (error) {
    throw refusal(session, error);
  }
  await ensureDefaultMailboxes(services.store.db, user.id, Date.now());
  session.state = { kind: 'authenticated', user: { id: user.id, address: user.address } };
  session.setAppendLimit(await session.deps.appendLimit.read());
  session.setIdleTimeout(session.deps.tuning.idleTimeoutMs);
  session.log = session.log.child({ user: user.address });
  session.log.debug('imap: logged in');
  return `[CAPABILITY ${capabilityLine(session)}] ${user.address} logged in`;
}

/** How each refusal of the login service is answered (RFC 5530 response codes). */
const REFUSALS: ReadonlyMap<string, { code: string; id: ImapErrorId; credentials?: true; close?: true }> =
  new Map([
    [ErrorCode.AUTH_FAILED, { code: 'AUTHENTICATIONFAILED', id: ImapErrorId.AUTH_FAILED, credentials: true }],
    [
      ErrorCode.DOMAIN_UNKNOWN,
      { code: 'AUTHENTICATIONFAILED', id: ImapErrorId.AUTH_FAILED, credentials: true },
    ],
    [ErrorCode.AUTH_THROTTLED, { code: 'UNAVAILABLE', id: ImapErrorId.THROTTLED, close: true }],
    [ErrorCode.AUTH_DISABLED, { code: 'CONTACTADMIN', id: ImapErrorId.ACCOUNT_UNAVAILABLE }],
    [ErrorCode.AUTH_EXPIRED, { code: 'EXPIRED', id: ImapErrorId.ACCOUNT_UNAVAILABLE }],
    [ErrorCode.AUTH_NOT_YET_VALID, { code: 'UNAVAILABLE', id: ImapErrorId.ACCOUNT_UNAVAILABLE }],
  ]);

function refusal(session: CommandSession, error: unknown): unknown {
  const refusal = isCooError(error) ? REFUSALS.get(error.code) : undefined;
  if (!refusal || !(error instanceof Error)) return error;
  if (refusal.credentials) session.authFailures++;
  if (refusal.close || session.authFailures >= session.deps.tuning.maxAuthFailures) session.end();
  return new ImapError('NO', refusal.id, error.message, refusal.code);
}
