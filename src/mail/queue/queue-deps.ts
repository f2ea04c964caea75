import type { BlobStore } from '../../blob/blob-store.ts';
import type { QueueConfig } from '../../config/schema.ts';
import type { AuditSink } from '../../directory/types.ts';
import type { Logger } from '../../log.ts';
import type { Store } from '../../store/database.ts';
import type { LocalDeliveryPort, MailMetricsPort } from '../ports.ts';
import type { MailResolver } from './dns.ts';
import type { SmtpTimeouts } from './smtp-client.ts';

/** What the queue's delivery needs, handed over once (tests give their own resolver, clock, port). */
export interface QueueDeps {
  store: Store;
  audit: AuditSink;
  blobs: BlobStore;
  logger: Logger;
  localDelivery: LocalDeliveryPort;
  /** True for our own domains (main and alias): their mail goes to local delivery, not over SMTP. */
  isLocalDomain(domain: string): Promise<boolean>;
  /** The address of a user, for local deliveries of mail they submitted. */
  userAddress(userId: number): Promise<string | undefined>;
  /** [server] hostname: EHLO, Reporting-MTA. */
  hostname: string;
  config: QueueConfig;
  resolver: MailResolver;
  now(): number;
  /** 25, except in tests. */
  mxPort: number;
  timeouts: SmtpTimeouts;
  /** Called when rows were added (a DSN), so the worker looks at once. */
  wake(): void;
  /** Counts each entry's outcome once it is committed (GET /metrics). */
  metrics: MailMetricsPort;
}

/** When nobody watches: outcomes are not counted. */
export const UNCOUNTED: MailMetricsPort = {
  delivered: () => undefined,
  deferred: () => undefined,
  bounced: () => undefined,
};

/** The wait before attempt `attempts + 1`: doubling from retry_min_seconds up to retry_max_seconds. */
export function retryDelayMs(attempts: number, config: QueueConfig): number {
  const seconds = config.retry_min_seconds * 2 ** Math.max(0, attempts - 1);
  return Math.min(seconds, Math.max(config.retry_min_seconds, config.retry_max_seconds)) * 1000;
}

/** The DSN options stored with a row (RFC 3461), JSON in mail_queue.options. */
export interface QueueRowOptions {
  ret?: 'FULL' | 'HDRS';
  envid?: string;
}

export function parseRowOptions(text: string): QueueRowOptions {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const options: QueueRowOptions = {};
    if (value.ret === 'FULL' || value.ret === 'HDRS') options.ret = value.ret;
    if (typeof value.envid === 'string') options.envid = value.envid;
    return options;
  } catch {
    return {};
  }
}

/** The domain of an address, lower case ("" when there is no "@"). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at === -1 ? '' : address.slice(at + 1).toLowerCase();
}
