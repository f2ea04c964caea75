import { readFile, stat } from 'node:fs/promises';
import type { AuditEntryInput } from '../audit/audit-log.ts';
import { auditRecord, type Actor } from '../directory/types.ts';
import { CooError, isCooError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ErrorCode } from '../protocol/errors.ts';
import {
  checkCertificatePair,
  describeCertificatePem,
  type CertificateInfo,
  type CheckedCertificate,
} from './certificate-check.ts';
import type { TlsKeyPair } from './self-signed.ts';
import { loadTlsFiles, replaceTlsFiles } from './tls-files.ts';

/** How often a running server looks whether the files changed under it (`coo tls install`, a copy by hand). */
export const TLS_FILE_POLL_MS = 5000;

export type TlsChangeListener = (pair: TlsKeyPair, info: CertificateInfo) => void;

/**
 * The certificate every TLS listener presents, and the way to learn that it
 * changed. A listener reads `certPem`/`keyPem` when it starts and subscribes
 * with onChange to swap its secure context (`server.setSecureContext(...)`)
 * when an admin installs a new certificate.
 */
export interface TlsSource {
  readonly certPem: string;
  readonly keyPem: string;
  readonly info: CertificateInfo;
  /** Calls `listener` after every change, with the new pair; returns the function that unsubscribes. */
  onChange(listener: TlsChangeListener): () => void;
}

export interface TlsPaths {
  certPath: string;
  keyPath: string;
}

/** Where replacements are recorded; the AuditLog, or nothing (tests of the files alone). */
export interface CertificateAudit {
  append(entry: AuditEntryInput): Promise<unknown>;
}

export interface TlsCertificatesOptions extends TlsPaths {
  audit?: CertificateAudit;
  logger?: Logger;
  now?: () => number;
}

/** The outcome of one look at the files. */
export type TlsReload = 'unchanged' | 'reloaded' | 'invalid';

/**
 * The server's current certificate and key, as on disk under `[tls]`:
 * replace() checks a new pair, writes it and tells the subscribers at once;
 * watchFiles() picks up files changed by someone else (`coo tls install`,
 * which works without the server) once they form a valid pair.
 */
export class TlsCertificates implements TlsSource {
  readonly #paths: TlsPaths;
  readonly #audit: CertificateAudit | undefined;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #listeners = new Set<TlsChangeListener>();
  #current: CheckedCertificate;
  /** The files' stat when last looked at, so an unchanged pair is not read again. */
  #seen: string | null = null;
  /** Replacements and reloads run one at a time. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: TlsCertificatesOptions, current: CheckedCertificate) {
    this.#paths = { certPath: options.certPath, keyPath: options.keyPath };
    this.#audit = options.audit;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#current = current;
  }

  /**
   * Reads the pair the server starts with; CONFIG_INVALID naming the file
   * when one is missing or they do not belong together. An expired
   * certificate still starts the server: the console is how it gets replaced.
   */
  static async load(options: TlsCertificatesOptions): Promise<TlsCertificates> {
    const loaded = await loadTlsFiles(options.certPath, options.keyPath);
    let info: CertificateInfo;
    try {
      info = describeCertificatePem(loaded.certPem);
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      throw new CooError(ErrorCode.CONFIG_INVALID, `TLS certificate ${options.certPath}: ${problem}`);
    }
    const holder = new TlsCertificates(options, { certPem: loaded.certPem, keyPem: loaded.keyPem, info });
    holder.#seen = await holder.#fileStamp();
    return holder;
  }

  get certPem(): string {
    return this.#current.certPem;
  }

  get keyPem(): string {
    return this.#current.keyPem;
  }

  get info(): CertificateInfo {
    return this.#current.info;
  }

