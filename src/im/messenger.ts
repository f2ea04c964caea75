/**
 * The messenger's composition: every area's services, frame handlers,
 * session lifecycles and sync sources, built once over the foundation's
 * services and handed to the WebSocket gateway. Each area adds itself in the
 * marked places.
 */
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { BlobStore } from '../blob/blob-store.ts';
import type { EventBus } from '../bus/event-bus.ts';
import type { LoadedConfig } from '../config/loader.ts';
import type { ApiApp } from '../http/routes/common.schema.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services.ts';
import { AdminSettings } from '../settings/admin-settings.ts';
import { ConnectionRegistry } from './gateway/connection-registry.ts';
import { BusDelivery } from './gateway/delivery.ts';
import { ImGateway } from './gateway/gateway.ts';
import { DEFAULT_GATEWAY_OPTIONS, type GatewayOptions } from './gateway/gateway-options.ts';
import { DeviceService } from './sessions/device-service.ts';
import { installDeviceAdminRoutes } from './sessions/device-routes.ts';
import { requireUserSession, requireUserSessionOrTicket } from './sessions/rest-auth.ts';
import { SessionControl } from './sessions/session-control.ts';
import { sessionHandlers } from './sessions/session-handlers.ts';
import { SessionService } from './sessions/session-service.ts';
import type { FrameHandler, SessionLifecycle, SyncSource, UserDelivery } from './types.ts';
import { createFilesArea, type FilesArea } from './files/files-area.ts';
import { pushHandlers } from './push/push-handlers.ts';
import { installBotApi } from './bots/bot-api-routes.ts';
import { BotPoster } from './bots/bot-poster.ts';
import { BotService } from './bots/bot-service.ts';
import { createMessagingArea, type MessagingArea } from './conversations/messaging-area.ts';
import { PushService, type PushTuning } from './push/push-service.ts';
import { hostname } from 'node:os';
import { directoryHandlers } from './directory/directory-handlers.ts';
import { DirectoryService } from './directory/directory-service.ts';
import { presenceHandlers } from './presence/presence-handlers.ts';
import { PresenceService, type PresenceTuning } from './presence/presence-service.ts';
import { followAutoAwaySetting, readAutoAwayMinutes } from './presence/presence-settings.ts';

export interface MessengerDeps {
  services: Services;
  bus: EventBus;
  blobs: BlobStore;
  logger: Logger;
  config: LoadedConfig;
  /** Overrides of the gateway's limits and timers (tests shorten the heartbeat). */
  gateway?: Partial<GatewayOptions>;
  /** How often to look for devices revoked by the CLI (ms). */
  revocationPollMs?: number;
  /** Web Push for tests: an agent trusting a local push service. */
  push?: PushTuning;
  /** Overrides of presence timing (tests shorten the grace period and the flush interval). */
  presence?: PresenceTuning;
}

export interface Messenger {
  handlers: FrameHandler[];
  lifecycles: SessionLifecycle[];
  syncSources: SyncSource[];
  delivery: UserDelivery;
  /** Devices and resume tokens (also the REST bearer check). */
  devices: DeviceService;
  sessions: SessionService;
  /** This node's logged-in connections. */
  registry: ConnectionRegistry;
  gateway: ImGateway;
  /** preHandler for client REST routes: `Authorization: Bearer <resumeToken>` → request.imUser (imUserOf). */
  userSession: preHandlerAsyncHookHandler;
  /** Presence on this node: OnlineCheck, and the delta counters for the benchmark. */
  presence: PresenceService;
  /** Uploads, downloads and attachments (the AttachmentRegistry is `files.files`). */
  files: FilesArea;
  /** Web Push: subscriptions and the PushNotifier. */
  push: PushService;
  /** Conversations, messages and memos (what bots post through, too). */
  messaging: MessagingArea;
  /** Adds the messenger's REST routes and the WebSocket at /ws to the http listener (before it is ready). */
  install(app: ApiApp): void;
  /** Closes every WebSocket (1001), then stops the areas. The bus is the caller's to close after. */
  close(): Promise<void>;
}

