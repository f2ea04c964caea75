import { loadConfig } from '../config/loader.ts';
import { openServices, type Services } from '../services.ts';

/**
 * Opens the services of a data dir for one command and closes them after, so
 * the process exits as soon as the command is done. Safe while `coo serve`
 * runs on the same data dir: SQLite is in WAL mode, PostgreSQL is shared anyway.
 */
export async function withServices<T>(dataDir: string, run: (services: Services) => Promise<T>): Promise<T> {
  const services = await openServices(loadConfig(dataDir));
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}
