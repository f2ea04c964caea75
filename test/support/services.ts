import type { AuthConfig } from '../../src/config/schema.ts';
import { wireServices } from '../../src/services.ts';
import type { Store } from '../../src/store/database.ts';

/** Cheap hashing for tests that create many users; tests of the real cost set their own. */
export const FAST_AUTH: AuthConfig = {
  argon2_memory_kib: 1024,
  argon2_passes: 1,
  argon2_parallelism: 1,
  import_argon2_memory_kib: 1024,
  import_argon2_passes: 1,
  failure_window_seconds: 900,
  max_failures_per_account: 5,
  max_failures_per_address: 20,
};

export function servicesOver(store: Store, auth: AuthConfig = FAST_AUTH) {
  return wireServices(store, auth);
}
