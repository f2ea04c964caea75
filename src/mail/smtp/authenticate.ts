import type { Readable } from 'node:stream';
import { authenticate, type DNSResolver } from 'mailauth';
import type { Logger } from '../../log.ts';
import type { DnsResolver } from '../mail-system.ts';

/**
 * SPF (RFC 7208), DKIM (RFC 6376), DMARC (RFC 7489) and ARC (RFC 8617)
 * checks of an inbound message with mailauth, over the injected resolver.
 * With no DNS at all (a LAN) every lookup fails and the results say
 * temperror: the mail is still accepted for local users.
 */
export interface InboundAuthentication {
  /** Header fields to prepend (Authentication-Results, Received-SPF), each ending in CRLF. */
  headerFields: string;
  /** The sender domain's DMARC policy says reject and the message failed it (RFC 7489 §6.6.2). */
  dmarcReject: boolean;
  /** One word per method for the log: spf, dkim, dmarc, arc. */
  summary: { spf: string; dkim: string; dmarc: string; arc: string };
}

/** No lookup may hold a session longer: a LAN's unreachable DNS server otherwise costs c-ares' retries. */
const LOOKUP_TIMEOUT_MS = 4000;

export async function authenticateInbound(
  message: Buffer | Readable,
  envelope: { ip: string; helo: string; sender: string; hostname: string },
  resolver: DnsResolver,
  logger: Logger,
): Promise<InboundAuthentication> {
  try {
    const result = await authenticate(message, {
      ip: envelope.ip,
      helo: envelope.helo,
      sender: envelope.sender,
      mta: envelope.hostname,
      resolver: withTimeout(resolver),
      disableBimi: true,
    });
    const dmarc = result.dmarc;
    const arcResult = result.arc ? result.arc.status.result : 'none';
    const dmarcReject =
      dmarc !== false &&
      dmarc.status.result === 'fail' &&
      dmarc.policy === 'reject' &&
      !dmarc.testMode &&
      // RFC 8617 §7.2.1: a receiver may trust a passing ARC chain over a DMARC failure (a forwarder).
      arcResult !== 'pass';
    return {
      headerFields: normaliseLineEnds(result.headers),
      dmarcReject,
      summary: {
        spf: result.spf ? result.spf.status.result : 'none',
        dkim: result.dkim.results.map((row) => row.status.result).join(',') || 'none',
        dmarc: dmarc ? dmarc.status.result : 'none',
        arc: arcResult,
      },
    };
  } catch (error) {
    // A bug or an input mailauth cannot handle must not cost the mail: record that nothing was verified.
    logger.warn({ err: error }, 'smtp: authentication checks failed; message accepted unverified');
    return {
      headerFields: `Authentication-Results: ${envelope.hostname}; none (checks failed)\r\n`,
      dmarcReject: false,
      summary: { spf: 'none', dkim: 'none', dmarc: 'none', arc: 'none' },
    };
  }
}

function withTimeout(resolver: DnsResolver): DNSResolver {
  return async (name, rrtype) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`query ${rrtype} ${name} timed out`), { code: 'ETIMEOUT' })),
        LOOKUP_TIMEOUT_MS,
      );
    });
    try {
      return (await Promise.race([resolver(name, rrtype), timeout])) as string[][] | string[];
    } finally {
      clearTimeout(timer);
    }
  };
}

function normaliseLineEnds(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}
