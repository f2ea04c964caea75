import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Store } from '../store/database.ts';
import { pingDatabase } from '../store/monitoring.ts';

/** A database that has not answered by then counts as down: a probe must answer quickly. */
export const HEALTH_TIMEOUT_MS = 2000;

const healthSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  /** What is down, when something is. */
  problem: z.string().optional(),
});

/**
 * GET /healthz for load balancers and monitors: 200 when the database answers
 * a trivial query, 503 otherwise. No authentication, no details beyond which
 * dependency failed (the log has the error).
 */
export function installHealthCheck(app: FastifyInstance, store: Store): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and database check (no authentication)',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (request, reply) => {
      try {
        await withTimeout(pingDatabase(store.db), HEALTH_TIMEOUT_MS);
        return reply.code(200).send({ status: 'ok' });
      } catch (error) {
        request.log.warn({ err: error }, 'health check: the database does not answer');
        return reply.code(503).send({ status: 'unavailable', problem: 'database' });
      }
    },
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
