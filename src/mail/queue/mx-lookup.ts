import net from 'node:net';
import { AttemptError } from './attempt-result.ts';
import { dnsErrorCode, NO_DATA_CODES, NO_NAME_CODES, type MailResolver } from './dns.ts';

/** A mail server of a destination and its addresses, in the order to try them. */
export interface MailHost {
  name: string;
  addresses: string[];
}

/**
 * The servers that receive mail for a domain (RFC 5321 §5.1): its MX records
 * by preference (equal ones shuffled), or, when it has none, the domain
 * itself as an implicit MX. A null MX (RFC 7505) or a domain that does not
 * exist fails for good; a DNS server that does not answer is a temporary
 * failure, so an offline LAN keeps its mail queued.
 */
export async function lookupMailHosts(
  resolver: MailResolver,
  domain: string,
  ownHostname: string,
): Promise<MailHost[]> {
  const names = await mxNames(resolver, domain);
  const self = ownHostname.toLowerCase();
  // RFC 5321 §5.1: a mail loop back to this server is an error, not a route.
  if (names.some((name) => name === self)) {
    throw new AttemptError(true, '5.4.6', `mail for ${domain} loops back to myself (${self})`);
  }
  const hosts: MailHost[] = [];
  let lastError: unknown;
  for (const name of names) {
    try {
      const addresses = await hostAddresses(resolver, name);
      if (addresses.length > 0) hosts.push({ name, addresses });
    } catch (error) {
      lastError = error;
    }
  }
  if (hosts.length === 0) {
    const why = lastError === undefined ? 'no addresses' : `DNS error ${dnsErrorCode(lastError)}`;
    throw new AttemptError(
      false,
      '4.4.3',
      `cannot find the mail servers of ${domain} (${names.join(', ')}: ${why})`,
    );
  }
  return hosts;
}

async function mxNames(resolver: MailResolver, domain: string): Promise<string[]> {
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolver.resolveMx(domain);
  } catch (error) {
    const code = dnsErrorCode(error);
    if (NO_DATA_CODES.has(code)) return [domain];
    if (NO_NAME_CODES.has(code)) {
      throw new AttemptError(true, '5.1.2', `the domain ${domain} does not exist (DNS: ${code})`);
    }
    throw new AttemptError(false, '4.4.3', `DNS lookup of the MX records of ${domain} failed (${code})`);
  }
  if (records.length === 0) return [domain];
  // RFC 7505 §3: a single MX with an empty exchange: the domain accepts no mail.
  if (records.length === 1 && (records[0]?.exchange ?? '').replace(/\.$/, '') === '') {
    throw new AttemptError(true, '5.1.10', `the domain ${domain} accepts no mail (null MX, RFC 7505)`);
  }
  const shuffled = records
    .filter((record) => record.exchange.replace(/\.$/, '') !== '')
    .map((record) => ({ record, tiebreak: Math.random() }));
  shuffled.sort((a, b) => a.record.priority - b.record.priority || a.tiebreak - b.tiebreak);
  return [...new Set(shuffled.map(({ record }) => record.exchange.replace(/\.$/, '').toLowerCase()))];
}

/** IPv4 first: a LAN without IPv6 routes would otherwise wait for every IPv6 connection to time out. */
async function hostAddresses(resolver: MailResolver, host: string): Promise<string[]> {
  if (net.isIP(host)) return [host];
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
  const addresses = [
    ...(v4.status === 'fulfilled' ? v4.value : []),
    ...(v6.status === 'fulfilled' ? v6.value : []),
  ];
  if (addresses.length > 0) return addresses;
  // Both failed: "no such record" is an empty answer, anything else an error to report.
  for (const outcome of [v4, v6]) {
    if (outcome.status === 'rejected' && !NO_DATA_CODES.has(dnsErrorCode(outcome.reason)))
      throw outcome.reason;
  }
  return [];
}
