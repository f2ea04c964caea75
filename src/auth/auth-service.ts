import { CooError } from '../errors.ts';
import type { AuthConfig } from '../config/schema.ts';
import type { UserService } from '../directory/user-service.ts';
import { accountProblem } from '../directory/validity.ts';
import { auditRecord, type AuditSink } from '../directory/types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { UserRow } from '../store/users.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { burnPasswordTime, hashPassword, passwordParamsFromConfig, verifyPassword } from './password.ts';

export interface LoginAttempt {
  /** What the person typed: name@domain, or a bare name in the default domain. */
  login: string;
  password: string;
  /** Which front end asks: http, ws, smtp, submission, imap, pop3, cli. */
  protocol: string;
  remote: string;
}

const WRONG_CREDENTIALS = 'wrong address or password';

/**
 * The one password check behind every protocol: throttling per account and
 * per remote address, the password hash, disabled and validity checks, and an
 * audit entry for every attempt, whatever its outcome.
 */
export class AuthService {
  readonly #users: UserService;
  readonly #audit: AuditSink;
  readonly #throttle: LoginThrottle;
  readonly #config: AuthConfig;

  constructor(deps: { users: UserService; audit: AuditSink; throttle: LoginThrottle; config: AuthConfig }) {
    this.#users = deps.users;
    this.#audit = deps.audit;
    this.#throttle = deps.throttle;
    this.#config = deps.config;
  }

  /** Hashes a new password with the configured parameters. */
  hash(password: string): Promise<string> {
    return hashPassword(password, passwordParamsFromConfig(this.#config));
  }

  async login(attempt: LoginAttempt): Promise<UserRow> {
    const params = passwordParamsFromConfig(this.#config);
    const row = await this.#users.findRow(attempt.login);
    const account = row?.address ?? attempt.login.trim().toLowerCase();
    try {
      await this.#throttle.check(account, attempt.remote);
    } catch (error) {
      await this.#record(attempt, account, 'failure', 'throttled');
      throw error;
    }
    if (!row?.password_hash) {
      await burnPasswordTime(attempt.password, params);
      await this.#throttle.recordFailure(account, attempt.remote);
      await this.#record(attempt, account, 'failure', row ? 'no-password' : 'unknown-user');
      throw new CooError(ErrorCode.AUTH_FAILED, WRONG_CREDENTIALS);
    }
    const check = await verifyPassword(attempt.password, row.password_hash, params);
    if (!check.ok) {
      await this.#throttle.recordFailure(account, attempt.remote);
      await this.#record(attempt, account, 'failure', 'wrong-password');
      throw new CooError(ErrorCode.AUTH_FAILED, WRONG_CREDENTIALS);
    }
    // The password is right, so saying why the account cannot log in reveals nothing.
    const problem = accountProblem(row);
    if (problem) {
      await this.#record(attempt, account, 'failure', problem.code);
      throw new CooError(problem.code, problem.message);
    }
    await this.#throttle.recordSuccess(account, attempt.remote);
    if (check.needsRehash) await this.#users.replacePasswordHash(row.id, await this.hash(attempt.password));
    await this.#record(attempt, account, 'success');
    return row;
  }

  async #record(attempt: LoginAttempt, account: string, outcome: 'success' | 'failure', reason?: string) {
    const actor = { name: account, protocol: attempt.protocol, remote: attempt.remote };
    await this.#audit.append(auditRecord(actor, 'auth.login', account, reason ? { reason } : {}, outcome));
  }
}
