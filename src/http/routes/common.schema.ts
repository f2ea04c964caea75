import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorCode, type ApiErrorBody } from '../../protocol/errors.ts';

/** The instance routes are declared on: request and reply types come from their zod schemas. */
export type ApiApp = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Limits of what a request may carry; the services check the finer rules. */
export const LIMITS = {
  /** RFC 5321 §4.5.3.1: 64 + "@" + 255, rounded up. */
  address: 320,
  text: 200,
  /** A whole unit path: names of at most 100 characters, a few levels deep. */
  unitPath: 1000,
  unitName: 100,
  groupName: 100,
  description: 1000,
  password: 1024,
  domain: 253,
  tokenName: 100,
  search: 200,
  date: 40,
  pageSize: 1000,
  auditFilter: 320,
} as const;

export const apiErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]).describe('Stable machine code'),
      message: z.string().describe('For people; may change between versions'),
      details: z
        .array(
          z.object({
            line: z.number().int().optional(),
            field: z.string().optional(),
            message: z.string(),
            reason: z.string().optional().describe('Stable name of the problem, where the code has several'),
          }),
        )
        .optional()
        .describe('Per-field or per-line problems'),
    }),
  })
  .meta({ id: 'ApiError' }) satisfies z.ZodType<ApiErrorBody>;

/** Every API route can answer these; declared so the OpenAPI document lists them. */
export const errorResponses = {
  '4xx': apiErrorSchema,
  '5xx': apiErrorSchema,
} as const;

export const noContent = z.undefined().describe('Done; no body');

/** RFC 6750 bearer token, named in the OpenAPI document's security schemes. */
export const tokenSecurity = [{ bearerToken: [] }];

export const addressSchema = z.string().trim().min(1).max(LIMITS.address).describe('name@domain');
export const addressParams = z.object({ address: addressSchema });

/** "2027-03-31" (through the end of that day, server time) or an ISO 8601 date-time; null clears it. */
export const validityDateSchema = z
  .string()
  .max(LIMITS.date)
  .nullable()
  .describe('YYYY-MM-DD or an ISO 8601 date-time; null for none');

/** Query strings arrive as text: "true"/"false" (or 1/0) for flags. */
export const queryFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

export const isoTimeSchema = z.string().describe('ISO 8601 date-time, UTC');

export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
