import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { inTransaction, isUniqueViolation, type Executor, type Store } from '../store/database.ts';
import * as domains from '../store/domains.ts';
import * as users from '../store/users.ts';
import { parseAddress } from './address.ts';
import type { DomainService } from './domain-service.ts';
import type { OrgService } from './org-service.ts';
import type { OrgTree } from './org-tree.ts';
import { checkUserFields, type UserFields } from './user-fields.ts';
import { auditRecord, type Actor, type AuditSink, type User } from './types.ts';

export interface UserServiceDeps {
  store: Store;
  audit: AuditSink;
  domains: DomainService;
  org: OrgService;
  /** Hashes a password that passed the policy check; the hash is what is stored. */
  hashPassword: (password: string) => Promise<string>;
  checkPasswordPolicy: (password: string) => void;
}

export type NewUser = UserFields & { displayName: string };

export function toUser(row: users.UserRow, tree: OrgTree): User {
  return {
    id: row.id,
    address: row.address,
    displayName: row.display_name,
    nameReading: row.name_reading,
    title: row.title,
    phone: row.phone,
    unit: row.unit_id === null ? null : tree.pathOf(row.unit_id),
    isAdmin: row.is_admin === 1,
    disabled: row.disabled === 1,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    quotaBytes: row.quota_bytes,
    hasPassword: row.password_hash !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Users: the one place that creates, changes and checks accounts, for every front end. */
export class UserService {
  readonly #deps: UserServiceDeps;

  constructor(deps: UserServiceDeps) {
    this.#deps = deps;
  }

  get #db(): Executor {
    return this.#deps.store.db;
  }

  /** Creates a user; `password` (plain) or `passwordHash` (already hashed) may be given. */
  async create(
    address: string,
    fields: NewUser,
    actor: Actor,
    secret: { password?: string; passwordHash?: string } = {},
    db: Executor = this.#db,
  ): Promise<User> {
    const parsed = parseAddress(address);
    const checked = checkUserFields(fields);
    const hash = await this.#hashIfGiven(secret);
    return inTransaction(db, async (tx) => {
      const domain = await domains.findDomainByName(tx, parsed.domain);
      if (!domain)
        throw new CooError(
          ErrorCode.DOMAIN_UNKNOWN,
          `unknown domain "${parsed.domain}" in ${parsed.address}`,
        );
      if (domain.alias_of !== null) {
        throw new CooError(
          ErrorCode.INVALID_INPUT,
          `${parsed.domain} is an alias domain; create the user in its main domain`,
        );
      }
      const tree = await this.#deps.org.loadTree(tx);
      const unitId = checked.unit ? tree.require(checked.unit).id : null;
      const now = Date.now();
      let row: users.UserRow;
      try {
        row = await users.insertUser(tx, {
          address: parsed.address,
          local_part: parsed.localPart,
          domain_id: domain.id,
          display_name: checked.displayName ?? '',
          name_reading: checked.nameReading ?? '',
          title: checked.title ?? '',
          phone: checked.phone ?? '',
          unit_id: unitId,
          is_admin: checked.isAdmin ? 1 : 0,
          disabled: 0,
          valid_from: checked.validFrom ?? null,
          valid_until: checked.validUntil ?? null,
          quota_bytes: checked.quotaBytes ?? null,
          password_hash: hash,
          created_at: now,
          updated_at: now,
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new CooError(ErrorCode.USER_EXISTS, `user ${parsed.address} already exists`);
        throw error;
      }
      const user = toUser(row, tree);
      await this.#deps.audit.append(
        auditRecord(actor, 'user.create', user.address, auditedFields(checked)),
        tx,
      );
      return user;
    });
  }

  async get(address: string, db: Executor = this.#db): Promise<User> {
    const row = await this.requireRow(address, db);
    return toUser(row, await this.#deps.org.loadTree(db));
  }

  async find(address: string, db: Executor = this.#db): Promise<User | undefined> {
    const row = await this.findRow(address, db);
    return row ? toUser(row, await this.#deps.org.loadTree(db)) : undefined;
  }

  /** The stored row, looked up by login (bare name or alias domain allowed). */
  async findRow(login: string, db: Executor = this.#db): Promise<users.UserRow | undefined> {
    let address: string;
    try {
      address = (await this.#deps.domains.resolveLogin(login, db)).address;
    } catch (error) {
      if (error instanceof CooError && error.code === ErrorCode.INVALID_ADDRESS) return undefined;
      throw error;
    }
    return users.findUserByAddress(db, address);
  }

  async requireRow(login: string, db: Executor = this.#db): Promise<users.UserRow> {
    const row = await this.findRow(login, db);
    if (!row) throw new CooError(ErrorCode.USER_UNKNOWN, `unknown user ${login}`);
    return row;
  }

  /** Lists users, optionally filtered by text and by unit (with its sub-units when `recursive`). */
  async list(
    query: { text?: string; unit?: string; recursive?: boolean; limit?: number; offset?: number } = {},
  ) {
    const tree = await this.#deps.org.loadTree(this.#db);
    let unitIds: number[] | undefined;
    if (query.unit) {
      const unit = tree.require(query.unit);
      unitIds = query.recursive ? tree.subtreeIds(unit.id) : [unit.id];
    }
    const rows = await users.listUsers(this.#db, { ...query, unitIds });
    return rows.map((row) => toUser(row, tree));
  }

  /** Changes the given fields; refuses to remove the last active administrator. */
  async update(address: string, fields: UserFields, actor: Actor, db: Executor = this.#db): Promise<User> {
    const checked = checkUserFields(fields);
    return inTransaction(db, async (tx) => {
      const row = await this.requireRow(address, tx);
      const tree = await this.#deps.org.loadTree(tx);
      const patch: users.UserPatch = { updated_at: Date.now() };
      if (checked.displayName !== undefined) patch.display_name = checked.displayName;
      if (checked.nameReading !== undefined) patch.name_reading = checked.nameReading;
      if (checked.title !== undefined) patch.title = checked.title;
      if (checked.phone !== undefined) patch.phone = checked.phone;
      if (checked.unit !== undefined)
        patch.unit_id = checked.unit === null ? null : tree.require(checked.unit).id;
      if (checked.isAdmin !== undefined) patch.is_admin = checked.isAdmin ? 1 : 0;
      if (checked.validFrom !== undefined) patch.valid_from = checked.validFrom;
      if (checked.validUntil !== undefined) patch.valid_until = checked.validUntil;
      if (checked.quotaBytes !== undefined) patch.quota_bytes = checked.quotaBytes;
      const from = patch.valid_from === undefined ? row.valid_from : patch.valid_from;
      const until = patch.valid_until === undefined ? row.valid_until : patch.valid_until;
      if (from !== null && until !== null && from > until) {
        throw new CooError(ErrorCode.INVALID_INPUT, 'valid-from is after valid-until');
      }
      if (checked.isAdmin === false || checked.validUntil != null) {
        await this.#keepAnAdmin(tx, row, { ...row, ...patch });
      }
      await users.updateUser(tx, row.id, patch);
      await this.#deps.audit.append(
        auditRecord(actor, 'user.update', row.address, auditedFields(checked)),
        tx,
      );
      return toUser({ ...row, ...patch }, tree);
    });
  }

  async setPassword(address: string, password: string, actor: Actor): Promise<void> {
    const hash = await this.#hashIfGiven({ password });
    await inTransaction(this.#db, async (tx) => {
      const row = await this.requireRow(address, tx);
      await users.updateUser(tx, row.id, { password_hash: hash, updated_at: Date.now() });
      await this.#deps.audit.append(auditRecord(actor, 'user.password', row.address), tx);
    });
  }

  /** Stores a rehash of the same password with current parameters (after a successful login). */
  async replacePasswordHash(userId: number, hash: string): Promise<void> {
    await users.updateUser(this.#db, userId, { password_hash: hash });
  }

  async setDisabled(address: string, disabled: boolean, actor: Actor): Promise<User> {
    return inTransaction(this.#db, async (tx) => {
      const row = await this.requireRow(address, tx);
      const next = { ...row, disabled: disabled ? 1 : 0, updated_at: Date.now() };
      if (disabled) await this.#keepAnAdmin(tx, row, next);
      await users.updateUser(tx, row.id, { disabled: next.disabled, updated_at: next.updated_at });
      await this.#deps.audit.append(
        auditRecord(actor, disabled ? 'user.disable' : 'user.enable', row.address),
        tx,
      );
      return toUser(next, await this.#deps.org.loadTree(tx));
    });
  }

  async #hashIfGiven(secret: { password?: string; passwordHash?: string }): Promise<string | null> {
    if (secret.passwordHash !== undefined) return secret.passwordHash;
    if (secret.password === undefined) return null;
    this.#deps.checkPasswordPolicy(secret.password);
    return this.#deps.hashPassword(secret.password);
  }

  /** An organisation must never lock itself out: the last usable admin stays one. */
  async #keepAnAdmin(db: Executor, before: users.UserRow, after: users.UserRow): Promise<void> {
    const wasActiveAdmin = before.is_admin === 1 && before.disabled === 0;
    const staysActiveAdmin =
      after.is_admin === 1 &&
      after.disabled === 0 &&
      (after.valid_until === null || after.valid_until > Date.now());
    if (wasActiveAdmin && !staysActiveAdmin && (await users.countActiveAdmins(db)) <= 1) {
      throw new CooError(
        ErrorCode.LAST_ADMIN,
        `${before.address} is the last administrator; make another one first`,
      );
    }
  }
}

function auditedFields(fields: UserFields): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
