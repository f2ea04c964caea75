import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';
import { checkPasswordPolicy, generatePassword } from './auth/password.ts';
import { CONFIG_FILE, configPath, parseConfig, parseListenOverride } from './config/loader.ts';
import { LISTENER_NAMES, type ListenAddress, type ListenerName } from './config/schema.ts';
import { renderConfig, STANDARD_PORTS, UNPRIVILEGED_PORTS } from './config/template.ts';
import { normalizeDomain, parseAddress } from './directory/address.ts';
import { CLI_ACTOR, auditRecord } from './directory/types.ts';
import { CooError } from './errors.ts';
import { generateVapidKeys, VAPID_SETTING } from './im/push/vapid.ts';
import { ErrorCode } from './protocol/errors.ts';
import { openServices } from './services.ts';
import { putSetting } from './store/settings.ts';
import { generateSelfSignedCertificate } from './tls/self-signed.ts';
import { writeTlsFiles } from './tls/tls-files.ts';

export interface InitOptions {
  dataDir: string;
  domain: string;
  admin: string;
  /** The admin's password; generated (and returned) when absent. */
  password?: string;
  hostname?: string;
  listen?: string[];
  databaseUrl?: string;
}

export interface InitResult {
  dataDir: string;
  hostname: string;
  admin: string;
  /** Set when the password was generated: shown once, never stored in clear. */
  generatedPassword?: string;
  listen: Map<ListenerName, ListenAddress>;
}

export { VAPID_SETTING };

/** A domain for a first run with no --domain: the machine's own, else "<host>.internal". */
export function defaultDomain(host = osHostname()): { domain: string; hostname: string } {
  const name = host.toLowerCase();
  const labels = name.split('.');
  if (labels.length >= 3) return { domain: labels.slice(1).join('.'), hostname: name };
  if (labels.length === 2) return { domain: name, hostname: name };
  return { domain: `${name}.internal`, hostname: `${name}.internal` };
}

function defaultListeners(overrides: string[]): Map<ListenerName, ListenAddress> {
  const privileged = process.getuid?.() === 0;
  const ports = privileged ? STANDARD_PORTS : UNPRIVILEGED_PORTS;
  const listen = new Map<ListenerName, ListenAddress>(
    LISTENER_NAMES.map((name) => [name, { host: '0.0.0.0', port: ports[name] }]),
  );
  for (const override of overrides) {
    const [name, address] = parseListenOverride(override);
    if (address) listen.set(name, address);
    else listen.delete(name);
  }
  return listen;
}

/**
 * Creates a data dir: config, database, TLS certificate, the domain with its
 * DKIM key, Web Push keys and the first administrator. Everything is checked
 * before anything is written, and a failure half-way removes what was made.
 */
export async function initDataDir(options: InitOptions): Promise<InitResult> {
  const dataDir = path.resolve(options.dataDir);
  const domain = normalizeDomain(options.domain);
  const admin = parseAddress(options.admin);
  if (admin.domain !== domain) {
    throw new CooError(ErrorCode.INVALID_INPUT, `--admin ${admin.address} is not in --domain ${domain}`);
  }
  const hostname = options.hostname ? normalizeDomain(options.hostname) : domain;
  const generatedPassword = options.password === undefined ? generatePassword() : undefined;
  const password = options.password ?? generatedPassword ?? '';
  checkPasswordPolicy(password);
  const listen = defaultListeners(options.listen ?? []);
  refuseExisting(dataDir);

  const configText = renderConfig({ hostname, listen, databaseUrl: options.databaseUrl });
  const loaded = parseConfig(configText, configPath(dataDir));
  const created = !existsSync(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(loaded.file, configText, { mode: 0o600, flag: 'wx' });
    await writeTlsFiles(
      loaded.paths.tlsCert,
      loaded.paths.tlsKey,
      await generateSelfSignedCertificate(hostname),
    );
    const services = await openServices(loaded);
    try {
      await services.directory.domains.add(domain, CLI_ACTOR);
      await putSetting(services.store.db, VAPID_SETTING, generateVapidKeys());
      await services.directory.users.create(
        admin.address,
        { displayName: 'Administrator', isAdmin: true },
        CLI_ACTOR,
        {
          password,
        },
      );
      await services.audit.append(auditRecord(CLI_ACTOR, 'system.init', dataDir, { domain, hostname }));
    } finally {
      await services.close();
    }
  } catch (error) {
    if (created) rmSync(dataDir, { recursive: true, force: true });
    else
      for (const entry of readdirSync(dataDir))
        rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    throw error;
  }
  return { dataDir, hostname, admin: admin.address, generatedPassword, listen };
}

function refuseExisting(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (existsSync(path.join(dataDir, CONFIG_FILE))) {
    throw new CooError(
      ErrorCode.DATA_DIR_EXISTS,
      `${dataDir} already holds a Coo data dir; refusing to overwrite it`,
    );
  }
  if (readdirSync(dataDir).length > 0) {
    throw new CooError(ErrorCode.DATA_DIR_EXISTS, `${dataDir} is not empty; choose an empty or new folder`);
  }
}
