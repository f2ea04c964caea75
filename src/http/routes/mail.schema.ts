import { z } from 'zod';
import { FILE_FIELDS, type MailRule } from '../../mail/delivery/rules.ts';
import type { ApiMailForwarding, ApiMailRule } from '../../protocol/mail-api.ts';
import { addressSchema, isoTime, isoTimeSchema, LIMITS, validityDateSchema } from './common.schema.ts';

export const forwardingSchema = z
  .object({
    target: z.string(),
    keepCopy: z.boolean().describe('A copy stays in the mailbox too'),
    updatedAt: isoTimeSchema,
  })
  .meta({ id: 'MailForwarding' }) satisfies z.ZodType<ApiMailForwarding>;

export const forwardingAnswerSchema = z.object({
  forwarding: forwardingSchema.nullable().describe('null when mail is not forwarded'),
});

export const setForwardingBody = z.strictObject({
  target: addressSchema.describe('Where every message goes'),
  keepCopy: z.boolean().default(false),
});

const blockRule = z.object({ kind: z.literal('block'), params: z.object({ sender: z.string() }) });
const fileRule = z.object({
  kind: z.literal('file'),
  params: z.object({
    match: z.object({ field: z.enum(FILE_FIELDS), contains: z.string() }),
    mailbox: z.string(),
  }),
});
const autoreplyRule = z.object({
  kind: z.literal('autoreply'),
  params: z.object({
    subject: z.string(),
    body: z.string(),
    from: isoTimeSchema.nullable(),
    until: isoTimeSchema.nullable(),
  }),
});
const ruleMeta = { id: z.number().int(), position: z.number().int(), createdAt: isoTimeSchema };

export const mailRuleSchema = z
  .union([blockRule.extend(ruleMeta), fileRule.extend(ruleMeta), autoreplyRule.extend(ruleMeta)])
  .meta({ id: 'MailRule' }) satisfies z.ZodType<ApiMailRule>;

export const mailRuleListSchema = z.object({
  rules: z.array(mailRuleSchema).describe('In the order they apply'),
});

export const addMailRuleBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('block'),
    params: z.strictObject({
      sender: z
        .string()
        .max(LIMITS.address)
        .describe('An address, or "@domain" for a domain and its subdomains'),
    }),
  }),
  z.strictObject({
    kind: z.literal('file'),
    params: z.strictObject({
      match: z.strictObject({ field: z.enum(FILE_FIELDS), contains: z.string().max(LIMITS.text) }),
      mailbox: z.string().max(LIMITS.text).describe('Folder, "/" between levels; made when missing'),
    }),
  }),
  z.strictObject({
    kind: z.literal('autoreply'),
    params: z.strictObject({
      subject: z.string().max(LIMITS.text).default('').describe('"" for "Auto: " and the original subject'),
      body: z.string().max(10_000),
      from: validityDateSchema.optional().describe('Away from (YYYY-MM-DD or ISO); null or absent: now'),
      until: validityDateSchema.optional().describe('Away until (YYYY-MM-DD: through that day); null: open'),
    }),
  }),
]);

export const mailRuleParams = z.object({ address: addressSchema, id: z.coerce.number().int().min(1) });

export function toApiRule(rule: MailRule): ApiMailRule {
  const meta = { id: rule.id, position: rule.position, createdAt: isoTime(rule.createdAt) };
  switch (rule.kind) {
    case 'block':
      return { ...meta, kind: 'block', params: rule.params };
    case 'file':
      return { ...meta, kind: 'file', params: rule.params };
    case 'autoreply':
      return {
        ...meta,
        kind: 'autoreply',
        params: {
          subject: rule.params.subject,
          body: rule.params.body,
          from: rule.params.from === undefined ? null : isoTime(rule.params.from),
          until: rule.params.until === undefined ? null : isoTime(rule.params.until),
        },
      };
  }
}
