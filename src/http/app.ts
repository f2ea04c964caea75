import { randomUUID } from 'node:crypto';
import type { Server as HttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { Logger } from '../log.ts';
import type { ListenerStatus } from '../server.ts';
import type { Services } from '../services.ts';
import { installAdminApi } from './admin-api.ts';
import { installErrorHandling, sendError } from './error-handler.ts';
import { installHealthCheck } from './health.ts';
import { acceptJsonBodiesOnly } from './json-body.ts';
import { installMetrics } from './metrics.ts';
import type { DashboardSources } from './routes/dashboard.ts';
import { installWebClient } from './web-client.ts';
import { installMailAutoconfig } from '../mail/autoconfig/routes.ts';
import { HTTP_LIMITS } from './limits.ts';
import { installOpenApi } from './openapi.ts';
import type { ApiApp } from './routes/common.schema.ts';
import type { TlsCertificates } from '../tls/tls-certificates.ts';

export interface HttpAppOptions {
  /**
   * Trust X-Forwarded-For from these proxies (Fastify's trustProxy). Off by
   * default: the client IP in the audit log is then the connection's address,
   * which nobody can forge.
   */
  trustProxy?: boolean | string | string[];
}

export interface HttpAppDeps {
  services: Services;
  logger: Logger;
  /** The certificate (with its chain) and key: served, shown and replaced through the API, swapped at once. */
  tls: TlsCertificates;
  /** The listeners and their state, read when metrics are scraped. */
  listeners: () => ListenerStatus[];
  options?: HttpAppOptions;
  /** The messenger: its REST routes and the WebSocket at /ws, added before the app is ready. */
  messenger?: { install(app: ApiApp): void; registry?: DashboardSources['connections'] };
  /** The built web client (default web/dist); without an index.html there, `/` explains how to build it. */
  webClientDir?: string;
}

export type HttpApp = FastifyInstance;

/**
 * The `http` listener: HTTPS only, with /healthz, /metrics, the REST admin API
 * under /api/v1 with its OpenAPI document, and the web client. Not yet listening:
 * the caller calls listen().
 */
export async function buildHttpApp(deps: HttpAppDeps): Promise<HttpApp> {
  // Seen as Fastify's logger type, so routes need no pino-specific type parameter.
  const logger: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    https: { cert: deps.tls.certPem, key: deps.tls.keyPem },
    loggerInstance: logger,
    // One line per request from the onResponse hook below, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: HTTP_LIMITS.bodyBytes,
    requestTimeout: HTTP_LIMITS.requestTimeoutMs,
    handlerTimeout: HTTP_LIMITS.handlerTimeoutMs,
    keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    trustProxy: deps.options?.trustProxy ?? false,
    return503OnClosing: true,
    routerOptions: { maxParamLength: HTTP_LIMITS.paramChars },
    frameworkErrors: (error, request, reply) => {
      sendError(error, request, reply);
    },
  });
  const api: ApiApp = app.withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  swapCertificateOnChange(app, deps.tls);
  installErrorHandling(app);
  acceptJsonBodiesOnly(app);
  installRequestLog(app);
  installSecurityHeaders(app);

  await installOpenApi(api, packageJson.version);
  installHealthCheck(api, deps.services.store);
  installMetrics(app, { store: deps.services.store, listeners: deps.listeners });
  installAdminApi(api, deps.services, {
    dashboard: { connections: deps.messenger?.registry, listeners: deps.listeners },
    tls: deps.tls,
  });
  deps.messenger?.install(api);
  await installMailAutoconfig(app, deps.services, deps.listeners);
  await installWebClient(app, deps.webClientDir);
  await app.ready();
  return app;
}

/** New handshakes use a replaced certificate at once; open connections keep the one they agreed on. */
function swapCertificateOnChange(app: FastifyInstance, tls: TlsCertificates): void {
  // Fastify types its server as http.Server; with the https option it is an https.Server.
  const server = app.server as unknown as HttpsServer;
  const unsubscribe = tls.onChange((pair) =>
    server.setSecureContext({ cert: pair.certPem, key: pair.keyPem }),
  );
  app.addHook('onClose', async () => {
    unsubscribe();
  });
}

/** One log line per request; probes and scrapes only at debug level, so they do not flood the log. */
function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    const quiet = route === '/healthz' || route === '/metrics';
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      remote: request.ip,
      admin: request.admin?.address,
    };
    if (quiet) request.log.debug(line, 'http request');
    else request.log.info(line, 'http request');
  });
}

function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    // Admin data must not linger in shared or browser caches.
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}
