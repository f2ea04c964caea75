import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { auditRecord, type Actor } from '../../directory/types.ts';
import { exportUsers, importUsers, MAX_IMPORT_BYTES, type ImportReport } from '../../directory/user-csv.ts';
import { CooError, isCooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  CSV_CONTENT_TYPES,
  exportQuery,
  importQuery,
  importReportSchema,
  type ImportReportAnswer,
  type ImportStreamLine,
} from './user-csv.schema.ts';

const tags = ['users'];
const NDJSON = 'application/x-ndjson';
/** Hashing the passwords of ten thousand new users takes minutes; the API's usual 30 s is too short. */
const IMPORT_TIMEOUT_MS = 15 * 60_000;

/**
 * /users/import and /users/export: the CSV of `coo import` and `coo export`
 * over HTTP, for the web console. The import takes the file's bytes as they
 * are (the encoding is detected on the server, as the CLI does), and with
 * `Accept: application/x-ndjson` streams its progress while it runs.
 */
export function registerUserCsvRoutes(app: ApiApp, services: Services): void {
  app.register(async (csv: ApiApp) => {
    // Only these routes take a body other than JSON.
    csv.addContentTypeParser(
      CSV_CONTENT_TYPES,
      { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
      (_r, body, done) => done(null, body),
    );

    csv.post(
      '/users/import',
      {
        bodyLimit: MAX_IMPORT_BYTES,
        handlerTimeout: IMPORT_TIMEOUT_MS,
        schema: {
          tags,
          summary:
            'Create and update users from CSV (body: text/csv), all or nothing; dryRun=true only checks',
          security: tokenSecurity,
          querystring: importQuery,
          response: { 200: importReportSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const input = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const { dryRun, encoding } = request.query;
        const actor = actorOf(request);
        if (!(request.headers.accept ?? '').includes(NDJSON)) {
          return outcome(await importUsers(services, input, { dryRun, encoding, actor }), dryRun);
        }
        const stream = new PassThrough();
        const write = (line: ImportStreamLine) => stream.write(`${JSON.stringify(line)}\n`);
        void streamImport(services, input, { dryRun, encoding, actor }, write, request.log).finally(() =>
          stream.end(),
        );
        return sendUntyped(reply.type(`${NDJSON}; charset=utf-8`), stream);
      },
    );
  });

  app.get(
    '/users/export',
    {
      schema: {
        tags,
        summary: 'Every user as CSV, in the columns the import reads (the password column empty)',
        security: tokenSecurity,
        querystring: exportQuery,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const { encoding } = request.query;
      const csv = await exportUsers(services, { encoding });
      const actor = actorOf(request);
      await services.audit.append(
        auditRecord(actor, 'user.export', 'users', { encoding, bytes: csv.length }),
      );
      reply
        .type(`text/csv; charset=${encoding === 'shift_jis' ? 'shift_jis' : 'utf-8'}`)
        .header('content-disposition', 'attachment; filename="users.csv"');
      return sendUntyped(reply, csv);
    },
  );
}

/** Bytes and streams are sent as they are, outside the JSON schemas of the route. */
function sendUntyped(reply: FastifyReply, payload: Buffer | PassThrough): FastifyReply {
  return reply.send(payload);
}

interface ImportRun {
  dryRun: boolean;
  encoding: 'auto' | 'utf-8' | 'shift_jis';
  actor: Actor;
}

/** A dry run reports its errors; a real import with errors wrote nothing and is refused with them. */
function outcome(report: ImportReport, dryRun: boolean): ImportReportAnswer {
  if (!dryRun && report.errors.length > 0) {
    const [first] = report.errors;
    const more = report.errors.length > 1 ? ` (and ${report.errors.length - 1} more)` : '';
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `nothing was imported: line ${first?.line ?? 1}: ${first?.message ?? 'invalid'}${more}`,
      report.errors,
    );
  }
  return { dryRun, ...report };
}

/** Runs the import, writing progress lines, then the report or the error; never rejects. */
async function streamImport(
  services: Services,
  input: Buffer,
  run: ImportRun,
  write: (line: ImportStreamLine) => void,
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    const report = await importUsers(services, input, {
      ...run,
      onProgress: (done, total) => write({ progress: { done, total } }),
    });
    write({ report: outcome(report, run.dryRun) });
  } catch (error) {
    if (isCooError(error)) {
      const details = error.details?.map(({ line, message }) => ({ line: line ?? 1, message }));
      write({ error: { code: error.code, message: error.message, ...(details ? { details } : {}) } });
      return;
    }
    log.error({ err: error }, 'user import failed');
    write({ error: { code: ErrorCode.INTERNAL, message: 'internal error; the server log has the details' } });
  }
}
