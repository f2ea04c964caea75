import { z } from 'zod';
import type { Domain } from '../../directory/domain-service.ts';
import type { ApiDomain } from '../../protocol/admin-api.ts';
import { LIMITS } from './common.schema.ts';

export const domainSchema = z
  .object({
    name: z.string(),
    aliasOf: z.string().nullable().describe('For an alias domain, the domain whose users it reaches'),
    isDefault: z.boolean().describe('Logins without "@domain" use the default domain'),
    dkimSelector: z.string().nullable(),
  })
  .meta({ id: 'Domain' }) satisfies z.ZodType<ApiDomain>;

export const domainListSchema = z.object({ domains: z.array(domainSchema) });

const domainName = z.string().trim().min(1).max(LIMITS.domain);

export const domainParams = z.object({ name: domainName });

export const createDomainBody = z.strictObject({
  name: domainName,
  aliasOf: domainName.optional().describe('Make this an alias of an existing domain'),
  makeDefault: z.boolean().default(false),
});

export function toApiDomain(domain: Domain): ApiDomain {
  return {
    name: domain.name,
    aliasOf: domain.aliasOf,
    isDefault: domain.isDefault,
    dkimSelector: domain.dkimSelector,
  };
}
