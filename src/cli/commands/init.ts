import { loadConfig } from '../../config/loader.ts';
import { formatListenAddress, type ListenAddress } from '../../config/schema.ts';
import { initDataDir, type InitResult } from '../../init.ts';
import { parseCommand, requireOption } from '../args.ts';
import type { Command } from '../command.ts';
import { formatKeyValues, print } from '../output.ts';
import { readPassword } from '../password-input.ts';

const usage = `Usage: coo init --data DIR --domain DOMAIN --admin ADDRESS [options]

Creates a data dir: the configuration (coo.toml, commented), the database, a
self-signed TLS certificate for the host name, the domain with its DKIM key,
Web Push keys and the first administrator. Refuses a dir that already exists
and is not empty.

Options:
  --data DIR              the data dir to create (default ./data)
  --domain DOMAIN         the first mail domain, e.g. example.com
  --admin ADDRESS         the first administrator, in that domain
  --password-stdin        read the admin's password from standard input
                          (otherwise one is generated and shown once)
  --hostname NAME         this server's name (default: the domain)
  --listen NAME=HOST:PORT a listener address, or NAME=off; repeatable
                          (http smtp submission submissions imap imaps pop3 pop3s)
  --database-url URL      use PostgreSQL ("postgres://...") instead of SQLite`;

export const initCommand: Command = {
  usage,
  async run(args) {
    const command = 'init';
    const { values } = parseCommand({
      topic: 'init',
      command,
      args,
      options: {
        domain: { type: 'string' },
        admin: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        hostname: { type: 'string' },
        listen: { type: 'string', multiple: true },
        'database-url': { type: 'string' },
      },
    });
    const domain = requireOption('init', command, 'domain', values.domain);
    const admin = requireOption('init', command, 'admin', values.admin);
    const password = values['password-stdin'] ? await readPassword() : undefined;
    const result = await initDataDir({
      dataDir: values.data,
      domain,
      admin,
      password,
      hostname: values.hostname,
      listen: values.listen,
      databaseUrl: values['database-url'],
    });
    printCreated(result, domain);
    return 0;
  },
};

function printCreated(result: InitResult, domain: string): void {
  const loaded = loadConfig(result.dataDir);
  const database = loaded.config.database.url
    ? `PostgreSQL ${maskPassword(loaded.config.database.url)}`
    : loaded.paths.sqlite;
  const listeners = [...result.listen].map(([name, address]) => `${name} ${formatListenAddress(address)}`);
  print(`Created the Coo data dir ${result.dataDir}:`);
  for (const line of formatKeyValues([
    ['config', loaded.file],
    ['database', database],
    ['certificate', `${loaded.paths.tlsCert} (self-signed for ${result.hostname})`],
    ['domain', `${domain.toLowerCase()} with its DKIM key`],
    ['web push', 'VAPID keys'],
    ['listeners', listeners.join(', ') || 'none'],
  ])) {
    print(`  ${line}`);
  }
  print();
  printCredentials(result.hostname, result.listen.get('http'), result.admin, result.generatedPassword);
  print();
  print(`Start it with: coo serve --data ${result.dataDir}`);
}

/** The URL, admin and (when generated) password block shared by init and a first serve. */
export function printCredentials(
  hostname: string,
  http: ListenAddress | undefined,
  admin: string,
  password: string | undefined,
  write: (line: string) => void = print,
): void {
  write(http ? `URL:      ${httpUrl(hostname, http)}` : 'URL:      (the http listener is off)');
  write(`Admin:    ${admin}`);
  if (password !== undefined) write(`Password (shown once): ${password}`);
}

export function httpUrl(hostname: string, address: ListenAddress): string {
  return `https://${hostname}${portSuffix(address.port)}/`;
}

function portSuffix(port: number): string {
  return port === 443 ? '' : `:${port}`;
}

/** An address to reach a listener from this machine: wildcard binds become loopback. */
export function localUrl(address: ListenAddress): string {
  const host = address.host === '0.0.0.0' || address.host === '' ? '127.0.0.1' : address.host;
  const shown = host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `https://${shown}${portSuffix(address.port)}/`;
}

function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
