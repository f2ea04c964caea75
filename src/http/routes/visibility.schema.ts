import { z } from 'zod';
import type { NamedDecision } from '../../directory/visibility/explanation.ts';
import { ruleSentence } from '../../directory/visibility/rule-text.ts';
import type { VisibilityRule } from '../../directory/visibility/types.ts';
import type { VisibilityCheck } from '../../directory/visibility/visibility-admin.ts';
import {
  RULE_EFFECTS,
  RULE_PERMISSIONS,
  VISIBILITY_MODES,
  type ApiDecisionReason,
  type ApiVisibilityCheck,
  type ApiVisibilityRule,
  type ApiVisibilityRules,
  type RuleParty,
} from '../../protocol/visibility.ts';
import { addressSchema, isoTime, isoTimeSchema, LIMITS } from './common.schema.ts';

const unitPath = z.string().trim().min(1).max(LIMITS.unitPath).describe('Unit path such as "Sales/Tokyo"');
const groupName = z.string().trim().min(1).max(LIMITS.groupName);

const modeSchema = z
  .enum(VISIBILITY_MODES)
  .describe('open: everyone may see and message everyone unless denied; closed: only what allow rules open');
const permissionSchema = z.enum(RULE_PERMISSIONS).describe('"message" implies "see"');
const effectSchema = z.enum(RULE_EFFECTS).describe('A deny wins over any allow');

export const rulePartySchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('unit'),
      path: z.string(),
      includeSubunits: z.boolean().describe('false: the unit’s own members only'),
    }),
    z.object({ kind: z.literal('group'), name: z.string() }),
    z.object({ kind: z.literal('everyone') }),
  ])
  .meta({ id: 'RuleParty' }) satisfies z.ZodType<RuleParty>;

const rulePartyInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('unit'),
    path: unitPath,
    includeSubunits: z.boolean().default(true).describe('Default true: the unit and every unit below it'),
  }),
  z.strictObject({ kind: z.literal('group'), name: groupName }),
  z.strictObject({ kind: z.literal('everyone') }),
]);

export const ruleSchema = z
  .object({
    id: z.number().int(),
    subject: rulePartySchema.describe('Who looks'),
    object: rulePartySchema.describe('Whom they look at'),
    permission: permissionSchema,
    effect: effectSchema,
    text: z.string().describe('The rule as a sentence'),
    createdAt: isoTimeSchema,
  })
  .meta({ id: 'VisibilityRule' }) satisfies z.ZodType<ApiVisibilityRule>;

export const rulesOverviewSchema = z.object({
  mode: modeSchema,
  rules: z.array(ruleSchema),
  hiddenUnits: z.array(z.string()).describe('Paths of the hidden units'),
}) satisfies z.ZodType<ApiVisibilityRules>;

export const createRuleBody = z.strictObject({
  subject: rulePartyInput.describe('Who looks'),
  object: rulePartyInput.describe('Whom they look at'),
  permission: permissionSchema,
  effect: effectSchema,
});

export const ruleParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});

export const modeSchemaBody = z.strictObject({ mode: modeSchema });
export const modeAnswer = z.object({ mode: modeSchema });

export const checkQuery = z.strictObject({
  a: addressSchema.describe('Who looks'),
  b: addressSchema.describe('Whom they look at'),
});

const reasonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('self'), explanation: z.string() }),
  z.object({ kind: z.literal('admin'), explanation: z.string() }),
  z.object({ kind: z.literal('hidden-unit'), unit: z.string(), explanation: z.string() }),
  z.object({ kind: z.literal('own-unit'), unit: z.string(), explanation: z.string() }),
  z.object({ kind: z.literal('rule'), rule: ruleSchema, explanation: z.string() }),
  z.object({ kind: z.literal('mode'), mode: modeSchema, explanation: z.string() }),
]);

export const checkAnswer = z
  .object({
    a: z.string(),
    b: z.string(),
    see: z.boolean().describe('Whether a may see b'),
    message: z.boolean().describe('Whether a may message b (never when not see)'),
    decidedBy: z.object({ see: reasonSchema, message: reasonSchema }),
  })
  .meta({ id: 'VisibilityCheck' }) satisfies z.ZodType<ApiVisibilityCheck>;

export const hideBody = z.strictObject({ path: unitPath });
export const hideAnswer = z.object({
  path: z.string(),
  hidden: z.boolean(),
  changed: z.boolean().describe('false when the unit already was in that state'),
});

export function toApiRule(rule: VisibilityRule): ApiVisibilityRule {
  return {
    id: rule.id,
    subject: rule.subject,
    object: rule.object,
    permission: rule.permission,
    effect: rule.effect,
    text: ruleSentence(rule),
    createdAt: isoTime(rule.createdAt),
  };
}

function toApiReason(decision: NamedDecision): ApiDecisionReason & { explanation: string } {
  const { reason, explanation } = decision;
  if (reason.kind === 'rule') return { kind: 'rule', rule: toApiRule(reason.rule), explanation };
  return { ...reason, explanation };
}

export function toApiCheck(check: VisibilityCheck): ApiVisibilityCheck {
  return {
    a: check.a,
    b: check.b,
    see: check.see.allowed,
    message: check.message.allowed,
    decidedBy: { see: toApiReason(check.see), message: toApiReason(check.message) },
  };
}
