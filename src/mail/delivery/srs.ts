import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../../store/database.ts';
import { getSetting, putSetting } from '../../store/settings.ts';

/**
 * The Sender Rewriting Scheme (Shevek's SRS, as in libsrs2 and Postfix's
 * postsrsd). Forwarded mail leaves with an envelope sender in our domain,
 * so SPF passes at the destination; a bounce to that address comes back to
 * us, is checked (hash, age) and goes on to the original sender.
 *
 *   SRS0=HHHH=TT=orig-domain=orig-local@forwarder
 *   SRS1=HHHH=first-forwarder==HHHH=TT=orig-domain=orig-local@forwarder
 *
 * HHHH: the first 4 characters of base64(HMAC-SHA1(secret, the rest)),
 * compared case-insensitively; TT: the day number modulo 1024 in base32.
 */
export const SRS_SECRET_SETTING = 'mail.srs_secret';
/** A bounce arriving later than this after the forward is refused (libsrs2's default is 21 days). */
export const SRS_MAX_AGE_DAYS = 21;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DAY_MS = 24 * 3600 * 1000;
const TIMESTAMP_SLOTS = 1024;
const HASH_LENGTH = 4;
const SRS0 = /^srs0[=+-]([^=]+)=([^=]{2})=([^=]+)=(.+)$/i;
const SRS1 = /^srs1[=+-]([^=]+)=([^=]+)==(.+)$/i;

/** Loads the secret from the config, or from the settings table (made there on first use). */
export async function loadSrsSecret(store: Store, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const stored = await getSetting<string>(store.db, SRS_SECRET_SETTING);
  if (stored) return stored;
  const secret = randomBytes(32).toString('base64url');
  // Two nodes starting at once may both make one: the second write wins and both re-read it.
  await putSetting(store.db, SRS_SECRET_SETTING, secret);
  return (await getSetting<string>(store.db, SRS_SECRET_SETTING)) ?? secret;
}

export class SrsCodec {
  readonly #secret: string;
  readonly #now: () => number;

  constructor(secret: string, now: () => number = Date.now) {
    this.#secret = secret;
    this.#now = now;
  }

  /** True when the local part looks like SRS (of any forwarder). */
  static isSrs(localPart: string): boolean {
    return /^srs[01][=+-]/i.test(localPart);
  }

  /**
   * The envelope sender for mail that `forwarderDomain` forwards. The null
   * sender stays null (a bounce is never bounced); an address already in the
   * forwarder's domain needs no rewriting.
   */
  forward(sender: string, forwarderDomain: string): string {
    if (sender === '') return '';
    const at = sender.lastIndexOf('@');
    if (at <= 0) return sender;
    const local = sender.slice(0, at);
    const domain = sender.slice(at + 1);
    if (domain.toLowerCase() === forwarderDomain.toLowerCase()) return sender;
    const srs0 = SRS0.exec(local);
    if (srs0) {
      // Already SRS0 of another forwarder: SRS1 keeps that forwarder and the original SRS0 body.
      const rest = local.slice(5);
      return `SRS1=${this.#hash(domain + rest)}=${domain}==${rest}@${forwarderDomain}`;
    }
    const srs1 = SRS1.exec(local);
    if (srs1) {
      const [, , firstHost = '', rest = ''] = srs1;
      return `SRS1=${this.#hash(firstHost + rest)}=${firstHost}==${rest}@${forwarderDomain}`;
    }
    const timestamp = this.#timestamp();
    return `SRS0=${this.#hash(timestamp + domain + local)}=${timestamp}=${domain}=${local}@${forwarderDomain}`;
  }

  /**
   * Where a bounce to this SRS local part goes: the original sender (SRS0)
   * or the first forwarder's SRS0 address (SRS1). Undefined when the hash is
   * wrong or the address is older than SRS_MAX_AGE_DAYS.
   */
  reverse(localPart: string): string | undefined {
    const srs0 = SRS0.exec(localPart);
    if (srs0) {
      const [, hash = '', timestamp = '', domain = '', local = ''] = srs0;
      if (!this.#hashMatches(hash, timestamp + domain + local) || !this.#fresh(timestamp)) return undefined;
      return `${local}@${domain}`;
    }
    const srs1 = SRS1.exec(localPart);
    if (srs1) {
      const [, hash = '', firstHost = '', rest = ''] = srs1;
      if (!this.#hashMatches(hash, firstHost + rest)) return undefined;
      return `SRS0${rest.startsWith('=') ? '' : '='}${rest}@${firstHost}`;
    }
    return undefined;
  }

  #hash(text: string): string {
    return createHmac('sha1', this.#secret).update(text.toLowerCase()).digest('base64').slice(0, HASH_LENGTH);
  }

  #hashMatches(given: string, text: string): boolean {
    const expected = Buffer.from(this.#hash(text).toLowerCase());
    const actual = Buffer.from(given.toLowerCase());
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  #timestamp(): string {
    const day = Math.floor(this.#now() / DAY_MS) % TIMESTAMP_SLOTS;
    return `${BASE32[day >> 5]}${BASE32[day & 31]}`;
  }

  #fresh(timestamp: string): boolean {
    const high = BASE32.indexOf(timestamp.charAt(0).toUpperCase());
    const low = BASE32.indexOf(timestamp.charAt(1).toUpperCase());
    if (high < 0 || low < 0) return false;
    const then = (high << 5) | low;
    const today = Math.floor(this.#now() / DAY_MS) % TIMESTAMP_SLOTS;
    const age = (today - then + TIMESTAMP_SLOTS) % TIMESTAMP_SLOTS;
    return age <= SRS_MAX_AGE_DAYS;
  }
}
