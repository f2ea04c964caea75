import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Services } from '../../services.ts';
import { actorOf } from '../auth.ts';
import { errorResponses, noContent, tokenSecurity, type ApiApp } from './common.schema.ts';
import {
  createDomainBody,
  domainListSchema,
  domainParams,
  domainSchema,
  toApiDomain,
} from './domains.schema.ts';

const tags = ['domains'];

/** /domains: the mail domains, their aliases and the default one. */
export function registerDomainRoutes(app: ApiApp, services: Services): void {
  const domains = services.directory.domains;

  app.get(
    '/domains',
    {
      schema: {
        tags,
        summary: 'List domains',
        security: tokenSecurity,
        response: { 200: domainListSchema, ...errorResponses },
      },
    },
    async () => ({ domains: (await domains.list()).map(toApiDomain) }),
  );

  app.post(
    '/domains',
    {
      schema: {
        tags,
        summary: 'Add a domain (with its own DKIM key) or an alias domain',
        security: tokenSecurity,
        body: createDomainBody,
        response: { 201: domainSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name, aliasOf, makeDefault } = request.body;
      const added = await domains.add(name, actorOf(request), { aliasOf, makeDefault });
      const domain = (await domains.list()).find((d) => d.name === added.name);
      // Only a concurrent removal gets here; say so rather than answer 201 with nothing.
      if (!domain)
        throw new CooError(ErrorCode.DOMAIN_UNKNOWN, `domain "${added.name}" was removed meanwhile`);
      return reply.code(201).send(toApiDomain(domain));
    },
  );

  app.post(
    '/domains/:name/default',
    {
      schema: {
        tags,
        summary: 'Make a domain the default one',
        security: tokenSecurity,
        params: domainParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await domains.setDefault(request.params.name, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.delete(
    '/domains/:name',
    {
      schema: {
        tags,
        summary: 'Remove a domain that has no users left',
        security: tokenSecurity,
        params: domainParams,
        response: { 204: noContent, ...errorResponses },
      },
    },
    async (request, reply) => {
      await domains.remove(request.params.name, actorOf(request));
      return reply.code(204).send();
    },
  );
}
