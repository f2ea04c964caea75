import { accountProblem } from '../../directory/validity.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { Executor, Store } from '../../store/database.ts';
import { listDomains } from '../../store/domains.ts';
import { findRecipientFacts, firstActiveAdminId, type RecipientFacts } from '../../store/mail-delivery.ts';
import type { UserRow } from '../../store/users.ts';
import { parseAddress } from '../../directory/address.ts';
import { CooError } from '../../errors.ts';

/**
 * Who an address is, as RCPT asks: a user (directly, through an alias
 * domain, with a "+tag", or postmaster@/abuse@ for the first admin when no
 * such user exists), unknown, or in a domain that is not ours.
 *
 * Disabled and expired accounts are refused (550 5.2.1, "mailbox
 * disabled"), as Postfix does for an account taken out of its maps: the
 * sender learns at once that the person is gone. An account that is not
 * valid yet takes mail, so a new colleague's first mails are waiting.
 */
export type RecipientTarget =
  | { kind: 'user'; user: UserRow; address: string; facts: RecipientFacts }
  | { kind: 'unknown'; reason: UnknownReason }
  | { kind: 'remote'; domain: string };

export const UnknownReason = {
  noSuchUser: 'no such user',
  disabled: 'mailbox disabled',
  badAddress: 'not a valid address',
} as const;
export type UnknownReason = (typeof UnknownReason)[keyof typeof UnknownReason];

/** RFC 5321 §4.5.1: every domain must take postmaster@ (and RFC 2142 abuse@). */
const ROLE_ADDRESSES = new Set(['postmaster', 'abuse']);
/** RFC 5233 subaddress separator: "taro+news@" reaches "taro@". */
const SUBADDRESS_SEPARATOR = '+';
/** Domains change seldom: a removal (or a new alias target) through the CLI or another node is seen within this. */
const DOMAIN_CACHE_MS = 2000;

export class RecipientResolver {
  readonly #store: Store;
  readonly #now: () => number;
  #domains: { at: number; mainOf: Map<string, string> } | undefined;

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /** Domain name → its main domain (itself unless an alias), for every domain we serve. */
  async localDomains(): Promise<Map<string, string>> {
    const now = this.#now();
    if (this.#domains && now - this.#domains.at < DOMAIN_CACHE_MS) return this.#domains.mainOf;
    const rows = await listDomains(this.#store.db);
    const names = new Map(rows.map((row) => [row.id, row.name]));
    const mainOf = new Map(
      rows.map((row) => [row.name, row.alias_of === null ? row.name : (names.get(row.alias_of) ?? row.name)]),
    );
    this.#domains = { at: now, mainOf };
    return mainOf;
  }

  async isLocalDomain(domain: string): Promise<boolean> {
    return (await this.#mainDomainOf(domain)) !== undefined;
  }

  /** The main domain of one of ours; a miss reloads first, so a domain just added is never refused. */
  async #mainDomainOf(domain: string): Promise<string | undefined> {
    const name = domain.toLowerCase();
    const cached = (await this.localDomains()).get(name);
    if (cached !== undefined) return cached;
    this.#domains = undefined;
    return (await this.localDomains()).get(name);
  }

  async resolve(address: string, db: Executor = this.#store.db): Promise<RecipientTarget> {
    const at = address.lastIndexOf('@');
    const domain = address.slice(at + 1).toLowerCase();
    const main = await this.#mainDomainOf(domain);
    if (at <= 0 || !main) return { kind: 'remote', domain };
    let localPart: string;
    try {
      localPart = parseAddress(address).localPart;
    } catch (error) {
      if (error instanceof CooError && error.code === ErrorCode.INVALID_ADDRESS) {
        return { kind: 'unknown', reason: UnknownReason.badAddress };
      }
      throw error;
    }
    const facts = await this.#findUser(db, localPart, main);
    if (!facts) return { kind: 'unknown', reason: UnknownReason.noSuchUser };
    const problem = accountProblem(facts.user, this.#now());
    if (problem && problem.code !== ErrorCode.AUTH_NOT_YET_VALID) {
      return { kind: 'unknown', reason: UnknownReason.disabled };
    }
    return { kind: 'user', user: facts.user, address: facts.user.address, facts };
  }

  async #findUser(db: Executor, localPart: string, domain: string): Promise<RecipientFacts | undefined> {
    const exact = await findRecipientFacts(db, { address: `${localPart}@${domain}` });
    if (exact) return exact;
    const separator = localPart.indexOf(SUBADDRESS_SEPARATOR);
    if (separator > 0) {
      const base = await findRecipientFacts(db, { address: `${localPart.slice(0, separator)}@${domain}` });
      if (base) return base;
    }
    if (ROLE_ADDRESSES.has(localPart)) {
      const adminId = await firstActiveAdminId(db, this.#now());
      return adminId === undefined ? undefined : findRecipientFacts(db, { id: adminId });
    }
    return undefined;
  }
}
