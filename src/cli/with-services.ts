import type { Services } from '../services.ts';

/**
 * Opens the services of a data dir for one command and closes them after, so
 * the process exits as soon as the command is done. Safe while `coo serve`
 * runs on the same data dir: SQLite is in WAL mode, PostgreSQL is shared anyway.
 *
 * The services (database drivers, argon2, zod) load here, on first use, so
 * that `--help` and usage errors answer at once.
 */
export async function withServices<T>(dataDir: string, run: (services: Services) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { openServices }] = await Promise.all([
    import('../config/loader.ts'),
    import('../services.ts'),
  ]);
  const services = await openServices(loadConfig(dataDir));
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}
