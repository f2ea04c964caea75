import { isCooError } from '../../../errors.ts';
import { ErrorCode } from '../../../protocol/errors.ts';
import type { UserRow } from '../../../store/users.ts';
import { Maildrop } from '../maildrop.ts';
import { Pop3Error, Pop3ErrorCode, RespCode } from '../replies.ts';
import type { CommandSession } from './command.ts';

/** RFC 2595 §2.1: no password over a connection that is not encrypted. */
export function requirePlaintextAllowed(session: CommandSession): void {
  if (session.plaintextLoginAllowed) return;
  throw new Pop3Error(
    Pop3ErrorCode.TLS_REQUIRED,
    'plaintext login is refused on an unencrypted connection: send STLS first, or use port 995',
    RespCode.auth,
  );
}

/**
 * The end of USER/PASS and AUTH: the password through the shared login
 * service (throttling, disabled and expired accounts, audit), then the
 * maildrop lock (RFC 1939 §8) and the snapshot of the INBOX.
 */
export async function logIn(session: CommandSession, login: string, password: string): Promise<void> {
  const { services, locks } = session.deps;
  let user: UserRow;
  try {
    user = await services.auth.login({ login, password, protocol: 'pop3', remote: session.remote });
  } catch (error) {
    throw refusal(session, error);
  }
  const lock = await locks.acquire(user.id);
  if (!lock) {
    throw new Pop3Error(
      Pop3ErrorCode.IN_USE,
      `the maildrop of ${user.address} is open in another session; close that one first`,
      RespCode.inUse,
    );
  }
  let maildrop: Maildrop;
  try {
    maildrop = await Maildrop.open(services.store, user.id);
  } catch (error) {
    await lock.release();
    throw error;
  }
  session.state = { kind: 'transaction', userId: user.id, address: user.address, maildrop, lock };
  const { count, octets } = maildrop.stat();
  session.log.debug({ user: user.address, messages: count }, 'pop3: logged in');
  await session.reply(`+OK ${user.address} has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
}

/** How each refusal of the login service is answered (RFC 3206 response codes). */
const REFUSALS: ReadonlyMap<
  string,
  { code: Pop3ErrorCode; respCode: RespCode; credentials?: true; close?: true }
> = new Map([
  [ErrorCode.AUTH_FAILED, { code: Pop3ErrorCode.AUTH_FAILED, respCode: RespCode.auth, credentials: true }],
  [ErrorCode.DOMAIN_UNKNOWN, { code: Pop3ErrorCode.AUTH_FAILED, respCode: RespCode.auth, credentials: true }],
  // Retrying with the same password later may work: not [AUTH], which makes clients ask for another.
  [ErrorCode.AUTH_THROTTLED, { code: Pop3ErrorCode.THROTTLED, respCode: RespCode.sysTemp, close: true }],
  [ErrorCode.AUTH_DISABLED, { code: Pop3ErrorCode.ACCOUNT_UNAVAILABLE, respCode: RespCode.sysPerm }],
  [ErrorCode.AUTH_EXPIRED, { code: Pop3ErrorCode.ACCOUNT_UNAVAILABLE, respCode: RespCode.sysPerm }],
  [ErrorCode.AUTH_NOT_YET_VALID, { code: Pop3ErrorCode.ACCOUNT_UNAVAILABLE, respCode: RespCode.sysTemp }],
]);

/** The login service's refusal as a POP3 error; anything else is passed on as it is. */
function refusal(session: CommandSession, error: unknown): unknown {
  const refusal = isCooError(error) ? REFUSALS.get(error.code) : undefined;
  if (!refusal || !(error instanceof Error)) return error;
  if (refusal.credentials) session.authFailures++;
  if (refusal.close || session.authFailures >= session.deps.tuning.maxAuthFailures) session.end();
  return new Pop3Error(refusal.code, error.message, refusal.respCode);
}
