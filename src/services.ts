import { ApiTokenService } from './auth/api-tokens.ts';
import { AuthService } from './auth/auth-service.ts';
import { loginThrottleConfigFromAuth, MemoryLoginThrottle } from './auth/login-throttle.ts';
import { checkPasswordPolicy, hashPassword, passwordParamsFromConfig } from './auth/password.ts';
import { AuditLog } from './audit/audit-log.ts';
import type { LoadedConfig } from './config/loader.ts';
import { createDirectory, type Directory } from './directory/index.ts';
import { openStore, type DatabaseTarget, type Store } from './store/database.ts';

/** Everything but the listeners: what the CLI and the server share. */
export interface Services {
  config: LoadedConfig;
  store: Store;
  audit: AuditLog;
  directory: Directory;
  auth: AuthService;
  tokens: ApiTokenService;
  close(): Promise<void>;
}

export function databaseTarget(loaded: LoadedConfig): DatabaseTarget {
  const url = loaded.config.database.url;
  return url ? { kind: 'postgres', url } : { kind: 'sqlite', file: loaded.paths.sqlite };
}

export async function openServices(loaded: LoadedConfig): Promise<Services> {
  const store = await openStore(databaseTarget(loaded));
  const authConfig = loaded.config.auth;
  const audit = new AuditLog(store);
  const directory = createDirectory({
    store,
    audit,
    hashPassword: (password) => hashPassword(password, passwordParamsFromConfig(authConfig)),
    checkPasswordPolicy,
  });
  const throttle = new MemoryLoginThrottle(loginThrottleConfigFromAuth(authConfig));
  const auth = new AuthService({ users: directory.users, audit, throttle, config: authConfig });
  const tokens = new ApiTokenService({ store, users: directory.users, audit });
  return { config: loaded, store, audit, directory, auth, tokens, close: () => store.close() };
}
