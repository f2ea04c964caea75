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
# install your own with "coo tls install --cert FILE --key FILE" (no restart),
# or point elsewhere.
cert = "tls/cert.pem"
key = "tls/key.pem"

[blobs]
# Mail bodies and files, stored by their SHA-256.
path = "blobs"
# Content up to this many bytes (most mail) is kept in the database instead,
# with no file and fsync of its own; 0 keeps every blob on disk.
inline_max_bytes = 65536

[auth]
# argon2id cost of each password hash (OWASP's recommended minimum by default).
argon2_memory_kib = 19456
argon2_passes = 2
argon2_parallelism = 1
# Cost of the passwords a CSV import sets (10,000 at the full cost above take
# minutes). Each is redone at the full cost at the user's first login. Set them
# equal to the two above to hash imported passwords at the full cost at once.
import_argon2_memory_kib = 4096
import_argon2_passes = 1
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

[mail]
# Largest message accepted over SMTP (advertised with SIZE; larger: 552 5.3.4).
max_message_size = "25M"
# DNS blocklists asked about each connecting address, e.g. ["zen.spamhaus.org"].
# Empty by default: a LAN with no internet has no DNS to ask.
dnsbl = []
# Greylisting: the first attempt of an unknown (address, sender, recipient) is
# answered 450 4.7.1; a real mail server retries after greylist_delay_seconds.
greylisting = false
greylist_delay_seconds = 300
# Per remote address: simultaneous connections and messages a minute (0 = no limit).
connections_per_address = 20
messages_per_minute_per_address = 120
# An auto-reply ("away") answers each sender at most once in this many days.
autoreply_interval_days = 3
# SRS secret for forwarded mail; generated and kept in the database when unset.
# srs_secret = "at least 16 characters"

[submission]
# Mail apps send on "submission" (587, STARTTLS) and "submissions" (465, TLS),
# logged in, and only as themselves. A hijacked account is stopped at this many
# messages an hour (0 = no limit); a message may have at most max_recipients.
max_messages_per_hour = 300
max_recipients = 100

[queue]
# Mail for other servers waits here. It is retried after retry_min_seconds, the
# wait doubling up to retry_max_seconds, for max_age_hours; then the sender gets
# it back with a delivery report. A delay notice goes out after
# delay_warning_hours (0 = never).
max_age_hours = 120
delay_warning_hours = 4
retry_min_seconds = 300
retry_max_seconds = 3600
# Deliveries at once, in all and to one destination domain.
concurrency = 20
per_domain_concurrency = 3
# false: STARTTLS whenever offered, certificates not checked (like Postfix "may");
# true: only servers with STARTTLS and a valid certificate get mail.
verify_tls = false
# Where port 25 is blocked, send everything through a provider's server instead:
# [queue.smarthost]
# host = "smtp.provider.example"
# port = 587
# tls = "starttls"          # "starttls", "tls" (port 465) or "none"
# user = "account"
# password = "secret"
# verify_tls = true

[pop3]
# Passwords are refused on an unencrypted connection (send STLS first, or use
# pop3s). Set to true to allow them from this machine only (127.0.0.1, ::1).
allow_plaintext_on_loopback = false

[imap]
# LOGIN is disabled on an unencrypted connection (STARTTLS first, or use imaps).
# Set to true to allow it from this machine only (127.0.0.1, ::1).
allow_plaintext_on_loopback = false

[log]
# fatal, error, warn, info, debug, trace or silent.
level = "info"
`;
}
