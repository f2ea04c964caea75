import type { QueueConfig } from '../../config/schema.ts';
import { AttemptError, type RecipientResult } from './attempt-result.ts';
import type { MailResolver } from './dns.ts';
import { lookupMailHosts } from './mx-lookup.ts';
import { sendOverSmtp, type SmtpMessage, type SmtpTarget, type SmtpTimeouts } from './smtp-client.ts';

export interface RemoteDeliveryOptions {
  resolver: MailResolver;
  /** Our name: the EHLO argument, and what an MX must not point back to. */
  hostname: string;
  config: QueueConfig;
  /** The port of MX delivery: 25 (RFC 5321 §4.5.4.2 assumes it); tests point it elsewhere. */
  mxPort: number;
  timeouts: SmtpTimeouts;
}

/**
 * Hands a message for recipients of one domain to the first server that
 * answers: the smarthost when one is configured, else the domain's MX
 * servers address by address. A result per recipient; never throws.
 */
export async function deliverRemote(
  options: RemoteDeliveryOptions,
  domain: string,
  message: SmtpMessage,
): Promise<Map<string, RecipientResult>> {
  let targets: SmtpTarget[];
  try {
    targets = await routeOf(options, domain);
  } catch (error) {
    if (!(error instanceof AttemptError)) throw error;
    return new Map(message.to.map((recipient) => [recipient, error.result()]));
  }
  let lastError: AttemptError | undefined;
  for (const target of targets) {
    if (message.signal?.aborted) {
      lastError = new AttemptError(false, '4.3.2', 'delivery interrupted: this server is shutting down');
      break;
    }
    let outcome = await sendOverSmtp(target, message, options.timeouts);
    // Opportunistic TLS: a handshake that fails is retried in plain text, as Postfix's "may" does.
    if (outcome.kind === 'unreachable' && outcome.tlsFailed && target.tls === 'opportunistic') {
      outcome = await sendOverSmtp({ ...target, tls: 'none' }, message, options.timeouts);
    }
    if (outcome.kind === 'answered') return outcome.results;
    lastError = outcome.error;
  }
  const failure =
    lastError ?? new AttemptError(false, '4.4.1', `no mail server of ${domain} could be reached`);
  return new Map(message.to.map((recipient) => [recipient, failure.result()]));
}

async function routeOf(options: RemoteDeliveryOptions, domain: string): Promise<SmtpTarget[]> {
  const smarthost = options.config.smarthost;
  if (smarthost) {
    return [
      {
        host: smarthost.host,
        port: smarthost.port,
        name: smarthost.host,
        tls: smarthost.tls === 'tls' ? 'implicit' : smarthost.tls,
        verifyTls: smarthost.verify_tls,
        auth:
          smarthost.user !== undefined && smarthost.password !== undefined
            ? { user: smarthost.user, pass: smarthost.password }
            : undefined,
      },
    ];
  }
  const hosts = await lookupMailHosts(options.resolver, domain, options.hostname);
  // verify_tls: STARTTLS with a valid certificate is required (Postfix's "verify"); else opportunistic.
  const verify = options.config.verify_tls;
  return hosts.flatMap((host) =>
    host.addresses.map((address): SmtpTarget => ({
      host: address,
      port: options.mxPort,
      name: host.name,
      tls: verify ? 'starttls' : 'opportunistic',
      verifyTls: verify,
    })),
  );
}
