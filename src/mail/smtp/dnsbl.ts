import { isIPv4, isIPv6 } from 'node:net';
import type { DnsResolver } from '../mail-system.ts';

/**
 * DNS blocklists (RFC 5782): the address, reversed, under each zone; an A
 * record in 127.0.0.0/8 means listed. A lookup that fails for any other
 * reason (no DNS on a LAN, a timeout) counts as not listed: a blocklist
 * must never stop mail because it cannot be asked.
 */
export interface DnsblHit {
  zone: string;
  answer: string;
}

const LOOKUP_TIMEOUT_MS = 5000;

/** The first zone that lists the address, or undefined. Private and loopback addresses are never asked. */
export async function checkDnsbl(
  resolver: DnsResolver,
  zones: readonly string[],
  address: string,
): Promise<DnsblHit | undefined> {
  if (zones.length === 0 || isLocalAddress(address)) return undefined;
  const reversed = reverseName(address);
  if (!reversed) return undefined;
  const answers = await Promise.all(
    zones.map(async (zone) => {
      const records = await withTimeout(resolver(`${reversed}.${zone}`, 'A'), LOOKUP_TIMEOUT_MS).catch(
        () => undefined,
      );
      const listed = Array.isArray(records)
        ? records.find((record) => typeof record === 'string' && record.startsWith('127.'))
        : undefined;
      return typeof listed === 'string' ? { zone, answer: listed } : undefined;
    }),
  );
  return answers.find((answer) => answer !== undefined);
}

/** RFC 5782 §2.1 (IPv4: octets reversed) and §2.4 (IPv6: nibbles reversed). */
export function reverseName(address: string): string | undefined {
  const plain = address.replace(/^::ffff:/i, '');
  if (isIPv4(plain)) return plain.split('.').reverse().join('.');
  if (!isIPv6(plain)) return undefined;
  const [head = '', tail = ''] = plain.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill('0'), ...tailGroups];
  return groups
    .map((group) => group.padStart(4, '0'))
    .join('')
    .split('')
    .reverse()
    .join('.');
}

/** Loopback, private (RFC 1918), link-local and unique-local addresses: a LAN's own hosts. */
export function isLocalAddress(address: string): boolean {
  const plain = address.replace(/^::ffff:/i, '').toLowerCase();
  if (isIPv4(plain)) {
    const [a = 0, b = 0] = plain.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  return plain === '::1' || plain.startsWith('fe80:') || plain.startsWith('fc') || plain.startsWith('fd');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('DNS lookup timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
