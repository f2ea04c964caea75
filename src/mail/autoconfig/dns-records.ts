import { createPublicKey } from 'node:crypto';
import type { ListenerName } from '../../config/schema.ts';
import { dkimDnsRecord } from '../dkim/keys.ts';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface DnsRecord {
  /** Fully qualified, with the final dot. */
  name: string;
  type: 'MX' | 'TXT' | 'CNAME' | 'SRV';
  /** As a DNS console takes it (TXT without quotes). */
  value: string;
  /** TXT only: the value cut into strings of at most 255 characters, for a zone file. */
  strings?: string[];
  /** What it is for, one line. */
  note: string;
}

export interface DomainRecords {
  domain: string;
  aliasOf: string | null;
  records: DnsRecord[];
}

export interface DnsRecordsInput {
  hostname: string;
  domains: readonly {
    name: string;
    aliasOf: string | null;
    dkim?: { selector: string; privateKeyPem: string };
  }[];
  /** Configured ports of the mail listeners; a missing one is published as "not offered". */
  ports: ReadonlyMap<ListenerName, number>;
  dmarc: DmarcPolicy;
}

// RFC 6186 §3.1 (and RFC 8314 §5.1 for submissions): the SRV records mail apps look up.
const SRV_SERVICES: readonly { service: string; listener: ListenerName }[] = [
  { service: '_submissions._tcp', listener: 'submissions' },
  { service: '_submission._tcp', listener: 'submission' },
  { service: '_imaps._tcp', listener: 'imaps' },
  { service: '_imap._tcp', listener: 'imap' },
  { service: '_pop3s._tcp', listener: 'pop3s' },
  { service: '_pop3._tcp', listener: 'pop3' },
];

/** Every record a domain needs for mail to and from this server. */
export function mailDnsRecords(input: DnsRecordsInput): DomainRecords[] {
  const host = `${input.hostname}.`;
  return input.domains.map((domain) => {
    const zone = `${domain.name}.`;
    const records: DnsRecord[] = [
      { name: zone, type: 'MX', value: `10 ${host}`, note: 'mail for the domain comes to this server' },
      // RFC 7208: only the domain's MX (this server) may send as it; everything else fails.
      {
        name: zone,
        type: 'TXT',
        value: 'v=spf1 mx -all',
        note: 'SPF: only this server sends mail as the domain',
      },
    ];
    if (domain.dkim) {
      const publicKey = createPublicKey(domain.dkim.privateKeyPem).export({ type: 'spki', format: 'der' });
      const dkim = dkimDnsRecord(domain.name, domain.dkim.selector, publicKey.toString('base64'));
      records.push({
        name: `${dkim.name}.`,
        type: 'TXT',
        value: dkim.value,
        strings: dkim.strings,
        note: 'DKIM: the public key that checks the signature on mail sent from here',
      });
    }
    records.push({
      name: `_dmarc.${zone}`,
      type: 'TXT',
      value: `v=DMARC1; p=${input.dmarc}`,
      note: dmarcNote(input.dmarc),
    });
    for (const name of ['autoconfig', 'autodiscover']) {
      records.push({
        name: `${name}.${zone}`,
        type: 'CNAME',
        value: host,
        note: 'mail apps fetch their settings here',
      });
    }
    for (const { service, listener } of SRV_SERVICES) {
      const port = input.ports.get(listener);
      // RFC 6186 §4: target "." says the service is not offered, so apps do not try it.
      const value = port === undefined ? '0 0 0 .' : `0 1 ${port} ${host}`;
      const note = port === undefined ? `${listener} is off: not offered` : `mail apps find ${listener} here`;
      records.push({ name: `${service}.${zone}`, type: 'SRV', value, note });
    }
    return { domain: domain.name, aliasOf: domain.aliasOf, records };
  });
}

function dmarcNote(policy: DmarcPolicy): string {
  switch (policy) {
    case 'none':
      return 'DMARC: report only; mail failing SPF and DKIM is still delivered';
    case 'quarantine':
      return 'DMARC: mail failing SPF and DKIM goes to spam; use p=none first if other services send as the domain';
    case 'reject':
      return 'DMARC: mail failing SPF and DKIM is refused';
    default: {
      const unknown: never = policy;
      throw new Error(`unknown DMARC policy ${String(unknown)}`);
    }
  }
}

/** Zone-file lines, one comment and one record each, grouped by domain. */
export function formatZone(groups: readonly DomainRecords[], hostname: string): string {
  const lines = [
    `; DNS records for mail with Coo on ${hostname}.`,
    `; ${hostname}. also needs A (and AAAA) records with this server's public address,`,
    '; and the PTR record of that address should name it.',
  ];
  for (const group of groups) {
    lines.push('', `; ── ${group.domain}${group.aliasOf ? ` (alias of ${group.aliasOf})` : ''}`);
    const width = Math.max(...group.records.map((r) => r.name.length));
    for (const record of group.records) {
      const value =
        record.type === 'TXT'
          ? (record.strings ?? [record.value]).map((s) => `"${s}"`).join(' ')
          : record.value;
      lines.push(`; ${record.note}`);
      lines.push(`${record.name.padEnd(width)}  IN  ${record.type.padEnd(5)}  ${value}`);
    }
  }
  return lines.join('\n');
}
