import type { ListenerName } from '../../config/schema.ts';
import { CooError } from '../../errors.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { parseCommand, UsageError } from '../args.ts';
import type { Command } from '../command.ts';
import { print, printJson } from '../output.ts';
import { withServices } from '../with-services.ts';

const usage = `Usage: coo dns [--domain DOMAIN] [--dmarc none|quarantine|reject] [--json] [--data DIR]

Prints every DNS record to publish for mail, per domain (alias domains too):
MX, SPF, the DKIM key, DMARC, the autoconfig/autodiscover names mail apps
look up, and the RFC 6186 SRV records of the submission, IMAP and POP3
listeners with their configured ports. The lines are in zone-file form;
a DNS console takes the name, the type and the value.

  --domain DOMAIN  only this domain
  --dmarc POLICY   the DMARC policy to publish (default quarantine: mail that
                   fails SPF and DKIM goes to spam). Start with "none" if other
                   services (a newsletter, a CRM) also send mail as the domain.
  --json           the records as JSON

--data DIR: the data dir (default ./data).`;

const TOPIC = 'dns';
const POLICIES = ['none', 'quarantine', 'reject'] as const;

async function run(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'dns',
    args,
    options: { domain: { type: 'string' }, dmarc: { type: 'string' }, json: { type: 'boolean' } },
  });
  const dmarc = values.dmarc ?? 'quarantine';
  if (!(POLICIES as readonly string[]).includes(dmarc)) {
    throw new UsageError(TOPIC, `dns: --dmarc must be one of ${POLICIES.join(', ')}`);
  }
  const { mailDnsRecords, formatZone } = await import('../../mail/autoconfig/dns-records.ts');
  const { groups, hostname } = await withServices(values.data, async (services) => {
    const wanted = values.domain?.trim().toLowerCase().replace(/\.$/, '');
    const domains = (await services.directory.domains.list()).filter((d) => !wanted || d.name === wanted);
    if (domains.length === 0) {
      throw new CooError(
        wanted ? ErrorCode.DOMAIN_UNKNOWN : ErrorCode.NOT_FOUND,
        wanted ? `unknown domain "${values.domain}"` : 'no domains yet; add one with: coo domain add DOMAIN',
      );
    }
    const withKeys = [];
    for (const domain of domains) {
      const dkim = await services.directory.domains.dkimKey(domain.name);
      withKeys.push({ name: domain.name, aliasOf: domain.aliasOf, dkim });
    }
    const ports = new Map<ListenerName, number>();
    for (const [name, address] of services.config.listeners) ports.set(name, address.port);
    const hostname = services.config.config.server.hostname;
    return {
      hostname,
      groups: mailDnsRecords({
        hostname,
        domains: withKeys,
        ports,
        dmarc: dmarc as (typeof POLICIES)[number],
      }),
    };
  });
  if (values.json) printJson(groups);
  else print(formatZone(groups, hostname));
  return 0;
}

export const dnsCommand: Command = { usage, run };
