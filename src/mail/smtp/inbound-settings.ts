import type { LoadedConfig } from '../../config/loader.ts';
import { liveLimit, type LimitReader } from '../../settings/live-limits.ts';
import type { Store } from '../../store/database.ts';
import type { AddressLimitSettings } from './address-limits.ts';

/** What the inbound listener takes from `[mail]` and `[server]` of coo.toml. */
export interface InboundSettings {
  /** The greeting's and Received's host name, and the authserv-id of Authentication-Results. */
  hostname: string;
  /**
   * RFC 1870 SIZE, enforced with 552 5.3.4: the admin setting
   * mail.max-message-size, else [mail] max_message_size; read per session.
   */
  maxMessageSize: LimitReader;
  dnsblZones: readonly string[];
  greylisting: { enabled: boolean; delayMs: number };
  limits: AddressLimitSettings;
  /** Where DATA larger than MEMORY_LIMIT is spooled while it arrives (never acknowledged from there). */
  spoolDir: string;
}

/** RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for the next command. */
export const COMMAND_TIMEOUT_MS = 5 * 60_000;
/** A Received count past this is a loop (Postfix's hopcount_limit; RFC 5321 §6.3 suggests 100 at most). */
export const MAX_HOPS = 50;
/** How long sessions busy with a message may finish when the server stops; idle ones get 421 at once. */
export const SHUTDOWN_GRACE_MS = 10_000;
/** The reverse lookup of a client (for Received) may not hold the greeting longer. */
export const REVERSE_LOOKUP_TIMEOUT_MS = 2000;

export function inboundSettings(loaded: LoadedConfig, spoolDir: string, store: Store): InboundSettings {
  const mail = loaded.config.mail;
  return {
    hostname: loaded.config.server.hostname,
    maxMessageSize: liveLimit(store, 'mail.max-message-size', () => loaded.config.mail.max_message_size),
    dnsblZones: mail.dnsbl,
    greylisting: { enabled: mail.greylisting, delayMs: mail.greylist_delay_seconds * 1000 },
    limits: {
      connectionsPerAddress: mail.connections_per_address,
      messagesPerMinutePerAddress: mail.messages_per_minute_per_address,
    },
    spoolDir,
  };
}
