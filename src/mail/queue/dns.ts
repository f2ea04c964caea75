import type { DnsResolver } from '../mail-system.ts';

/**
 * The DNS queries mail delivery makes, behind an interface so tests (and an
 * offline LAN) can answer them without a DNS server. By default they go to
 * the mail context's resolver (node:dns).
 */
export interface MailResolver {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  resolve4(host: string): Promise<string[]>;
  resolve6(host: string): Promise<string[]>;
}

/** Errors node:dns reports for "the name exists, but has no record of that type". */
export const NO_DATA_CODES: ReadonlySet<string> = new Set(['ENODATA']);
/** "No such name" (NXDOMAIN). */
export const NO_NAME_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENONAME']);

/** The queries of delivery over the mail context's resolver (node:dns, or the one a test injects). */
export function mailResolverOver(resolve: DnsResolver): MailResolver {
  return {
    resolveMx: async (domain) => (await resolve(domain, 'MX')) as { exchange: string; priority: number }[],
    resolve4: async (host) => (await resolve(host, 'A')) as string[],
    resolve6: async (host) => (await resolve(host, 'AAAA')) as string[],
  };
}

export function dnsErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}
