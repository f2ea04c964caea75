import { configuredBlobStore } from '../../blob/blob-store.ts';
import { publishedMailRecords } from '../../mail/autoconfig/published-records.ts';
import { QueueAdmin } from '../../mail/queue/queue-admin.ts';
import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  mailDnsQuery,
  mailDnsSchema,
  queueEntryParams,
  queueListQuery,
  queueListSchema,
  toApiQueueEntry,
} from './mail-admin.schema.ts';

const tags = ['mail'];

/**
 * /mail/dns and /mail/queue: the DNS records to publish and the outbound
 * queue, computed and changed by the same code as `coo dns` and `coo queue`.
 */
export function registerMailAdminRoutes(app: ApiApp, services: Services): void {
  // Deleting an entry also removes its body when nothing else refers to it, as the CLI does.
  const queue = new QueueAdmin({
    store: services.store,
    audit: services.audit,
    blobs: configuredBlobStore(services.config, services.store.db),
  });

  app.get(
    '/mail/dns',
    {
      schema: {
        tags,
        summary: 'The DNS records to publish for mail, per domain (as `coo dns --json`)',
        security: tokenSecurity,
        querystring: mailDnsQuery,
        response: { 200: mailDnsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { hostname, groups } = await publishedMailRecords(services, request.query);
      return {
        hostname,
        domains: groups.map((group) => ({
          domain: group.domain,
          aliasOf: group.aliasOf,
          records: group.records.map((r) => ({
            type: r.type,
            name: r.name,
            value: r.value,
            purpose: r.note,
          })),
        })),
      };
    },
  );

  app.get(
    '/mail/queue',
    {
      schema: {
        tags,
        summary: 'The outbound queue: one entry per remote recipient, oldest first',
        security: tokenSecurity,
        querystring: queueListQuery,
        response: { 200: queueListSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { status } = request.query;
      const entries = await queue.list(status ? { statuses: [status] } : { all: true });
      return { entries: entries.map(toApiQueueEntry) };
    },
  );

  app.post(
    '/mail/queue/:id/retry',
    {
      schema: {
        tags,
        summary: 'Try a waiting entry again now (the queue picks it up within seconds)',
        security: tokenSecurity,
        params: queueEntryParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await queue.retry([request.params.id], actorOf(request));
      return reply.code(204).send();
    },
  );

  app.delete(
    '/mail/queue/:id',
    {
      schema: {
        tags,
        summary: 'Remove an entry without telling its sender',
        security: tokenSecurity,
        params: queueEntryParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await queue.delete(request.params.id, actorOf(request));
      return reply.code(204).send();
    },
  );
}