export async function createMessenger(deps: MessengerDeps): Promise<Messenger> {
  const { services, bus, logger } = deps;
  const options: GatewayOptions = { ...DEFAULT_GATEWAY_OPTIONS, ...deps.gateway };
  const registry = new ConnectionRegistry();
  const delivery = new BusDelivery({ bus, registry, logger });
  const settings = new AdminSettings({ store: services.store, audit: services.audit });
  const devices = new DeviceService({
    store: services.store,
    audit: services.audit,
    users: services.directory.users,
  });
  const control = new SessionControl({
    bus,
    registry,
    store: services.store,
    logger,
    pollMs: deps.revocationPollMs,
  });
  const sessions = new SessionService({ services, devices, control, settings, logger });

  const handlers: FrameHandler[] = [];
  const lifecycles: SessionLifecycle[] = [];
  const syncSources: SyncSource[] = [];
  /** REST routes of the areas: each gets the Fastify app (routes under /api/v1/im/...). */
  const routes: ((app: ApiApp) => void)[] = [];
  /** Run at shutdown, after the WebSockets closed, in reverse order. */
  const closers: (() => Promise<void> | void)[] = [];
  /** preHandler for client REST routes: `Authorization: Bearer <resumeToken>` → request.imUser. */
  const userSession = requireUserSession(devices);

  handlers.push(...sessionHandlers({ devices, control, syncSources }));
  routes.push((app) => installDeviceAdminRoutes(app, { tokens: services.tokens, devices, control }));

  // areas: add your handlers here — build your services from `services`, `bus`,
  // `delivery`, `deps.blobs`, `deps.config`, then push your frame handlers to
  // `handlers`, your SessionLifecycle to `lifecycles`, your SyncSource to
  // `syncSources`, your REST installers to `routes` (use `userSession` as
  // preHandler for client routes) and your shutdown to `closers`.

  /** The one visibility policy every area asks. */
  const policy = services.visibility;

  // Presence (also the OnlineCheck other areas ask) and the directory over the protocol.
  const presence = new PresenceService({
    bus,
    policy,
    nodeId: hostname(),
    autoAwayMinutes: await readAutoAwayMinutes(services.store.db, (value) =>
      logger.warn({ value }, 'im.auto_away_minutes is not a number of minutes from 0 to 1440; using 10'),
    ),
    onError: (error, context) => logger.error({ err: error }, `presence: ${context}`),
    ...deps.presence,
  });
  await presence.start();
  const stopFollowingAutoAway = followAutoAwaySetting(
    services.store.db,
    (minutes) => presence.setAutoAwayMinutes(minutes),
    (error) => logger.error({ err: error }, 'presence: reading im.auto_away_minutes failed'),
  );
  lifecycles.push(presence);
  handlers.push(...presenceHandlers(presence));
  const imDirectory = new DirectoryService({
    store: services.store,
    directory: services.directory,
    policy,
    presence,
  });
  handlers.push(...directoryHandlers(imDirectory, presence));
  closers.push(async () => {
    stopFollowingAutoAway();
    await presence.close();
  });
  // Files (tus uploads, downloads, attachments) and Web Push: the AttachmentRegistry
  // (`files.files`) and PushNotifier (`push`) the conversations and memos use.
  const files = createFilesArea({
    services,
    blobs: deps.blobs,
    dataDir: deps.config.dataDir,
    maxUploadBytes: deps.config.config.im.max_upload_size,
    logger,
  });
  routes.push((app) =>
    files.installRoutes(app, {
      userSession,
      downloadSession: requireUserSessionOrTicket(devices),
      issueTicket: (deviceId, fileId) => devices.issueDownloadTicket(deviceId, fileId),
    }),
  );
  closers.push(() => files.close());
  const push = new PushService({
    store: services.store,
    domains: services.directory.domains,
    logger,
    ...deps.push,
  });
  handlers.push(...pushHandlers(push));
  // Conversations, messages and memos.
  const messaging = createMessagingArea({
    services,
    delivery,
    policy,
    online: presence,
    push,
    attachments: files.files,
    log: logger,
  });
  handlers.push(...messaging.handlers);
  syncSources.push(...messaging.syncSources);
  routes.push((app) => messaging.installRoutes(app, userSession));
  // Bots of the integration API post through the same conversations and memos services.
  const botPoster = new BotPoster({
    directory: services.directory,
    conversations: messaging.conversations,
    messages: messaging.messages,
    memos: messaging.memos,
    policy,
  });
  routes.push((app) => installBotApi(app, { bots: new BotService(services), poster: botPoster }));

  await delivery.start();
  await control.start();
  const gateway = new ImGateway({ options, logger, handlers, lifecycles, gate: sessions, registry });

  return {
    handlers,
    lifecycles,
    syncSources,
    delivery,
    devices,
    sessions,
    registry,
    gateway,
    userSession,
    presence,
    files,
    push,
    messaging,
    install(app) {
      if (!app.hasRequestDecorator('imUser')) app.decorateRequest('imUser', null);
      for (const install of routes) install(app);
      gateway.attach(app.server);
    },
    async close() {
      await gateway.close();
      for (const close of closers.reverse()) {
        try {
          await close();
        } catch (error) {
          logger.error({ err: error }, 'im: an area failed to close');
        }
      }
      await control.stop();
      await delivery.stop();
    },
  };
}
