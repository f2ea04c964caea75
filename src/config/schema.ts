import { z } from 'zod';

/** Every listener Coo knows, by the name used in config and `--listen`. */
export const LISTENER_NAMES = [
  'http',
  'smtp',
  'submission',
  'submissions',
  'imap',
  'imaps',
  'pop3',
  'pop3s',
] as const;
export type ListenerName = (typeof LISTENER_NAMES)[number];

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `HOST:PORT`, `[V6]:PORT` or `:PORT`; returns undefined when malformed. */
export function parseListenAddress(text: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

const listenAddress = z
  .string()
  .refine((value) => value === 'off' || parseListenAddress(value) !== undefined, {
    message: 'expected "HOST:PORT" (e.g. "0.0.0.0:443") or "off"',
  });

const SIZE_PATTERN = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?$/i;
const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Parses "25M", "2G", "1.5GiB" or a plain byte count; undefined when malformed. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isSafeInteger(text) && text >= 0 ? text : undefined;
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? '').charAt(0).toUpperCase();
  const factor = SIZE_UNITS[unit];
  if (factor === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Formats a byte count the way parseSize reads it back, exactly. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['T', 1024 ** 4],
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

const size = z.union([z.string(), z.number()]).transform((value, context) => {
  const bytes = parseSize(value);
  if (bytes === undefined) {
    context.addIssue({ code: 'custom', message: 'expected a size such as "25M", "2G" or a number of bytes' });
    return z.NEVER;
  }
  return bytes;
});

/** [queue]: outbound delivery (docs/mail.md, "The outbound queue"). */
const QUEUE_DEFAULTS = {
  max_age_hours: 120,
  delay_warning_hours: 4,
  retry_min_seconds: 300,
  retry_max_seconds: 3600,
  concurrency: 20,
  per_domain_concurrency: 3,
  verify_tls: false,
};

const smarthost = z
  .object({
    host: z
      .string()
      .min(1)
      .regex(/^[a-zA-Z0-9.:[\]-]+$/, 'expected a host name or address'),
    port: z.number().int().min(1).max(65535).default(587),
    user: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** starttls: STARTTLS required; tls: implicit TLS (port 465); none: plain (a relay on the LAN). */
    tls: z.enum(['starttls', 'tls', 'none']).default('starttls'),
    verify_tls: z.boolean().default(true),
  })
  .strict()
  .refine((value) => (value.user === undefined) === (value.password === undefined), {
    message: 'set both user and password, or neither',
  });

const queue = z
  .object({
    max_age_hours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(QUEUE_DEFAULTS.max_age_hours),
    delay_warning_hours: z.number().int().min(0).default(QUEUE_DEFAULTS.delay_warning_hours),
    retry_min_seconds: z.number().int().min(1).default(QUEUE_DEFAULTS.retry_min_seconds),
    retry_max_seconds: z.number().int().min(1).default(QUEUE_DEFAULTS.retry_max_seconds),
    concurrency: z.number().int().min(1).max(1000).default(QUEUE_DEFAULTS.concurrency),
    per_domain_concurrency: z.number().int().min(1).max(100).default(QUEUE_DEFAULTS.per_domain_concurrency),
    verify_tls: z.boolean().default(QUEUE_DEFAULTS.verify_tls),
    smarthost: smarthost.optional(),
  })
  .strict()
  .default(QUEUE_DEFAULTS);

/** [submission]: mail apps sending (docs/mail.md, "Sending mail"). */
const SUBMISSION_DEFAULTS = { max_messages_per_hour: 300, max_recipients: 100 };

const submission = z
  .object({
    max_messages_per_hour: z.number().int().min(0).default(SUBMISSION_DEFAULTS.max_messages_per_hour),
    max_recipients: z.number().int().min(1).max(10_000).default(SUBMISSION_DEFAULTS.max_recipients),
  })
  .strict()
  .default(SUBMISSION_DEFAULTS);

/** [pop3]: mail apps reading with POP3 (docs/mail.md, "Reading mail with POP3"). */
const POP3_DEFAULTS = { allow_plaintext_on_loopback: false };

const pop3 = z
  .object({
    /** USER/PASS and AUTH PLAIN without TLS from 127.0.0.0/8 and ::1 (a local webmail or fetchmail). */
    allow_plaintext_on_loopback: z.boolean().default(POP3_DEFAULTS.allow_plaintext_on_loopback),
  })
  .strict()
  .default(POP3_DEFAULTS);

/** [imap]: mail apps reading with IMAP (docs/mail.md, "Reading mail with IMAP"). */
const IMAP_DEFAULTS = { allow_plaintext_on_loopback: false };

const imap = z
  .object({
    /** LOGIN and AUTHENTICATE PLAIN without TLS from 127.0.0.0/8 and ::1 (a local webmail). */
    allow_plaintext_on_loopback: z.boolean().default(IMAP_DEFAULTS.allow_plaintext_on_loopback),
  })
  .strict()
  .default(IMAP_DEFAULTS);

export const configSchema = z
  .object({
    server: z
      .object({
        hostname: z
          .string()
          .min(1)
          .regex(/^[a-zA-Z0-9.-]+$/, 'expected a host name such as "mail.example.com"'),
      })
      .strict(),
    listen: z
      .object(Object.fromEntries(LISTENER_NAMES.map((name) => [name, listenAddress.optional()])))
      .strict()
      .default({}),
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'expected a "postgres://" URL')
          .optional(),
        sqlite: z.string().min(1).default('coo.db'),
      })
      .strict()
      .default({ sqlite: 'coo.db' }),
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\//, 'expected a "redis://" URL')
          .optional(),
        /** Channel prefix, so several deployments (or test runs) can share one Redis. */
        namespace: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected 1-64 letters, digits, "_", "." or "-"')
          .optional(),
      })
      .strict()
      .default({}),
    tls: z
      .object({ cert: z.string().default('tls/cert.pem'), key: z.string().default('tls/key.pem') })
      .strict()
      .default({ cert: 'tls/cert.pem', key: 'tls/key.pem' }),
    blobs: z
      .object({
        path: z.string().default('blobs'),
        inline_max_bytes: z
          .number()
          .int()
          .min(0)
          .max(1024 * 1024)
          .default(65536),
      })
      .strict()
      .default({ path: 'blobs', inline_max_bytes: 65536 }),
    auth: z
      .object({
        argon2_memory_kib: z.number().int().min(1024).max(4_194_304).default(19456),
        argon2_passes: z.number().int().min(1).max(64).default(2),
        argon2_parallelism: z.number().int().min(1).max(16).default(1),
        import_argon2_memory_kib: z.number().int().min(1024).max(4_194_304).default(4096),
        import_argon2_passes: z.number().int().min(1).max(64).default(1),
        failure_window_seconds: z.number().int().min(1).default(900),
        max_failures_per_account: z.number().int().min(1).default(10),
        max_failures_per_address: z.number().int().min(1).default(50),
      })
      .strict()
      .default({
        argon2_memory_kib: 19456,
        argon2_passes: 2,
        argon2_parallelism: 1,
        import_argon2_memory_kib: 4096,
        import_argon2_passes: 1,
        failure_window_seconds: 900,
        max_failures_per_account: 10,
        max_failures_per_address: 50,
      }),
    users: z
      .object({ default_quota: size.default(2 * 1024 ** 3) })
      .strict()
      .default({ default_quota: 2 * 1024 ** 3 }),
    im: z
      .object({ max_upload_size: size.refine((n) => n > 0, 'must be more than 0').default(2 * 1024 ** 3) })
      .strict()
      .default({ max_upload_size: 2 * 1024 ** 3 }),
    queue,
    submission,
    pop3,
    imap,
    mail: z
      .object({
        /** Largest message SMTP accepts (advertised with SIZE, RFC 1870); larger ones get 552 5.3.4. */
        max_message_size: size.refine((n) => n > 0, 'must be more than 0').default(25 * 1024 ** 2),
        /** DNS blocklist zones asked about every connecting address (none by default: a LAN has no internet). */
        dnsbl: z
          .array(z.string().regex(/^[a-zA-Z0-9.-]+$/, 'expected a DNS zone such as "zen.spamhaus.org"'))
          .default([]),
        /** Greylisting: a first attempt from an unknown (address, sender, recipient) gets 450 4.7.1. */
        greylisting: z.boolean().default(false),
        greylist_delay_seconds: z.number().int().min(0).max(86_400).default(300),
        /** Simultaneous inbound SMTP connections from one address; 0 = no limit. */
        connections_per_address: z.number().int().min(0).default(20),
        /** Messages one address may send in a minute over inbound SMTP; 0 = no limit. */
        messages_per_minute_per_address: z.number().int().min(0).default(120),
        /** An auto-reply answers each sender at most once in this many days. */
        autoreply_interval_days: z.number().int().min(1).max(365).default(3),
        /** Secret of SRS (forwarded mail's envelope sender); generated and kept in the database when unset. */
        srs_secret: z.string().min(16).optional(),
      })
      .strict()
      .default({
        max_message_size: 25 * 1024 ** 2,
        dnsbl: [],
        greylisting: false,
        greylist_delay_seconds: 300,
        connections_per_address: 20,
        messages_per_minute_per_address: 120,
        autoreply_interval_days: 3,
      }),
    log: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type Config = z.output<typeof configSchema>;
export type AuthConfig = Config['auth'];
export type MailConfig = Config['mail'];
export type QueueConfig = Config['queue'];
export type SubmissionConfig = Config['submission'];
export type Pop3Config = Config['pop3'];
export type ImapConfig = Config['imap'];
