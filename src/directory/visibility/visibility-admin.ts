import { CooError, isCooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { RULE_EFFECTS, RULE_PERMISSIONS, VISIBILITY_MODES } from '../../protocol/visibility.ts';
import { inTransaction, isUniqueViolation, type Executor, type Store } from '../../store/database.ts';
import { findGroupByName } from '../../store/groups.ts';
import { putSetting } from '../../store/settings.ts';
import { listGroupNames } from '../../store/visibility-facts.ts';
import * as rules from '../../store/visibility-rules.ts';
import type { OrgService } from '../org-service.ts';
import type { OrgTree } from '../org-tree.ts';
import { auditRecord, type Actor, type AuditSink } from '../types.ts';
import type { UserService } from '../user-service.ts';
import { nameDecision, type NamedDecision } from './explanation.ts';
import type { PolicyCache } from './policy-cache.ts';
import { compileRuleRow, nameRule } from './rule-rows.ts';
import { ruleSentence } from './rule-text.ts';
import { MODE_SETTING, readMode } from './snapshot-loader.ts';
import type { NewVisibilityRule, RulePartyInput, VisibilityMode, VisibilityRule } from './types.ts';

export interface VisibilityOverview {
  mode: VisibilityMode;
  rules: VisibilityRule[];
  /** Paths of the hidden units, in tree order. */
  hiddenUnits: string[];
}

export interface VisibilityCheck {
  a: string;
  b: string;
  see: NamedDecision;
  message: NamedDecision;
}

export interface VisibilityAdminDeps {
  store: Store;
  audit: AuditSink;
  org: OrgService;
  users: UserService;
  cache: PolicyCache;
}

/**
 * The administration of the visibility rules: the mode, the rules, hidden
 * units, and `check`, which says who may see and message whom and why.
 * Every change is audited in its own transaction and, once committed,
 * invalidates this process's policy cache.
 */
export class VisibilityAdmin {
  readonly #deps: VisibilityAdminDeps;

  constructor(deps: VisibilityAdminDeps) {
    this.#deps = deps;
  }

  get #db(): Executor {
    return this.#deps.store.db;
  }

  async overview(): Promise<VisibilityOverview> {
    const [mode, list, tree, hidden] = await Promise.all([
      readMode(this.#db),
      this.listRules(),
      this.#deps.org.loadTree(),
      rules.listHiddenUnitIds(this.#db),
    ]);
    const hiddenUnits = hidden
      .map((id) => tree.pathOf(id))
      .filter(Boolean)
      .sort((x, y) => x.localeCompare(y));
    return { mode, rules: list, hiddenUnits };
  }

  async listRules(): Promise<VisibilityRule[]> {
    const [rows, tree, groupNames] = await Promise.all([
      rules.listVisibilityRules(this.#db),
      this.#deps.org.loadTree(),
      listGroupNames(this.#db),
    ]);
    return rows.map((row) => nameRule(compileRuleRow(row), { tree, groupNames }));
  }

  async addRule(input: NewVisibilityRule, actor: Actor): Promise<VisibilityRule> {
    const permission = oneOf('permission', input.permission, RULE_PERMISSIONS);
    const effect = oneOf('effect', input.effect, RULE_EFFECTS);
    const rule = await inTransaction(this.#db, async (tx) => {
      const tree = await this.#deps.org.loadTree(tx);
      const subject = await resolveParty(tx, tree, input.subject, 'subject');
      const object = await resolveParty(tx, tree, input.object, 'object');
      const row: rules.NewVisibilityRuleRow = {
        subject_kind: subject.kind,
        subject_unit_id: subject.unitId,
        subject_group_id: subject.groupId,
        subject_subunits: subject.subunits,
        object_kind: object.kind,
        object_unit_id: object.unitId,
        object_group_id: object.groupId,
        object_subunits: object.subunits,
        permission,
        effect,
      };
      const groupNames = await listGroupNames(tx);
      const name = (stored: rules.VisibilityRuleRow) =>
        nameRule(compileRuleRow(stored), { tree, groupNames });
      const same = await rules.findSameVisibilityRule(tx, row);
      if (same) throw ruleExists(name(same));
      let inserted: rules.VisibilityRuleRow;
      try {
        inserted = await rules.insertVisibilityRule(tx, row);
      } catch (error) {
        if (isUniqueViolation(error)) throw ruleExists(name({ ...row, id: 0, created_at: 0 }));
        throw error;
      }
      const named = name(inserted);
      await this.#deps.audit.append(
        auditRecord(actor, 'visibility.rule.add', `rule #${named.id}`, ruleDetails(named)),
        tx,
      );
      return named;
    });
    this.#deps.cache.invalidate();
    return rule;
  }

  async removeRule(id: number, actor: Actor): Promise<VisibilityRule> {
    const rule = await inTransaction(this.#db, async (tx) => {
      const row = await rules.findVisibilityRule(tx, id);
      if (!row) {
        throw new CooError(ErrorCode.RULE_UNKNOWN, `no visibility rule #${id} (coo rule list shows them)`);
      }
      const named = nameRule(compileRuleRow(row), {
        tree: await this.#deps.org.loadTree(tx),
        groupNames: await listGroupNames(tx),
      });
      await rules.deleteVisibilityRule(tx, id);
      await this.#deps.audit.append(
        auditRecord(actor, 'visibility.rule.remove', `rule #${id}`, ruleDetails(named)),
        tx,
      );
      return named;
    });
    this.#deps.cache.invalidate();
    return rule;
  }

  mode(): Promise<VisibilityMode> {
    return readMode(this.#db);
  }

  async setMode(text: string, actor: Actor): Promise<{ mode: VisibilityMode; changed: boolean }> {
    const mode = oneOf('mode', text, VISIBILITY_MODES);
    const changed = await inTransaction(this.#db, async (tx) => {
      const before = await readMode(tx);
      if (before === mode) return false;
      await putSetting(tx, MODE_SETTING, mode);
      await this.#deps.audit.append(auditRecord(actor, 'visibility.mode', mode, { from: before }), tx);
      return true;
    });
    if (changed) this.#deps.cache.invalidate();
    return { mode, changed };
  }

  /** Hides the unit (and its sub-units) from everyone outside it but admins; hiding twice changes nothing. */
  hide(path: string, actor: Actor): Promise<{ path: string; changed: boolean }> {
    return this.#setHidden(path, true, actor);
  }

  unhide(path: string, actor: Actor): Promise<{ path: string; changed: boolean }> {
    return this.#setHidden(path, false, actor);
  }

  async #setHidden(path: string, hidden: boolean, actor: Actor): Promise<{ path: string; changed: boolean }> {
    const result = await inTransaction(this.#db, async (tx) => {
      const tree = await this.#deps.org.loadTree(tx);
      const unit = tree.require(path);
      const unitPath = tree.pathOf(unit.id);
      const changed = hidden
        ? await rules.insertHiddenUnit(tx, unit.id)
        : await rules.deleteHiddenUnit(tx, unit.id);
      if (changed)
        await this.#deps.audit.append(auditRecord(actor, hidden ? 'org.hide' : 'org.unhide', unitPath), tx);
      return { path: unitPath, changed };
    });
    if (result.changed) this.#deps.cache.invalidate();
    return result;
  }

  /** Whether `a` may see and may message `b` (addresses), and what decided each; never from a stale cache. */
  async check(a: string, b: string): Promise<VisibilityCheck> {
    const [viewer, target] = await Promise.all([
      this.#deps.users.requireRow(a),
      this.#deps.users.requireRow(b),
    ]);
    const snapshot = await this.#deps.cache.fresh();
    const decision = snapshot.explain(viewer.id, target.id);
    if (!decision) throw new CooError(ErrorCode.USER_UNKNOWN, `unknown user ${a} or ${b}`);
    const names = { tree: snapshot.tree, groupNames: snapshot.groupNames };
    return {
      a: viewer.address,
      b: target.address,
      see: nameDecision(decision.see, viewer.address, target.address, names),
      message: nameDecision(decision.message, viewer.address, target.address, names),
    };
  }
}

