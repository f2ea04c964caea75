import { z } from 'zod';
import { DMARC_POLICIES } from '../../mail/autoconfig/published-records.ts';
import type { QueueEntry } from '../../mail/queue/queue-admin.ts';
import type { ApiMailDns, ApiQueueEntry, ApiQueueList, ApiQueueStatus } from '../../protocol/admin-api.ts';
import { QueueStatus } from '../../store/mail-queue.ts';
import { isoTime, isoTimeSchema, LIMITS } from './common.schema.ts';

const queueStatuses = Object.values(QueueStatus) as [ApiQueueStatus, ...ApiQueueStatus[]];

export const mailDnsQuery = z.strictObject({
  domain: z.string().trim().min(1).max(LIMITS.domain).optional().describe('Only this domain'),
  dmarc: z
    .enum(DMARC_POLICIES)
    .default('quarantine')
    .describe('The DMARC policy to publish; "none" first if other services send as the domain'),
});

const dnsRecordSchema = z
  .object({
    type: z.enum(['MX', 'TXT', 'CNAME', 'SRV']),
    name: z.string().describe('Fully qualified, with the final dot'),
    value: z.string().describe('As a DNS console takes it (TXT without quotes)'),
    purpose: z.string().describe('What it is for, one line'),
  })
  .meta({ id: 'DnsRecord' });

export const mailDnsSchema = z
  .object({
    hostname: z.string().describe('The MX target; it also needs A/AAAA records and a matching PTR'),
    domains: z.array(
      z.object({
        domain: z.string(),
        aliasOf: z.string().nullable(),
        records: z.array(dnsRecordSchema),
      }),
    ),
  })
  .meta({ id: 'MailDns' }) satisfies z.ZodType<ApiMailDns>;

export const queueListQuery = z.strictObject({
  status: z.enum(queueStatuses).optional().describe('Only this status; every row kept when unset'),
});

const queueEntrySchema = z
  .object({
    id: z.number().int(),
    sender: z.string().describe('"" for a bounce'),
    recipient: z.string(),
    kind: z.string().describe('submission, forward, bounce, autoreply or notice'),
    status: z.enum(queueStatuses),
    size: z.number().int(),
    attempts: z.number().int(),
    createdAt: isoTimeSchema,
    nextAttemptAt: isoTimeSchema,
    lastError: z.string().nullable(),
  })
  .meta({ id: 'QueueEntry' }) satisfies z.ZodType<ApiQueueEntry>;

export const queueListSchema = z.object({
  entries: z.array(queueEntrySchema),
}) satisfies z.ZodType<ApiQueueList>;

export const queueEntryParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export function toApiQueueEntry(entry: QueueEntry): ApiQueueEntry {
  return {
    id: entry.id,
    sender: entry.sender,
    recipient: entry.recipient,
    kind: entry.kind,
    status: entry.status as ApiQueueStatus,
    size: entry.size,
    attempts: entry.attempts,
    createdAt: isoTime(entry.createdAt),
    nextAttemptAt: isoTime(entry.nextAttemptAt),
    lastError: entry.lastError,
  };
}
