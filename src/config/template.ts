import { formatListenAddress, LISTENER_NAMES, type ListenAddress, type ListenerName } from './schema.ts';

/** Standard ports, used when Coo may bind them (root or CAP_NET_BIND_SERVICE). */
export const STANDARD_PORTS: Record<ListenerName, number> = {
  http: 443,
  smtp: 25,
  submission: 587,
  submissions: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
};

/** Unprivileged stand-ins, used when init runs as an ordinary user. */
export const UNPRIVILEGED_PORTS: Record<ListenerName, number> = {
  http: 8443,
  smtp: 2525,
  submission: 5587,
  submissions: 5465,
  imap: 1143,
  imaps: 1993,
  pop3: 1110,
  pop3s: 1995,
};

const LISTENER_HELP: Record<ListenerName, string> = {
  http: 'web client, REST API and WebSocket (HTTPS)',
  smtp: 'mail from the internet (MX), STARTTLS offered',
  submission: 'mail apps sending, STARTTLS then AUTH',
  submissions: 'mail apps sending over implicit TLS',
  imap: 'mail apps reading, STARTTLS then LOGIN',
  imaps: 'mail apps reading over implicit TLS',
  pop3: 'POP3, STLS then USER/PASS',
  pop3s: 'POP3 over implicit TLS',
};

export interface TemplateOptions {
  hostname: string;
  listen: Map<ListenerName, ListenAddress>;
  databaseUrl?: string;
}

/** The commented coo.toml that `coo init` writes. Every key is documented in docs/configuration.md. */
export function renderConfig(options: TemplateOptions): string {
  const width = Math.max(...LISTENER_NAMES.map((n) => n.length));
  const listen = LISTENER_NAMES.map((name) => {
    const address = options.listen.get(name);
    const value = address ? formatListenAddress(address) : 'off';
    return `${name.padEnd(width)} = "${value}"${' '.repeat(Math.max(1, 22 - value.length))}# ${LISTENER_HELP[name]}`;
  }).join('\n');
  const database = options.databaseUrl
    ? `url = "${options.databaseUrl}"`
    : `# url = "postgres://coo@127.0.0.1:5432/coo"   # PostgreSQL instead of the embedded SQLite file\nsqlite = "coo.db"                             # the embedded database, relative to this folder`;
  return `# Coo configuration. Paths are relative to this folder (the data dir).
# Reference: docs/configuration.md. Check a change with "coo config check".

[server]
# The name clients and other mail servers use to reach this machine; it is on
# the TLS certificate and in the SMTP greeting.
hostname = "${options.hostname}"

[listen]
# NAME = "HOST:PORT", or "off". "0.0.0.0" is every IPv4 address, "[::]" every
# IPv6 one. "coo serve --listen NAME=HOST:PORT" overrides one for a run.
${listen}

[database]
${database}

[redis]
# Set when several "coo serve" nodes share one PostgreSQL: events and presence
# then go through Redis pub/sub.
# url = "redis://127.0.0.1:6379"
# Channel prefix (default "coo"), when several deployments share one Redis.
# namespace = "coo"

[tls]
# Every listener speaks TLS. "coo init" generated a self-signed certificate;
# replace these files with your own (PEM) and restart, or point elsewhere.
cert = "tls/cert.pem"
key = "tls/key.pem"

[blobs]
# Mail bodies and files, stored by their SHA-256.
path = "blobs"

[auth]
# argon2id cost of each password hash (OWASP's recommended minimum by default).
argon2_memory_kib = 19456
argon2_passes = 2
argon2_parallelism = 1
# Failed logins are counted over this window, per account and per remote address;
# past the limit, logins are refused until failures age out of the window.
failure_window_seconds = 900
max_failures_per_account = 10
max_failures_per_address = 50

[users]
# Mailbox quota of users who have none of their own ("0" = no limit).
default_quota = "2G"

[im]
# Largest file a messenger user may upload (refused before any byte is stored).
max_upload_size = "2G"

[log]
# fatal, error, warn, info, debug, trace or silent.
level = "info"
`;
}
