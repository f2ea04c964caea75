import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MailMetricsPort, OutboundKind } from '../mail/ports.ts';
import type { ListenerStatus } from '../server.ts';
import type { Store } from '../store/database.ts';
import { queueStatistics, QueueStatus } from '../store/mail-queue.ts';
import { directoryCounts, type DirectoryCounts } from '../store/monitoring.ts';
import { memoize } from './memoize.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The registry GET /metrics answers from; server.ts adds mail's counters to it (MailCounters). */
    metricsRegistry: Registry;
  }
}

export interface MetricsDeps {
  store: Store;
  listeners: () => ListenerStatus[];
}

/** Counts are read once per scrape, however many gauges ask for them. */
const COUNTS_TTL_MS = 1000;

const DIRECTORY_GAUGES: { name: string; help: string; value: (counts: DirectoryCounts) => number }[] = [
  { name: 'coo_users', help: 'User accounts, disabled ones included.', value: (c) => c.users },
  { name: 'coo_users_disabled', help: 'Disabled user accounts.', value: (c) => c.disabledUsers },
  { name: 'coo_admins', help: 'Accounts with the admin role.', value: (c) => c.admins },
  { name: 'coo_org_units', help: 'Org units (departments).', value: (c) => c.orgUnits },
  { name: 'coo_groups', help: 'Groups.', value: (c) => c.groups },
  { name: 'coo_domains', help: 'Mail domains, aliases included.', value: (c) => c.domains },
  {
    name: 'coo_api_tokens_active',
    help: 'API tokens neither revoked nor expired.',
    value: (c) => c.activeApiTokens,
  },
  { name: 'coo_audit_log_entries', help: 'Entries in the audit log.', value: (c) => c.auditEntries },
];

/**
 * Prometheus metrics on GET /metrics: the process (a registry per app, never
 * the global one, so two servers in one process do not mix), every HTTP
 * request by route and status, the directory's and the outbound queue's
 * sizes read at scrape time, and the queue's outcome counters (MailCounters).
 * Open without authentication, like /healthz: it tells sizes, never names.
 */
export function installMetrics(app: FastifyInstance, deps: MetricsDeps): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'coo_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'coo_http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its answer.',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: one series per route however many users there are.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: reply.statusCode,
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  const counts = memoize(() => directoryCounts(deps.store.db), COUNTS_TTL_MS);
  new Gauge({
    name: 'coo_database_up',
    help: '1 when the database answered the counts of this scrape, else 0.',
    registers: [registry],
    async collect() {
      this.set(
        await counts().then(
          () => 1,
          () => 0,
        ),
      );
    },
  });
  for (const gauge of DIRECTORY_GAUGES) {
    new Gauge({
      name: gauge.name,
      help: gauge.help,
      registers: [registry],
      async collect() {
        // A failed count keeps the last value; coo_database_up tells it is stale.
        const current = await counts().catch(() => undefined);
        if (current) this.set(gauge.value(current));
      },
    });
  }
  installQueueGauges(registry, deps.store);
  new Gauge({
    name: 'coo_listener_up',
    help: '1 for each configured listener that is running, 0 for one that is skipped.',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      for (const listener of deps.listeners()) {
        this.set({ listener: listener.name }, listener.state.kind === 'running' ? 1 : 0);
      }
    },
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  app.decorate('metricsRegistry', registry);
  return registry;
}

/** The outbound queue's size, read at scrape time (one grouped query per scrape). */
function installQueueGauges(registry: Registry, store: Store): void {
  const statistics = memoize(() => queueStatistics(store.db), COUNTS_TTL_MS);
  new Gauge({
    name: 'coo_mail_queue_messages',
    help: 'Outbound queue entries (one per recipient) by status; delivered and failed ones are kept a day.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const current = await statistics().catch(() => undefined);
      if (!current) return;
      for (const status of Object.values(QueueStatus)) this.set({ status }, current.byStatus[status]);
    },
  });
  new Gauge({
    name: 'coo_mail_queue_oldest_seconds',
    help: 'Age of the oldest entry still queued, in seconds; 0 when the queue is empty.',
    registers: [registry],
    async collect() {
      const current = await statistics().catch(() => undefined);
      if (!current) return;
      const oldest = current.oldestQueuedAt;
      this.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    },
  });
}

/** Every kind of queued mail, so each counter series exists (at 0) from the start. */
const OUTBOUND_KINDS: readonly OutboundKind[] = ['submission', 'forward', 'bounce', 'autoreply', 'notice'];

/**
 * The outbound queue's outcome counters. Made by server.ts before the mail
 * system starts (the queue worker counts into it through MailMetricsPort)
 * and added to the HTTP app's registry once that exists.
 */
export class MailCounters implements MailMetricsPort {
  readonly #delivered = new Counter({
    name: 'coo_mail_delivered_total',
    help: 'Queue entries handed over (to the remote server, or delivered here), by kind of mail.',
    labelNames: ['kind'],
    registers: [],
  });
  readonly #deferred = new Counter({
    name: 'coo_mail_deferred_total',
    help: 'Delivery attempts of a queue entry that failed for now (tried again later).',
    registers: [],
  });
  readonly #bounced = new Counter({
    name: 'coo_mail_bounced_total',
    help: 'Queue entries that failed for good (refused, or too old) and were returned to the sender.',
    registers: [],
  });

  constructor() {
    for (const kind of OUTBOUND_KINDS) this.#delivered.inc({ kind }, 0);
  }

  delivered(kind: string): void {
    this.#delivered.inc({ kind });
  }

  deferred(): void {
    this.#deferred.inc();
  }

  bounced(): void {
    this.#bounced.inc();
  }

  /** Adds the counters to a registry (the HTTP app's). */
  registerIn(registry: Registry): void {
    for (const metric of [this.#delivered, this.#deferred, this.#bounced]) registry.registerMetric(metric);
  }
}
