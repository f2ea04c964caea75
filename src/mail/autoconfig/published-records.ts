import type { ListenerName } from '../../config/schema.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Services } from '../../services.ts';
import { mailDnsRecords, type DmarcPolicy, type DomainRecords } from './dns-records.ts';

export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const satisfies readonly DmarcPolicy[];

export interface PublishedRecords {
  hostname: string;
  groups: DomainRecords[];
}

/**
 * The records to publish for the server's domains (or one of them), with
 * their DKIM keys and the configured listener ports: what `coo dns` prints
 * and GET /api/v1/mail/dns answers, gathered in one place so both agree.
 * An unknown `domain` is DOMAIN_UNKNOWN; no domains at all is an empty list.
 */
export async function publishedMailRecords(
  services: Services,
  options: { domain?: string; dmarc: DmarcPolicy },
): Promise<PublishedRecords> {
  // Names are stored lower case without the root dot; a zone-file style "example.com." is accepted too.
  const wanted = options.domain?.trim().toLowerCase().replace(/\.$/, '');
  const domains = (await services.directory.domains.list()).filter((d) => !wanted || d.name === wanted);
  if (wanted && domains.length === 0) {
    throw new CooError(ErrorCode.DOMAIN_UNKNOWN, `unknown domain "${options.domain ?? ''}"`);
  }
  const withKeys = [];
  for (const domain of domains) {
    const dkim = await services.directory.domains.dkimKey(domain.name);
    withKeys.push({ name: domain.name, aliasOf: domain.aliasOf, dkim });
  }
  const ports = new Map<ListenerName, number>();
  for (const [name, address] of services.config.listeners) ports.set(name, address.port);
  const hostname = services.config.config.server.hostname;
  return { hostname, groups: mailDnsRecords({ hostname, domains: withKeys, ports, dmarc: options.dmarc }) };
}
