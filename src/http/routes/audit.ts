import { parseValidityDate } from '../../directory/user-fields.ts';
import type { Services } from '../../services.ts';
import { errorResponses, tokenSecurity, type ApiApp } from './common.schema.ts';
import { auditPageSchema, auditQuery, auditVerificationSchema, toApiAuditEntry } from './audit.schema.ts';

const tags = ['audit'];

/** /audit: reading the hash-chained audit log and checking it. */
export function registerAuditRoutes(app: ApiApp, services: Services): void {
  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'Audit log entries, newest first, filtered',
        security: tokenSecurity,
        querystring: auditQuery,
        response: { 200: auditPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { actor, action, target, since, until, afterSeq, beforeSeq, limit } = request.query;
      const entries = await services.audit.query({
        actor,
        action,
        target,
        from: since === undefined ? undefined : (parseValidityDate('since', since, 'start') ?? undefined),
        // "until" is inclusive; the log's bound is exclusive.
        to: until === undefined ? undefined : inclusiveEnd(parseValidityDate('until', until, 'end')),
        afterSeq,
        beforeSeq,
        limit,
      });
      const last = entries.at(-1);
      return {
        entries: entries.map(toApiAuditEntry),
        nextBeforeSeq: entries.length === limit && last ? last.seq : null,
      };
    },
  );

  app.get(
    '/audit/verify',
    {
      schema: {
        tags,
        summary: 'Walk the whole hash chain and report changed or deleted entries',
        security: tokenSecurity,
        response: { 200: auditVerificationSchema, ...errorResponses },
      },
    },
    async () => services.audit.verify(),
  );
}

function inclusiveEnd(time: number | null): number | undefined {
  return time === null ? undefined : time + 1;
}
