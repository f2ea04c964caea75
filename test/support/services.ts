import type { AuthConfig } from '../../src/config/schema.ts';
import { CLI_ACTOR } from '../../src/directory/types.ts';
import { DeviceService } from '../../src/im/sessions/device-service.ts';
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

/** A new user and a DeviceService over the store: where tests of device tokens start. */
export async function userWithDeviceService(
  store: Store,
  address: string,
  options: { displayName?: string; now?: () => number } = {},
) {
  const services = servicesOver(store);
  await services.directory.users.create(
    address,
    { displayName: options.displayName ?? address.split('@')[0] ?? address },
    CLI_ACTOR,
    { password: 'a long enough password' },
  );
  const devices = new DeviceService({
    store,
    audit: services.audit,
    users: services.directory.users,
    ...(options.now ? { now: options.now } : {}),
  });
  return { services, devices, row: await services.directory.users.requireRow(address) };
}
