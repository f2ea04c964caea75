import { ApiTokenService } from './auth/api-tokens.ts';
import { AuthService } from './auth/auth-service.ts';
import { loginThrottleConfigFromAuth, MemoryLoginThrottle } from './auth/login-throttle.ts';
import { checkPasswordPolicy, hashPassword, passwordParamsFromConfig } from './auth/password.ts';
import { AuditLog } from './audit/audit-log.ts';
import type { LoadedConfig } from './config/loader.ts';
import type { AuthConfig } from './config/schema.ts';
import { createDirectory, type Directory } from './directory/index.ts';
import { createVisibilityPolicy, type VisibilityService } from './directory/visibility/index.ts';
import { openStore, type DatabaseTarget, type Store } from './store/database.ts';

/** The services over one store, wired once; the CLI, the server and the tests share this. */
export interface CoreServices {
  store: Store;
  audit: AuditLog;
  directory: Directory;
  auth: AuthService;
  tokens: ApiTokenService;
  /** Who may see and message whom: the one policy every entry point asks. */
  visibility: VisibilityService;
}

/** Everything but the listeners: what the CLI and the server share. */
export interface Services extends CoreServices {
  config: LoadedConfig;
  close(): Promise<void>;
}

export function databaseTarget(loaded: LoadedConfig): DatabaseTarget {
  const url = loaded.config.database.url;
  return url ? { kind: 'postgres', url } : { kind: 'sqlite', file: loaded.paths.sqlite };
}

export function wireServices(store: Store, authConfig: AuthConfig): CoreServices {
  const audit = new AuditLog(store);
  const params = passwordParamsFromConfig(authConfig);
  const directory = createDirectory({
    store,
    audit,
    hashPassword: (password) => hashPassword(password, params),
    checkPasswordPolicy,
  });
  const throttle = new MemoryLoginThrottle(loginThrottleConfigFromAuth(authConfig));
  const auth = new AuthService({ users: directory.users, audit, throttle, config: authConfig });
  const tokens = new ApiTokenService({ store, users: directory.users, audit });
  const visibility = createVisibilityPolicy({ store, audit, directory });
  return { store, audit, directory, auth, tokens, visibility };
}

export async function openServices(loaded: LoadedConfig): Promise<Services> {
  const store = await openStore(databaseTarget(loaded));
  const services = wireServices(store, loaded.config.auth);
  return {
    ...services,
    config: loaded,
    close: async () => {
      // What is still pending is chained before the database goes.
      await services.audit.close();
      await store.close();
    },
  };
}
