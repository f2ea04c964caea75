import { z } from 'zod';
import type { ApiToken as ServiceToken } from '../../auth/api-tokens.ts';
import type { ApiCreatedToken, ApiToken } from '../../protocol/admin-api.ts';
import { addressSchema, isoTime, isoTimeSchema, LIMITS, validityDateSchema } from './common.schema.ts';

export const tokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    owner: z.string().describe('The administrator the token acts as'),
    createdAt: isoTimeSchema,
    expiresAt: isoTimeSchema.nullable(),
    lastUsedAt: isoTimeSchema.nullable().describe('To the minute'),
    revoked: z.boolean(),
  })
  .meta({ id: 'ApiToken' }) satisfies z.ZodType<ApiToken>;

export const tokenListSchema = z.object({ tokens: z.array(tokenSchema) });

export const createdTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    owner: z.string(),
    expiresAt: isoTimeSchema.nullable(),
    token: z.string().describe('The secret: shown this once, never again'),
  })
  .meta({ id: 'CreatedApiToken' }) satisfies z.ZodType<ApiCreatedToken>;

export const createTokenBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.tokenName)
    .describe('What the token is for, e.g. "backup script"'),
  owner: addressSchema.optional().describe('The administrator it acts as; default: the caller'),
  expiresAt: validityDateSchema
    .optional()
    .describe('YYYY-MM-DD (through that day) or a date-time; null: never'),
});

export const tokenParams = z.object({
  id: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});

export function toApiToken(token: ServiceToken): ApiToken {
  return {
    id: token.id,
    name: token.name,
    owner: token.owner,
    createdAt: isoTime(token.createdAt),
    expiresAt: isoTime(token.expiresAt),
    lastUsedAt: isoTime(token.lastUsedAt),
    revoked: token.revoked,
  };
}
