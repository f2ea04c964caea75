import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ListenerStatus } from '../server.ts';
import type { Store } from '../store/database.ts';
import { directoryCounts, type DirectoryCounts } from '../store/monitoring.ts';
import { memoize } from './memoize.ts';

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
 * request by route and status, and the directory's sizes read at scrape time.
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
  return registry;
}
