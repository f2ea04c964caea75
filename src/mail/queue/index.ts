import type { Services } from '../../services.ts';
import { findUserById } from '../../store/users.ts';
import type { MailContext, MailModule, MailWorker } from '../mail-system.ts';
import type { OutboundQueuePort } from '../ports.ts';
import { mailResolverOver, type MailResolver } from './dns.ts';
import { OutboundQueue } from './outbound-queue.ts';
import { UNCOUNTED, type QueueDeps } from './queue-deps.ts';
import { QueueWorker, type QueueWorkerTuning } from './queue-worker.ts';
import { DEFAULT_SMTP_TIMEOUTS, type SmtpTimeouts } from './smtp-client.ts';

/** The outbound queue: durable, MX delivery with retries, DSNs. */
export function createOutboundQueue(context: MailContext): OutboundQueuePort {
  return new OutboundQueue(context.services.store);
}

/** What tests (and later tools) may change about the worker; production uses the defaults. */
export interface QueueWorkerOptions {
  resolver?: MailResolver;
  now?: () => number;
  mxPort?: number;
  timeouts?: SmtpTimeouts;
  tuning?: Partial<QueueWorkerTuning>;
}

// Our domains change rarely (an admin adds one); asking the database for every job is not needed.
const DOMAIN_CACHE_MS = 10_000;

/** The worker's dependencies from the mail context. */
export function queueDeps(
  context: Pick<
    MailContext,
    'services' | 'blobs' | 'logger' | 'config' | 'resolver' | 'localDelivery' | 'metrics'
  >,
  options: QueueWorkerOptions,
  wake: () => void,
): QueueDeps {
  const services = context.services;
  return {
    store: services.store,
    audit: services.audit,
    blobs: context.blobs,
    logger: context.logger,
    localDelivery: context.localDelivery,
    isLocalDomain: localDomainCheck(services),
    userAddress: async (userId) => (await findUserById(services.store.db, userId))?.address,
    hostname: context.config.config.server.hostname,
    config: context.config.config.queue,
    resolver: options.resolver ?? mailResolverOver(context.resolver),
    now: options.now ?? Date.now,
    mxPort: options.mxPort ?? 25,
    timeouts: options.timeouts ?? DEFAULT_SMTP_TIMEOUTS,
    wake,
    metrics: context.metrics ?? UNCOUNTED,
  };
}

function localDomainCheck(services: Services): (domain: string) => Promise<boolean> {
  let cached: { at: number; names: Set<string> } | undefined;
  return async (domain) => {
    const now = Date.now();
    if (!cached || now - cached.at > DOMAIN_CACHE_MS) {
      const domains = await services.directory.domains.list();
      cached = { at: now, names: new Set(domains.map((d) => d.name)) };
    }
    return cached.names.has(domain.toLowerCase());
  };
}

/** Builds a worker over a mail context; the loop starts with start(). */
export function createQueueWorker(context: MailContext, options: QueueWorkerOptions = {}): QueueWorker {
  const worker: QueueWorker = new QueueWorker(
    queueDeps(context, options, () => worker.wake()),
    options.tuning,
  );
  return worker;
}

/** The queue's delivery loop, woken by every enqueue of this process. */
export const queueModule: MailModule = {
  start: async (context): Promise<MailWorker> => {
    const worker = createQueueWorker(context);
    const stop =
      context.queue instanceof OutboundQueue ? context.queue.onEnqueued(() => worker.wake()) : undefined;
    worker.start();
    return {
      close: async () => {
        stop?.();
        await worker.close();
      },
    };
  },
};

export { OutboundQueue } from './outbound-queue.ts';
export { QueueAdmin } from './queue-admin.ts';
export { QueueWorker } from './queue-worker.ts';
export type { MailResolver } from './dns.ts';
