import { z } from 'zod';
import { addressSchema, isoTime, isoTimeSchema, LIMITS } from '../../http/routes/common.schema.ts';
import {
  BOT_LIMITS,
  type ApiBot,
  type ApiCreatedBot,
  type BotMemoResult,
  type BotMessageResult,
} from '../../protocol/bots.ts';
import type { Bot } from './bot-service.ts';

export const botSchema = z
  .object({
    name: z.string(),
    address: z.string().describe('The account the bot sends as'),
    displayName: z.string(),
    createdBy: z.string(),
    createdAt: isoTimeSchema,
    lastUsedAt: isoTimeSchema.nullable().describe('To the minute'),
  })
  .meta({ id: 'Bot' }) satisfies z.ZodType<ApiBot>;

export const botListSchema = z.object({ bots: z.array(botSchema) });

export const createdBotSchema = botSchema
  .extend({ token: z.string().describe('The secret: shown this once, never again') })
  .meta({ id: 'CreatedBot' }) satisfies z.ZodType<ApiCreatedBot>;

export const createBotBody = z.strictObject({
  name: z.string().trim().min(1).max(32).describe('a-z, 0-9 and "-"; also the local part of its address'),
  displayName: z
    .string()
    .trim()
    .min(1)
    .max(LIMITS.text)
    .optional()
    .describe('Shown as the sender; default: the name'),
});

export const botParams = z.object({ name: z.string().min(1).max(64) });

const unitPathSchema = z
  .string()
  .trim()
  .min(1)
  .max(LIMITS.unitPath)
  .describe('Org unit path, e.g. "営業部/東京"');

export const botMessageBody = z.strictObject({
  to: z
    .union([addressSchema, z.strictObject({ unit: unitPathSchema })])
    .describe('An address (or bare name), or {"unit": PATH} for each member of the unit and its sub-units'),
  text: z.string().min(1).max(100_000),
  id: z
    .string()
    .min(1)
    .max(BOT_LIMITS.idChars)
    .optional()
    .describe('Idempotency key: a retry with the same id sends nothing twice'),
});

export const botMessageResultSchema = z.object({
  sent: z.array(z.object({ to: z.string(), conversationId: z.number().int(), seq: z.number().int() })),
}) satisfies z.ZodType<BotMessageResult>;

export const botMemoBody = z.strictObject({
  to: z.strictObject({
    users: z.array(addressSchema).max(1000).optional(),
    units: z.array(unitPathSchema).max(1000).optional(),
  }),
  subject: z.string().max(1000).optional(),
  body: z.string().max(100_000),
});

export const botMemoResultSchema = z.object({
  memoId: z.number().int(),
  recipients: z.number().int(),
}) satisfies z.ZodType<BotMemoResult>;

export function toApiBot(bot: Bot): ApiBot {
  return {
    name: bot.name,
    address: bot.address,
    displayName: bot.displayName,
    createdBy: bot.createdBy,
    createdAt: isoTime(bot.createdAt),
    lastUsedAt: isoTime(bot.lastUsedAt),
  };
}
