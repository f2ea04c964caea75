import { promises as dns } from 'node:dns';
import type { BlobStore } from '../blob/blob-store.ts';
import type { EventBus } from '../bus/event-bus.ts';
import type { LoadedConfig } from '../config/loader.ts';
import type { ListenAddress, ListenerName } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services.ts';
import { createLocalDelivery } from './delivery/index.ts';
import type { LocalDeliveryPort, MailMetricsPort, OutboundQueuePort } from './ports.ts';
import { imapModule } from './imap/index.ts';
import { pop3Module } from './pop3/index.ts';
import { createOutboundQueue, queueModule } from './queue/index.ts';
import { smtpModule } from './smtp/index.ts';
import { submissionModule } from './submission/index.ts';

/**
 * The composition of mail: one local delivery, one outbound queue, and the
 * listeners of each mail protocol. server.ts asks it to start the mail
 * listeners; a protocol that has no factory here is skipped.
 */
export interface MailContext {
  services: Services;
  bus: EventBus;
  blobs: BlobStore;
  logger: Logger;
  config: LoadedConfig;
  /** PEM texts of the certificate (with its chain) and the private key, for TLS and STARTTLS. */
  tls: {
    readonly certPem: string;
    readonly keyPem: string;
    /** A replaced certificate (console, API, `coo tls install`): listeners switch to it for new connections. */
    onChange?: (listener: (pair: { certPem: string; keyPem: string }) => void) => () => void;
  };
  localDelivery: LocalDeliveryPort;
  queue: OutboundQueuePort;
  /** DNS of mail (SPF, DKIM, DMARC, DNSBL, MX): node:dns's resolve unless injected (tests run offline). */
  resolver: DnsResolver;
  /** Counters of the queue's outcomes for /metrics (server.ts hands them in); none when absent. */
  metrics?: MailMetricsPort;
}

/**
 * A DNS query as node:dns's `resolve(name, rrtype)` answers it (TXT: string
 * chunks per record, MX: {exchange, priority}…); failures reject with its
 * error codes (ENOTFOUND, ENODATA, ETIMEOUT, ECONNREFUSED…).
 */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

export interface RunningListener {
  /** The bound address (the real port when 0 was asked for). */
  address: ListenAddress;
  /** Stops accepting and ends open sessions politely (421 / BYE / -ERR). */
  close(): Promise<void>;
}

export type ListenerFactory = (context: MailContext, address: ListenAddress) => Promise<RunningListener>;

/** Background work of mail (the queue's delivery loop…), stopped at shutdown. */
export interface MailWorker {
  close(): Promise<void>;
}

export interface MailModule {
  listeners?: Partial<Record<ListenerName, ListenerFactory>>;
  start?: (context: MailContext) => Promise<MailWorker>;
}

/** What server.ts hands over; the ports are built here, and the resolver defaults to node:dns. */
export type MailBase = Omit<MailContext, 'localDelivery' | 'queue' | 'resolver'> & { resolver?: DnsResolver };

export interface MailSystem {
  /** Starts a mail listener; undefined when that protocol is not built. */
  listen(name: ListenerName, address: ListenAddress): Promise<RunningListener | undefined>;
  /** Closes the listeners, then the background work. */
  close(): Promise<void>;
}

/**
 * Builds the ports (each may use the other: forwarding queues, a bounce to a
 * local sender is delivered locally, so the context is completed before
 * either is used) and starts every module's background work.
 */
export async function startMail(
  base: MailBase,
  modules: readonly MailModule[] = MAIL_MODULES,
): Promise<MailSystem> {
  const context = {
    ...base,
    resolver: base.resolver ?? ((name, rrtype) => dns.resolve(name, rrtype)),
  } as MailContext;
  context.queue = createOutboundQueue(context);
  context.localDelivery = createLocalDelivery(context);
  const workers: MailWorker[] = [];
  const listeners: RunningListener[] = [];
  try {
    for (const module of modules) if (module.start) workers.push(await module.start(context));
  } catch (error) {
    for (const worker of workers.reverse()) await worker.close();
    throw error;
  }
  return {
    async listen(name, address) {
      const factory = modules.find((module) => module.listeners?.[name])?.listeners?.[name];
      if (!factory) return undefined;
      const listener = await factory(context, address);
      listeners.push(listener);
      return listener;
    },
    async close() {
      await Promise.all(listeners.map((listener) => listener.close()));
      for (const worker of workers.reverse()) await worker.close();
    },
  };
}

const MAIL_MODULES: readonly MailModule[] = [
  smtpModule,
  submissionModule,
  queueModule,
  pop3Module,
  imapModule,
];
