import { z } from 'zod';
import { queryFlag } from './common.schema.ts';

export const importQuery = z.strictObject({
  dryRun: queryFlag.default(false).describe('Check the file and count what would change; write nothing'),
  encoding: z
    .enum(['auto', 'utf-8', 'shift_jis'])
    .default('auto')
    .describe('auto: UTF-8 when the bytes are valid UTF-8, else Shift_JIS'),
});

export const exportQuery = z.strictObject({
  encoding: z
    .enum(['utf-8', 'shift_jis'])
    .default('utf-8')
    .describe('utf-8 (with a BOM, for Excel) or shift_jis (Excel on Japanese Windows)'),
});

const lineError = z.object({
  line: z.number().int().describe('Line of the file, from 1 (the header)'),
  message: z.string(),
});

export const importReportSchema = z
  .object({
    dryRun: z.boolean(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    unitsCreated: z.array(z.string()).describe('Org units created (or, in a dry run, to create)'),
    errors: z.array(lineError).describe('Only in a dry run: when not empty, an import would write nothing'),
    elapsedMs: z.number().int(),
  })
  .meta({ id: 'UserImportReport' });

export type ImportReportAnswer = z.output<typeof importReportSchema>;

/** The CSV body, as bytes: its encoding is detected by the import, not by the client. */
export const CSV_CONTENT_TYPES = ['text/csv', 'application/octet-stream'];

/** One line of the streamed answer (Accept: application/x-ndjson). */
export type ImportStreamLine =
  | { progress: { done: number; total: number } }
  | { report: ImportReportAnswer }
  | { error: { code: string; message: string; details?: { line: number; message: string }[] } };
