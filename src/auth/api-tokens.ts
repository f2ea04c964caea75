import { createHash, randomBytes } from 'node:crypto';
import { CooError } from '../errors.ts';
import type { UserService } from '../directory/user-service.ts';
import { accountProblem } from '../directory/validity.ts';
import { auditRecord, type Actor, type AuditSink } from '../directory/types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import * as tokens from '../store/api-tokens.ts';
import type { Store } from '../store/database.ts';
import { findUserById, type UserRow } from '../store/users.ts';

const TOKEN_PREFIX = 'coo_';

export interface ApiToken {
  id: number;
  name: string;
  /** The administrator the token acts as. */
  owner: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revoked: boolean;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Tokens for the REST admin API. Shown once at creation; only their SHA-256 is
 * kept (a token is 256 random bits, so a fast hash is enough). A token acts as
 * the admin who made it and stops working when that account does.
 */
export class ApiTokenService {
  readonly #store: Store;
  readonly #users: UserService;
  readonly #audit: AuditSink;

  constructor(deps: { store: Store; users: UserService; audit: AuditSink }) {
    this.#store = deps.store;
    this.#users = deps.users;
    this.#audit = deps.audit;
  }

  async create(name: string, owner: string, actor: Actor, expiresAt: number | null = null) {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 100) {
      throw new CooError(ErrorCode.INVALID_INPUT, 'a token needs a name of 1 to 100 characters');
    }
    const user = await this.#users.requireRow(owner);
    if (user.is_admin !== 1)
      throw new CooError(ErrorCode.AUTH_FORBIDDEN, `${user.address} is not an administrator`);
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.#store.db.transaction().execute(async (tx) => {
      const inserted = await tokens.insertApiToken(tx, {
        name: trimmed,
        token_hash: digest(token),
        user_id: user.id,
        expires_at: expiresAt,
      });
      await this.#audit.append(
        auditRecord(actor, 'token.create', trimmed, { id: inserted.id, owner: user.address }),
        tx,
      );
      return inserted;
    });
    return { token, id: row.id };
  }

  async list(): Promise<ApiToken[]> {
    return (await tokens.listApiTokens(this.#store.db)).map((row) => ({
      id: row.id,
      name: row.name,
      owner: row.address,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      revoked: row.revoked_at !== null,
    }));
  }

  async revoke(id: number, actor: Actor): Promise<void> {
    await this.#store.db.transaction().execute(async (tx) => {
      if (!(await tokens.revokeApiToken(tx, id))) {
        throw new CooError(ErrorCode.TOKEN_UNKNOWN, `no active token with id ${id}`);
      }
      await this.#audit.append(auditRecord(actor, 'token.revoke', String(id)), tx);
    });
  }

  /** The admin a bearer token acts as; throws AUTH_REQUIRED for unknown, revoked or expired tokens. */
  async authenticate(token: string, now = Date.now()): Promise<{ user: UserRow; tokenName: string }> {
    const invalid = new CooError(ErrorCode.AUTH_REQUIRED, 'invalid, revoked or expired API token');
    if (!token.startsWith(TOKEN_PREFIX)) throw invalid;
    const row = await tokens.findApiTokenByHash(this.#store.db, digest(token));
    if (!row || row.revoked_at !== null || (row.expires_at !== null && now > row.expires_at)) throw invalid;
    const user = await findUserById(this.#store.db, row.user_id);
    if (!user || user.is_admin !== 1 || accountProblem(user, now)) {
      throw new CooError(
        ErrorCode.AUTH_FORBIDDEN,
        'the administrator this token acts as can no longer administer',
      );
    }
    // Recording every use would write on every request; once a minute is enough to tell stale tokens.
    if (row.last_used_at === null || now - row.last_used_at > 60_000)
      await tokens.touchApiToken(this.#store.db, row.id, now);
    return { user, tokenName: row.name };
  }
}
