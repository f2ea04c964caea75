import type { z } from 'zod';
import { parseAddress } from '../../directory/address.ts';
import { auditRecord, type Actor } from '../../directory/types.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { CoreServices } from '../../services.ts';
import { inTransaction } from '../../store/database.ts';
import {
  deleteForwarding,
  deleteMailRule,
  findForwarding,
  insertMailRule,
  listMailRules,
  putForwarding,
} from '../../store/mail-delivery.ts';
import {
  autoreplyParams,
  blockParams,
  fileParams,
  MAIL_RULE_KINDS,
  ruleFromRow,
  type MailRule,
  type MailRuleKind,
} from './rules.ts';

/** A user's forwarding, as the CLI and the REST API show it. */
export interface MailForwarding {
  target: string;
  keepCopy: boolean;
  updatedAt: number;
}

/** A rule to add: its kind and its parameters (checked against the kind's schema). */
export interface NewMailRule {
  kind: string;
  params: unknown;
}

/** Users may add this many rules: a list to read, not a spam filter language. */
export const MAX_RULES_PER_USER = 100;

/**
 * Forwarding and delivery rules of a user: the one place the CLI (`coo
 * mail …`) and the REST API (/users/{address}/mail/…) change them, with the
 * same checks and an audit entry per change.
 */
export class MailSettingsService {
  readonly #services: CoreServices;

  constructor(services: CoreServices) {
    this.#services = services;
  }

  async forwarding(address: string): Promise<MailForwarding | undefined> {
    const user = await this.#services.directory.users.requireRow(address);
    const row = await findForwarding(this.#services.store.db, user.id);
    return row ? { target: row.target, keepCopy: row.keep_copy === 1, updatedAt: row.updated_at } : undefined;
  }

  async setForwarding(
    address: string,
    input: { target: string; keepCopy: boolean },
    actor: Actor,
  ): Promise<MailForwarding> {
    const target = parseAddress(input.target).address;
    return inTransaction(this.#services.store.db, async (tx) => {
      const user = await this.#services.directory.users.requireRow(address, tx);
      const targetUser = await this.#services.directory.users.findRow(target, tx);
      if (targetUser?.id === user.id) {
        throw new CooError(ErrorCode.INVALID_INPUT, `${user.address} cannot forward to itself`);
      }
      const now = Date.now();
      await putForwarding(tx, { userId: user.id, target, keepCopy: input.keepCopy, now });
      await this.#services.audit.append(
        auditRecord(actor, 'mail.forwarding.set', user.address, { target, keepCopy: input.keepCopy }),
        tx,
      );
      return { target, keepCopy: input.keepCopy, updatedAt: now };
    });
  }

  /** Turns forwarding off; false when it was not on. */
  async clearForwarding(address: string, actor: Actor): Promise<boolean> {
    return inTransaction(this.#services.store.db, async (tx) => {
      const user = await this.#services.directory.users.requireRow(address, tx);
      const removed = await deleteForwarding(tx, user.id);
      if (removed)
        await this.#services.audit.append(auditRecord(actor, 'mail.forwarding.off', user.address), tx);
      return removed;
    });
  }

  async rules(address: string): Promise<MailRule[]> {
    const user = await this.#services.directory.users.requireRow(address);
    const rows = await listMailRules(this.#services.store.db, user.id);
    return rows.map(ruleFromRow).filter((rule): rule is MailRule => rule !== undefined);
  }

  async addRule(address: string, input: NewMailRule, actor: Actor): Promise<MailRule> {
    const kind = checkKind(input.kind);
    const params = checkParams(kind, input.params);
    return inTransaction(this.#services.store.db, async (tx) => {
      const user = await this.#services.directory.users.requireRow(address, tx);
      if ((await listMailRules(tx, user.id)).length >= MAX_RULES_PER_USER) {
        throw new CooError(
          ErrorCode.INVALID_INPUT,
          `${user.address} has ${MAX_RULES_PER_USER} rules already`,
        );
      }
      const row = await insertMailRule(tx, { userId: user.id, kind, params, now: Date.now() });
      const rule = ruleFromRow(row);
      if (!rule) throw new Error(`mail rule ${row.id} does not read back`);
      await this.#services.audit.append(
        auditRecord(actor, 'mail.rule.add', user.address, { id: rule.id, kind, params }),
        tx,
      );
      return rule;
    });
  }

  async removeRule(address: string, id: number, actor: Actor): Promise<void> {
    await inTransaction(this.#services.store.db, async (tx) => {
      const user = await this.#services.directory.users.requireRow(address, tx);
      const removed = await deleteMailRule(tx, user.id, id);
      if (!removed) throw new CooError(ErrorCode.NOT_FOUND, `${user.address} has no mail rule #${id}`);
      await this.#services.audit.append(
        auditRecord(actor, 'mail.rule.remove', user.address, { id, kind: removed.kind }),
        tx,
      );
    });
  }
}

function checkKind(kind: string): MailRuleKind {
  const known = MAIL_RULE_KINDS.find((k) => k === kind);
  if (!known) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `unknown rule kind "${kind}" (one of ${MAIL_RULE_KINDS.join(', ')})`,
    );
  }
  return known;
}

function checkParams(kind: MailRuleKind, params: unknown): unknown {
  const schema: z.ZodType = kind === 'block' ? blockParams : kind === 'file' ? fileParams : autoreplyParams;
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  throw new CooError(
    ErrorCode.INVALID_INPUT,
    `invalid ${kind} rule: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'params'}: ${issue.message}`).join('; ')}`,
    parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message })),
  );
}
