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

async function run(args: string[]): Promise<number> {
  const { values } = parseCommand({
    topic: TOPIC,
    command: 'dns',
    args,
    options: { domain: { type: 'string' }, dmarc: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [{ formatZone }, { DMARC_POLICIES, publishedMailRecords }] = await Promise.all([
    import('../../mail/autoconfig/dns-records.ts'),
    import('../../mail/autoconfig/published-records.ts'),
  ]);
  const dmarc = DMARC_POLICIES.find((policy) => policy === (values.dmarc ?? 'quarantine'));
  if (!dmarc) throw new UsageError(TOPIC, `dns: --dmarc must be one of ${DMARC_POLICIES.join(', ')}`);
  const { groups, hostname } = await withServices(values.data, async (services) => {
    const published = await publishedMailRecords(services, { domain: values.domain, dmarc });
    // Unlike the API's empty list, a command line that prints nothing would look broken.
    if (published.groups.length === 0) {
      throw new CooError(ErrorCode.NOT_FOUND, 'no domains yet; add one with: coo domain add DOMAIN');
    }
    return published;
  });
  if (values.json) printJson(groups);
  else print(formatZone(groups, hostname));
  return 0;
}

export const dnsCommand: Command = { usage, run };
