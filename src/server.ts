import { openBlobStore } from './blob/blob-store.ts';
import { openFilesLimit, openFilesWarning } from './open-files-limit.ts';
import { createEventBus } from './bus/index.ts';
import type { EventBus } from './bus/event-bus.ts';
import { loadConfig } from './config/loader.ts';
import { formatListenAddress, type ListenAddress, type ListenerName } from './config/schema.ts';
import { CooError } from './errors.ts';
import { buildHttpApp, type HttpApp } from './http/app.ts';
import { MailCounters } from './http/metrics.ts';
import { createLogger, type Logger } from './log.ts';
import type { GatewayOptions } from './im/gateway/gateway-options.ts';
import { createMessenger, type Messenger } from './im/messenger.ts';
import { startMail, type DnsResolver, type MailSystem } from './mail/mail-system.ts';
import type { PresenceTuning } from './im/presence/presence-service.ts';
import type { PushTuning } from './im/push/push-service.ts';
import { ErrorCode } from './protocol/errors.ts';
import { openServices, type Services } from './services.ts';
import { TlsCertificates } from './tls/tls-certificates.ts';

export interface ServerOptions {
  dataDir: string;
  /** `NAME=HOST:PORT` overrides of [listen]. */
  listen?: string[];
  logger?: Logger;
  /** Tuning of the messenger for tests: shorter heartbeat, faster revocation poll. */
  messenger?: {
    gateway?: Partial<GatewayOptions>;
    revocationPollMs?: number;
    presence?: PresenceTuning;
    push?: PushTuning;
  };
  /** Mail's DNS (tests inject one, so they run offline); node:dns when absent. */
  mail?: { resolver?: DnsResolver };
}

export interface ListenerStatus {
  name: ListenerName;
  configured: string;
  /** The bound address (the real port when 0 was asked for), or why it is not running. */
  state: { kind: 'running'; address: ListenAddress } | { kind: 'skipped'; reason: string };
}

export interface RunningServer {
  services: Services;
  /** The certificate of every TLS listener; onChange() tells when an admin replaced it. */
  tls: TlsCertificates;
  messenger: Messenger;
  listeners: ListenerStatus[];
  /** The bound address of a running listener. */
  address(name: ListenerName): ListenAddress | undefined;
  /** Stops accepting, lets open requests finish, closes the database. */
  close(): Promise<void>;
}

/** The composition root: builds every service once and hands each listener what it needs. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const loaded = loadConfig(options.dataDir, options.listen);
  const logger = options.logger ?? createLogger(loaded.config.log.level);
  const tls = await TlsCertificates.load({
    certPath: loaded.paths.tlsCert,
    keyPath: loaded.paths.tlsKey,
    logger,
    // The services open just below; a replacement only comes once the listeners run.
    audit: { append: (entry) => services.audit.append(entry) },
  });
  const services = await openServices(loaded);
  const lowLimit = openFilesWarning(await openFilesLimit());
  if (lowLimit) logger.warn(lowLimit);
  let bus: EventBus | undefined;
  let http: HttpApp | undefined;
  let messenger: Messenger | undefined;
  let mail: MailSystem | undefined;
  const listeners: ListenerStatus[] = [];
  // Counted by the queue from its start, shown on /metrics once the http listener is built.
  const mailCounters = new MailCounters();
  try {
    const blobs = await openBlobStore(loaded, services.store.db);
    bus = await createEventBus({
      redisUrl: loaded.config.redis.url,
      namespace: loaded.config.redis.namespace,
      onError: (error, context) => logger.error({ err: error, bus: context }, 'event bus error'),
    });
    messenger = await createMessenger({
      services,
      bus,
      blobs,
      logger,
      config: loaded,
      gateway: options.messenger?.gateway,
      revocationPollMs: options.messenger?.revocationPollMs,
      presence: options.messenger?.presence,
      push: options.messenger?.push,
    });
    mail = await startMail({
      services,
      bus,
      blobs,
      logger,
      config: loaded,
      tls,
      resolver: options.mail?.resolver,
      metrics: mailCounters,
    });
    for (const [name, configured] of loaded.listeners) {
      const status: ListenerStatus = {
        name,
        configured: formatListenAddress(configured),
        state: { kind: 'skipped', reason: 'not built yet' },
      };
      listeners.push(status);
      if (name !== 'http') {
        const running = await listenMail(mail, name, configured);
        if (!running) {
          logger.info(
            { listener: name, address: status.configured },
            `listener ${name} skipped: not built yet`,
          );
          continue;
        }
        status.state = { kind: 'running', address: running.address };
        logger.info(
          { listener: name, address: formatListenAddress(running.address) },
          `listener ${name} on ${formatListenAddress(running.address)}`,
        );
        continue;
      }
      http = await buildHttpApp({ services, logger, tls, listeners: () => listeners, messenger });
      mailCounters.registerIn(http.metricsRegistry);
      const address = await listen(http, name, configured);
      status.state = { kind: 'running', address };
      logger.info(
        { listener: name, address: formatListenAddress(address) },
        `listener ${name} on https://${formatListenAddress(address)}/`,
      );
    }
  } catch (error) {
    await mail?.close();
    await messenger?.close();
    await http?.close();
    await bus?.close();
    await services.close();
    throw error;
  }
  const openBus = bus;
  const openMessenger = messenger;
  const openMail = mail;
  const stopWatchingTls = tls.watchFiles();
  return {
    services,
    tls,
    messenger: openMessenger,
    listeners,
    address: (name) => {
      const state = listeners.find((l) => l.name === name)?.state;
      return state?.kind === 'running' ? state.address : undefined;
    },
    close: async () => {
      logger.info('shutting down: draining connections');
      stopWatchingTls();
      // Sessions first (WebSocket 1001, SMTP 421…), so they end while the database and bus are still there.
      await openMail.close();
      await openMessenger.close();
      await http?.close();
      await openBus.close();
      await services.close();
      logger.info('stopped');
    },
  };
}

/** A mail listener, with the same one-line errors as the http listener. */
async function listenMail(
  mail: MailSystem,
  name: ListenerName,
  address: ListenAddress,
): Promise<{ address: ListenAddress } | undefined> {
  try {
    return await mail.listen(name, address);
  } catch (error) {
    throw listenError(name, address, error);
  }
}

async function listen(app: HttpApp, name: ListenerName, address: ListenAddress): Promise<ListenAddress> {
  try {
    await app.listen({
      host: address.host,
      port: address.port,
      listenTextResolver: (url) => `${name} reachable at ${url}`,
    });
  } catch (error) {
    throw listenError(name, address, error);
  }
  const bound = app.server.address();
  if (bound === null || typeof bound === 'string') return address;
  return { host: bound.address, port: bound.port };
}

function listenError(name: ListenerName, address: ListenAddress, error: unknown): CooError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `listener ${name}: cannot listen on ${formatListenAddress(address)}`;
  const hint =
    code === 'EACCES'
      ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)'
      : code === 'EADDRINUSE'
        ? 'the address is already in use'
        : code === 'EADDRNOTAVAIL'
          ? 'no such local address'
          : (error as Error).message;
  return new CooError(
    ErrorCode.CONFIG_INVALID,
    `${where}: ${hint}; choose another with --listen ${name}=HOST:PORT`,
  );
}
