import { z } from 'zod';
import { isoTimeSchema } from './common.schema.ts';

const count = z.number().int().min(0);
const bytes = z.number().int().min(0).describe('Bytes');

const onlinePersonSchema = z.object({
  address: z.string(),
  displayName: z.string(),
  connections: count.describe('Open messenger connections (devices) of this person'),
});

export const dashboardSchema = z
  .object({
    generatedAt: isoTimeSchema,
    online: z
      .object({
        scope: z.literal('node').describe('Counted on the node that answered'),
        users: count.describe('People with at least one open messenger connection'),
        connections: count,
        people: z.array(onlinePersonSchema).describe('Sorted by name; at most `listLimit`'),
        listLimit: count,
      })
      .nullable()
      .describe('null when this server was started without the messenger'),
    today: z.object({
      since: isoTimeSchema.describe("Start of today in the server's time zone"),
      messages: count.describe('Chat messages sent since then'),
      memos: count.describe('Memos sent since then'),
    }),
    directory: z.object({
      users: count,
      disabledUsers: count,
      admins: count,
      orgUnits: count,
      groups: count,
      domains: count,
    }),
    storage: z.object({
      blobBytes: bytes.describe(
        'Files and mail bodies in the blob folder; bodies up to [blobs] inline_max_bytes are in the database (databaseBytes)',
      ),
      blobFiles: count,
      databaseBytes: bytes.nullable(),
      diskFreeBytes: bytes.nullable().describe('Free space on the blob store’s file system'),
      diskTotalBytes: bytes.nullable(),
      measuredAt: isoTimeSchema.describe('The blob store is measured at most once a minute'),
    }),
    listeners: z
      .array(
        z.object({
          name: z.string(),
          configured: z.string().describe('HOST:PORT as configured'),
          running: z.boolean(),
          address: z.string().nullable().describe('The bound HOST:PORT while running'),
          reason: z.string().nullable().describe('Why it is not running'),
        }),
      )
      .nullable()
      .describe('null when this server was started without its listener list'),
    certificate: z
      .object({
        subject: z.string(),
        issuer: z.string(),
        dnsNames: z.array(z.string()),
        validFrom: isoTimeSchema,
        validTo: isoTimeSchema,
        selfSigned: z.boolean(),
        fingerprint256: z.string(),
      })
      .nullable()
      .describe('The certificate file of the http listener; null when it cannot be read'),
    server: z.object({
      version: z.string(),
      node: z.string(),
      startedAt: isoTimeSchema,
      database: z.enum(['sqlite', 'postgres']),
    }),
  })
  .meta({ id: 'Dashboard' });

export type Dashboard = z.output<typeof dashboardSchema>;
