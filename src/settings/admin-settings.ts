import { z } from 'zod';
import type { Config } from '../config/schema.ts';
import { auditRecord, type Actor, type AuditSink } from '../directory/types.ts';
import { CooError } from '../errors.ts';
import { AUTO_AWAY_SETTING } from '../im/presence/presence-settings.ts';
import { DEFAULT_LOGIN_POLICY, LOGIN_POLICY_KEY } from '../im/sessions/login-policy.ts';
import { AUDIT_CONTENT_SETTING, AUDIT_CONTENT_VALUES } from '../im/conversations/audit-content.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { LOGIN_POLICIES } from '../protocol/im/session.ts';
import type { Store } from '../store/database.ts';
import { getSetting, putSetting } from '../store/settings.ts';
import { LIMIT_SETTINGS } from './limit-settings.ts';
import { storedLimitsOf } from './live-limits.ts';
import type { SettingDefinition, SettingScalar } from './setting-definition.ts';

/** The server settings an administrator may change at run time, without a restart. */
export const ADMIN_SETTINGS: readonly SettingDefinition[] = [
  {
    name: 'im.login-policy',
    key: LOGIN_POLICY_KEY,
    description:
      'messenger logins per person: single (a new login replaces the old session), one-per-kind (one desktop + one mobile + one web), multiple',
    schema: z.enum(LOGIN_POLICIES),
    defaultValue: DEFAULT_LOGIN_POLICY,
  },
  {
    name: 'im.audit-content',
    key: AUDIT_CONTENT_SETTING,
    description:
      'whether the audit log keeps the text of chat messages and memos: none (metadata only: who, where, size) or keep',
    schema: z.enum(AUDIT_CONTENT_VALUES),
    defaultValue: 'none',
  },
  {
    name: 'im.auto-away-minutes',
    key: AUTO_AWAY_SETTING,
    description: 'minutes without input after which a person shows as away (0: never)',
    schema: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    defaultValue: 10,
  },
  ...LIMIT_SETTINGS,
];

export interface SettingValue {
  name: string;
  value: SettingScalar;
  description: string;
  /** True when the value was never set and the default applies. */
  isDefault: boolean;
}

/**
 * Reads and changes the admin settings; every change is audited as
 * 'settings.set'. With `config`, a limit that coo.toml also has defaults to
 * the file's value; without it (a caller that reads no limit), to the
 * file's built-in default.
 */
export class AdminSettings {
  readonly #store: Store;
  readonly #audit: AuditSink;
  readonly #config: Config | undefined;

  constructor(deps: { store: Store; audit: AuditSink; config?: Config }) {
    this.#store = deps.store;
    this.#audit = deps.audit;
    this.#config = deps.config;
  }

  async get(name: string): Promise<SettingValue> {
    const definition = settingDefinition(name);
    const stored = await getSetting<unknown>(this.#store.db, definition.key);
    const parsed = stored === undefined ? undefined : definition.schema.safeParse(stored);
    const value = parsed?.success ? parsed.data : this.#defaultOf(definition);
    return { name, value, description: this.#describe(definition), isDefault: !parsed?.success };
  }

  async list(): Promise<SettingValue[]> {
    return Promise.all(ADMIN_SETTINGS.map((definition) => this.get(definition.name)));
  }

  async set(name: string, value: unknown, actor: Actor): Promise<SettingValue> {
    const definition = settingDefinition(name);
    const parsed = definition.schema.safeParse(value);
    if (!parsed.success) {
      const problem = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new CooError(ErrorCode.INVALID_INPUT, `${name}: ${problem}`, [{ field: name, message: problem }]);
    }
    await this.#store.db.transaction().execute(async (tx) => {
      await putSetting(tx, definition.key, parsed.data);
      await this.#audit.append(auditRecord(actor, 'settings.set', name, { value: parsed.data }), tx);
    });
    // The listeners of this process read the new limit at their next session, not after the cache ages.
    storedLimitsOf(this.#store).forget();
    return { name, value: parsed.data, description: this.#describe(definition), isDefault: false };
  }

  #defaultOf(definition: SettingDefinition): SettingScalar {
    if (!definition.configDefault || !this.#config) return definition.defaultValue;
    return definition.configDefault.read(this.#config);
  }

  /** A limit's description says what applies while it is unset: coo.toml's value. */
  #describe(definition: SettingDefinition): string {
    const fromConfig = definition.configDefault;
    if (!fromConfig) return definition.description;
    const value = fromConfig.format(Number(this.#defaultOf(definition)));
    return `${definition.description}; default (from config, ${fromConfig.key}): ${value}`;
  }
}

function settingDefinition(name: string): SettingDefinition {
  const definition = ADMIN_SETTINGS.find((d) => d.name === name);
  if (!definition) {
    const known = ADMIN_SETTINGS.map((d) => d.name).join(', ');
    throw new CooError(ErrorCode.NOT_FOUND, `unknown setting "${name}"; known settings: ${known}`);
  }
  return definition;
}
