import { createHash, randomBytes } from 'node:crypto';
import type { Directory } from '../../directory/index.ts';
import { auditRecord, type Actor, type AuditSink } from '../../directory/types.ts';
import { accountProblem } from '../../directory/validity.ts';
import { CooError, isCooError } from '../../errors.ts';
import { BOT_NAME_PATTERN } from '../../protocol/bots.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import * as bots from '../../store/bots.ts';
import { inTransaction, type Store } from '../../store/database.ts';
import { findUserById } from '../../store/users.ts';

const TOKEN_PREFIX = 'coob_';

export interface Bot {
  name: string;
  address: string;
  displayName: string;
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Who a bot token speaks for: the bot and the account it sends as. */
export interface BotIdentity {
  botId: number;
  name: string;
  userId: number;
  address: string;
}

export interface BotServiceDeps {
  store: Store;
  audit: AuditSink;
  directory: Directory;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function checkName(name: string): string {
  const trimmed = name.trim().toLowerCase();
  if (!BOT_NAME_PATTERN.test(trimmed)) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `"${name.slice(0, 40)}" is not a bot name: 1 to 32 of a-z, 0-9 and "-", not starting with "-"`,
      [{ field: 'name', message: 'use 1 to 32 of a-z, 0-9 and "-"' }],
    );
  }
  return trimmed;
}

/**
 * Bots of the integration API. A bot sends as an account of its own,
 * NAME@<default domain>, with no password (it cannot log in); its token is
 * shown once and kept as SHA-256, like API tokens. Removing a bot ends its
 * token at once and disables its account, which stays so history still
 * names the sender; adding the name again revives both with a new token.
 */
export class BotService {
  readonly #deps: BotServiceDeps;

  constructor(deps: BotServiceDeps) {
    this.#deps = deps;
  }

  async create(
    name: string,
    displayName: string | undefined,
    actor: Actor,
  ): Promise<{ bot: Bot; token: string }> {
    const checked = checkName(name);
    const shownName = displayName?.trim() || checked;
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const { store, audit, directory } = this.#deps;
    const existing = await bots.findBotByName(store.db, checked);
    if (existing && existing.removed_at === null) {
      throw new CooError(ErrorCode.BOT_EXISTS, `bot "${checked}" already exists`);
    }
    if (existing) {
      const user = await findUserById(store.db, existing.user_id);
      if (!user) throw new Error(`bot ${checked}: its account ${existing.user_id} is missing`);
      await inTransaction(store.db, async (tx) => {
        if (!(await bots.reviveBot(tx, existing.id, digest(token), actor.name))) {
          throw new CooError(ErrorCode.BOT_EXISTS, `bot "${checked}" already exists`);
        }
        await directory.users.update(user.address, { displayName: shownName }, actor, tx);
        await audit.append(
          auditRecord(actor, 'bot.create', checked, { address: user.address, revived: true }),
          tx,
        );
      });
      await directory.users.setDisabled(user.address, false, actor);
      return { bot: await this.#view(checked), token };
    }
    const address = `${checked}@${await this.#defaultDomain()}`;
    try {
      await inTransaction(store.db, async (tx) => {
        const user = await directory.users.create(address, { displayName: shownName }, actor, {}, tx);
        await bots.insertBot(tx, {
          name: checked,
          token_hash: digest(token),
          user_id: user.id,
          created_by: actor.name,
        });
        await audit.append(auditRecord(actor, 'bot.create', checked, { address }), tx);
      });
    } catch (error) {
      if (isCooError(error) && error.code === ErrorCode.USER_EXISTS) {
        throw new CooError(ErrorCode.USER_EXISTS, `${address} is taken by a user; choose another bot name`);
      }
      throw error;
    }
    return { bot: await this.#view(checked), token };
  }

  async list(): Promise<Bot[]> {
    return (await bots.listBots(this.#deps.store.db)).map(toBot);
  }

  async remove(name: string, actor: Actor): Promise<void> {
    const { store, audit, directory } = this.#deps;
    const checked = name.trim().toLowerCase();
    const row = await bots.findBotByName(store.db, checked);
    const user = row ? await findUserById(store.db, row.user_id) : undefined;
    if (!row || !user || row.removed_at !== null) {
      throw new CooError(ErrorCode.BOT_UNKNOWN, `no bot "${name.slice(0, 40)}"`);
    }
    await inTransaction(store.db, async (tx) => {
      if (!(await bots.removeBot(tx, row.id)))
        throw new CooError(ErrorCode.BOT_UNKNOWN, `no bot "${checked}"`);
      await audit.append(auditRecord(actor, 'bot.remove', checked, { address: user.address }), tx);
    });
    // The token is dead already; the account is disabled after, on its own.
    await directory.users.setDisabled(user.address, true, actor);
  }

  /**
   * The bot a bearer token belongs to. AUTH_REQUIRED (401) for an unknown or
   * removed bot; its account's problem (disabled, expired) otherwise.
   */
  async authenticate(token: string, now = Date.now()): Promise<BotIdentity> {
    const invalid = new CooError(ErrorCode.AUTH_REQUIRED, 'invalid or revoked bot token');
    if (!token.startsWith(TOKEN_PREFIX)) throw invalid;
    const { store } = this.#deps;
    const row = await bots.findBotByTokenHash(store.db, digest(token));
    const user = row ? await findUserById(store.db, row.user_id) : undefined;
    if (!row || !user) throw invalid;
    const problem = accountProblem(user, now);
    if (problem) throw new CooError(problem.code, `bot ${row.name}: ${problem.message}`);
    // Recording every use would write on every post; once a minute tells stale bots.
    if (row.last_used_at === null || now - row.last_used_at > 60_000)
      await bots.touchBot(store.db, row.id, now);
    return { botId: row.id, name: row.name, userId: user.id, address: user.address };
  }

  async #view(name: string): Promise<Bot> {
    const row = (await bots.listBots(this.#deps.store.db)).find((bot) => bot.name === name);
    if (!row) throw new Error(`bot ${name} vanished`);
    return toBot(row);
  }

  async #defaultDomain(): Promise<string> {
    const domains = await this.#deps.directory.domains.list();
    const domain = domains.find((d) => d.isDefault) ?? domains.find((d) => d.aliasOf === null);
    if (!domain)
      throw new CooError(ErrorCode.DOMAIN_UNKNOWN, 'there is no domain to give the bot an address in');
    return domain.name;
  }
}

function toBot(row: bots.BotWithUser): Bot {
  return {
    name: row.name,
    address: row.address,
    displayName: row.display_name,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