  onChange(listener: TlsChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Installs a new pair: checks it (TLS_INVALID saying what is wrong, and
   * nothing changes), writes both files, switches every subscriber to it,
   * then records `tls.replace` (never the key) as `actor`.
   */
  async replace(certPem: string, keyPem: string, actor: Actor): Promise<CertificateInfo> {
    return this.#exclusive(async () => {
      const previous = this.#current.info;
      const checked = await installCertificateFiles(this.#paths, certPem, keyPem, this.#now());
      this.#seen = await this.#fileStamp();
      this.#apply(checked);
      await this.#audit?.append(certificateReplaced(actor, checked.info, previous));
      return checked.info;
    });
  }

  /**
   * Looks whether the files changed since last time, and takes them when
   * they hold another valid pair. A pair that does not pass is logged once
   * and left alone; the server keeps the one it has.
   */
  async reloadFromFiles(): Promise<TlsReload> {
    return this.#exclusive(async () => {
      const stamp = await this.#fileStamp();
      if (stamp === this.#seen) return 'unchanged';
      this.#seen = stamp;
      let checked: CheckedCertificate;
      try {
        const [certText, keyText] = await Promise.all([
          readFile(this.#paths.certPath, 'utf8'),
          readFile(this.#paths.keyPath, 'utf8'),
        ]);
        if (certText === this.#current.certPem && keyText === this.#current.keyPem) return 'unchanged';
        checked = checkCertificatePair(certText, keyText, this.#now());
      } catch (error) {
        this.#logger?.warn(
          { ...(isCooError(error) ? { problem: error.message } : { err: error }), ...this.#paths },
          'the TLS files changed but do not hold a valid pair; still using the previous certificate',
        );
        return 'invalid';
      }
      this.#apply(checked);
      return 'reloaded';
    });
  }

  /** Polls the files every `intervalMs` (unref'd: it never keeps the process alive); returns the stop function. */
  watchFiles(intervalMs = TLS_FILE_POLL_MS): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.reloadFromFiles()
        .catch((error: unknown) => this.#logger?.error({ err: error }, 'checking the TLS files failed'))
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #apply(checked: CheckedCertificate): void {
    this.#current = checked;
    const pair = { certPem: checked.certPem, keyPem: checked.keyPem };
    this.#logger?.info(
      {
        subject: checked.info.subject,
        notAfter: checked.info.notAfter,
        fingerprint256: checked.info.fingerprint256,
      },
      'TLS certificate replaced; new connections use it',
    );
    for (const listener of this.#listeners) {
      try {
        listener(pair, checked.info);
      } catch (error) {
        // One listener that cannot switch must not keep the others on the old certificate.
        this.#logger?.error({ err: error }, 'a TLS listener could not switch to the new certificate');
      }
    }
  }

  /** mtime, size and inode of both files: a rename over a file changes the inode even within one mtime tick. */
  async #fileStamp(): Promise<string> {
    const parts = await Promise.all(
      [this.#paths.certPath, this.#paths.keyPath].map((file) =>
        stat(file).then(
          (stats) => `${stats.mtimeMs}:${stats.size}:${stats.ino}`,
          (error: NodeJS.ErrnoException) => `missing:${error.code ?? ''}`,
        ),
      ),
    );
    return parts.join('|');
  }

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * Checks a pair and writes it under `[tls]`, with or without a running
 * server (which picks the files up within TLS_FILE_POLL_MS). TLS_INVALID
 * and nothing written when the pair does not pass.
 */
export async function installCertificateFiles(
  paths: TlsPaths,
  certPem: string,
  keyPem: string,
  now = Date.now(),
): Promise<CheckedCertificate> {
  const checked = checkCertificatePair(certPem, keyPem, now);
  await replaceTlsFiles(paths.certPath, paths.keyPath, checked);
  return checked;
}

/** The audit entry of an installed certificate: what it says, never the key. */
export function certificateReplaced(
  actor: Actor,
  info: CertificateInfo,
  previous?: CertificateInfo,
): AuditEntryInput {
  return auditRecord(actor, 'tls.replace', info.subject, {
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: info.dnsNames,
    ipAddresses: info.ipAddresses,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    fingerprint256: info.fingerprint256,
    ...(previous ? { previousFingerprint256: previous.fingerprint256 } : {}),
  });
}