interface ResolvedParty {
  kind: 'unit' | 'group' | 'everyone';
  unitId: number | null;
  groupId: number | null;
  subunits: number;
}

/** Units by path and groups by name to ids; an unknown one is an error naming the side of the rule. */
async function resolveParty(
  db: Executor,
  tree: OrgTree,
  party: RulePartyInput,
  side: 'subject' | 'object',
): Promise<ResolvedParty> {
  switch (party.kind) {
    case 'unit': {
      let unitId: number;
      try {
        unitId = tree.require(party.path).id;
      } catch (error) {
        if (isCooError(error)) throw new CooError(error.code, `rule ${side}: ${error.message}`);
        throw error;
      }
      return { kind: 'unit', unitId, groupId: null, subunits: party.includeSubunits === false ? 0 : 1 };
    }
    case 'group': {
      const group = await findGroupByName(db, party.name.trim().normalize('NFC'));
      if (!group) throw new CooError(ErrorCode.GROUP_UNKNOWN, `rule ${side}: unknown group "${party.name}"`);
      return { kind: 'group', unitId: null, groupId: group.id, subunits: 0 };
    }
    case 'everyone':
      return { kind: 'everyone', unitId: null, groupId: null, subunits: 0 };
    default:
      // Callers pass checked input; a kind from outside the type is refused, never stored.
      throw new CooError(
        ErrorCode.INVALID_INPUT,
        `rule ${side}: unknown kind ${JSON.stringify(party satisfies never)}`,
      );
  }
}

function oneOf<const T extends readonly string[]>(label: string, value: string, allowed: T): T[number] {
  const normalized = value.trim().toLowerCase();
  const found = allowed.find((candidate) => candidate === normalized);
  if (found === undefined) {
    throw new CooError(ErrorCode.INVALID_INPUT, `${label} "${value}": expected ${allowed.join(' or ')}`);
  }
  return found;
}

function ruleExists(existing: VisibilityRule): CooError {
  const id = existing.id > 0 ? ` (#${existing.id})` : '';
  return new CooError(ErrorCode.RULE_EXISTS, `this rule exists already${id}: ${ruleSentence(existing)}`);
}

function ruleDetails(rule: VisibilityRule): Record<string, unknown> {
  return {
    rule: ruleSentence(rule),
    subject: rule.subject,
    object: rule.object,
    permission: rule.permission,
    effect: rule.effect,
  };
}
