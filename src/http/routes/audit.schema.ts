import { z } from 'zod';
import type { AuditEntry } from '../../audit/audit-log.ts';
import type { ApiAuditEntry, ApiAuditPage, ApiAuditVerification } from '../../protocol/admin-api.ts';
import { isoTime, isoTimeSchema, LIMITS } from './common.schema.ts';

export const auditEntrySchema = z
  .object({
    seq: z.number().int().describe('Position in the log, from 1'),
    at: isoTimeSchema,
    actor: z.string().describe('An address, "cli" or "system"'),
    action: z.string().describe('Dotted, area first: "auth.login", "user.create"'),
    target: z.string(),
    protocol: z.string().describe('The front end: http, cli, smtp, imap, …'),
    remote: z.string().describe("The client's IP address, when there is one"),
    outcome: z.string().describe('"success" or "failure"'),
    details: z.record(z.string(), z.unknown()),
    hash: z.string().describe("This entry's link in the hash chain"),
  })
  .meta({ id: 'AuditEntry' }) satisfies z.ZodType<ApiAuditEntry>;

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema).describe('Newest first'),
  nextBeforeSeq: z
    .number()
    .int()
    .nullable()
    .describe('Pass as beforeSeq for the next (older) page; null on the last'),
}) satisfies z.ZodType<ApiAuditPage>;

export const auditVerificationSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int().describe('Entries read'),
  problems: z.array(
    z.object({
      seq: z.number().int(),
      kind: z.enum(['changed', 'missing', 'truncated']),
      message: z.string(),
    }),
  ),
  omittedProblems: z.number().int().describe('Problems found beyond those listed'),
}) satisfies z.ZodType<ApiAuditVerification>;

const seq = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const filter = z.string().min(1).max(LIMITS.auditFilter);
const date = z.string().min(1).max(LIMITS.date);

export const auditQuery = z.object({
  actor: filter.optional().describe('Exactly this actor'),
  action: filter.optional().describe('Actions starting with this: "user." matches every user change'),
  target: filter.optional().describe('Exactly this target'),
  since: date.optional().describe('From this day (YYYY-MM-DD) or instant (ISO 8601), inclusive'),
  until: date.optional().describe('Through this day (YYYY-MM-DD) or instant (ISO 8601), inclusive'),
  afterSeq: seq.optional().describe('Only entries newer than this seq (to follow the log)'),
  beforeSeq: seq.optional().describe('Only entries older than this seq (to page back)'),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(100),
});

export function toApiAuditEntry(entry: AuditEntry): ApiAuditEntry {
  return {
    seq: entry.seq,
    at: isoTime(entry.at),
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    protocol: entry.protocol,
    remote: entry.remote,
    outcome: entry.outcome,
    details: entry.details,
    hash: entry.hash,
  };
}
