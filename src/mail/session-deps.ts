import tls from 'node:tls';
import type { BlobStore } from '../blob/blob-store.ts';
import type { EventBus } from '../bus/event-bus.ts';
import type { Logger } from '../log.ts';
import type { Services } from '../services.ts';
import type { MailContext } from './mail-system.ts';

/** Limits and timers every session of a mail protocol written here (IMAP, POP3) has; tests shorten the timers. */
export interface SessionTuning {
  /** How long a client has to finish the TLS handshake (implicit TLS, or after STARTTLS / STLS). */
  handshakeTimeoutMs: number;
  /** Failed logins on one connection before it is closed (the shared throttle counts across connections). */
  maxAuthFailures: number;
  /** Commands waiting for their turn before reading from the client pauses. */
  maxPipelined: number;
  /** How long close() lets a session finish its current command before cutting it. */
  shutdownGraceMs: number;
}

/** What every session of an IMAP or POP3 listener shares; each protocol adds its own. */
export interface MailSessionDeps {
  services: Services;
  blobs: BlobStore;
  bus: EventBus;
  logger: Logger;
  /** Put in the greeting. */
  hostname: string;
  /** The certificate of the moment, for STARTTLS / STLS: the listener replaces it when an admin does. */
  secureContext: tls.SecureContext;
  /** [imap] / [pop3] allow_plaintext_on_loopback: logins without TLS from 127.0.0.0/8 and ::1. */
  allowPlaintextOnLoopback: boolean;
  tuning: SessionTuning;
}

/** A TLS context that presents this certificate (with its chain) and key. */
export function secureContextOf(pair: { certPem: string; keyPem: string }): tls.SecureContext {
  return tls.createSecureContext({ cert: pair.certPem, key: pair.keyPem });
}

/** The part of the deps every listener takes from the mail context alike. */
export function sharedSessionDeps(
  context: MailContext,
  logger: Logger,
): Pick<MailSessionDeps, 'services' | 'blobs' | 'bus' | 'logger' | 'hostname' | 'secureContext'> {
  return {
    services: context.services,
    blobs: context.blobs,
    bus: context.bus,
    logger,
    hostname: context.config.config.server.hostname,
    secureContext: secureContextOf(context.tls),
  };
}
