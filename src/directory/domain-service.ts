import { CooError } from '../errors.ts';
import { generateDkimKeyAsync } from '../mail/dkim/keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { inTransaction, isUniqueViolation, type Executor, type Store } from '../store/database.ts';
import * as domains from '../store/domains.ts';
import { normalizeDomain, parseAddress, type Address } from './address.ts';
import { auditRecord, type Actor, type AuditSink } from './types.ts';

export interface Domain {
  name: string;
  /** For an alias domain, the domain whose users it reaches. */
  aliasOf: string | null;
  isDefault: boolean;
  dkimSelector: string | null;
}

/** Mail domains, their aliases and the default one (logins without "@domain" use it). */
export class DomainService {
  readonly #store: Store;
  readonly #audit: AuditSink;

  constructor(store: Store, audit: AuditSink) {
    this.#store = store;
    this.#audit = audit;
  }

  async list(db: Executor = this.#store.db): Promise<Domain[]> {
    const rows = await domains.listDomains(db);
    const names = new Map(rows.map((row) => [row.id, row.name]));
    return rows.map((row) => ({
      name: row.name,
      aliasOf: row.alias_of === null ? null : (names.get(row.alias_of) ?? null),
      isDefault: row.is_default === 1,
      dkimSelector: row.dkim_selector,
    }));
  }

  /** Adds a domain with its own DKIM key; the first domain becomes the default. */
  async add(name: string, actor: Actor, options: { aliasOf?: string; makeDefault?: boolean } = {}) {
    const domain = normalizeDomain(name);
    const dkim = options.aliasOf ? undefined : await generateDkimKeyAsync();
    return inTransaction(this.#store.db, async (tx) => {
      let aliasOf: number | null = null;
      if (options.aliasOf) {
        const target = await domains.findDomainByName(tx, normalizeDomain(options.aliasOf));
        if (!target) throw new CooError(ErrorCode.DOMAIN_UNKNOWN, `unknown domain "${options.aliasOf}"`);
        if (target.alias_of !== null) {
          throw new CooError(
            ErrorCode.INVALID_INPUT,
            `"${options.aliasOf}" is itself an alias; name its main domain`,
          );
        }
        aliasOf = target.id;
      }
      const isFirst = (await domains.listDomains(tx)).length === 0;
      let row: domains.DomainRow;
      try {
        row = await domains.insertDomain(tx, {
          name: domain,
          alias_of: aliasOf,
          is_default: 0,
          dkim_selector: dkim?.selector ?? null,
          dkim_private_key: dkim?.privateKeyPem ?? null,
        });
      } catch (error) {
        if (isUniqueViolation(error))
          throw new CooError(ErrorCode.DOMAIN_EXISTS, `domain "${domain}" already exists`);
        throw error;
      }
      if ((isFirst || options.makeDefault) && aliasOf === null) await domains.setDefaultDomain(tx, row.id);
      await this.#audit.append(
        auditRecord(actor, 'domain.create', domain, { aliasOf: options.aliasOf ?? null }),
        tx,
      );
      return { name: domain, dkim };
    });
  }

  async setDefault(name: string, actor: Actor): Promise<void> {
    await inTransaction(this.#store.db, async (tx) => {
      const row = await this.#require(tx, name);
      if (row.alias_of !== null) throw new CooError(ErrorCode.INVALID_INPUT, `"${name}" is an alias domain`);
      await domains.setDefaultDomain(tx, row.id);
      await this.#audit.append(auditRecord(actor, 'domain.default', row.name), tx);
    });
  }

  async remove(name: string, actor: Actor): Promise<void> {
    await inTransaction(this.#store.db, async (tx) => {
      const row = await this.#require(tx, name);
      const users = await domains.countUsersInDomain(tx, row.id);
      if (users > 0) {
        throw new CooError(
          ErrorCode.DOMAIN_NOT_EMPTY,
          `domain "${row.name}" still has ${users} user${users === 1 ? '' : 's'}; remove them first`,
        );
      }
      if (
        row.is_default === 1 &&
        (await domains.listDomains(tx)).some((d) => d.alias_of === null && d.id !== row.id)
      ) {
        throw new CooError(
          ErrorCode.INVALID_INPUT,
          `"${row.name}" is the default domain; make another the default first`,
        );
      }
      await domains.deleteDomain(tx, row.id);
      await this.#audit.append(auditRecord(actor, 'domain.remove', row.name), tx);
    });
  }

  /** The private DKIM key and selector used to sign mail of this domain (or of the domain it aliases). */
  async dkimKey(name: string): Promise<{ selector: string; privateKeyPem: string } | undefined> {
    const row = await this.#require(this.#store.db, name);
    const main =
      row.alias_of === null
        ? row
        : (await domains.listDomains(this.#store.db)).find((d) => d.id === row.alias_of);
    if (!main?.dkim_selector || !main.dkim_private_key) return undefined;
    return { selector: main.dkim_selector, privateKeyPem: main.dkim_private_key };
  }

  /**
   * Turns what a person types at a login prompt into their canonical address:
   * a bare name gets the default domain; an alias domain maps to its main one.
   */
  async resolveLogin(login: string, db: Executor = this.#store.db): Promise<Address> {
    const text = login.trim();
    const rows = await domains.listDomains(db);
    let address: Address;
    if (text.includes('@')) {
      address = parseAddress(text);
    } else {
      const fallback = rows.find((row) => row.is_default === 1);
      if (!fallback)
        throw new CooError(ErrorCode.DOMAIN_UNKNOWN, 'no default domain is set; log in with name@domain');
      address = parseAddress(`${text}@${fallback.name}`);
    }
    const domain = rows.find((row) => row.name === address.domain);
    if (domain?.alias_of != null) {
      const main = rows.find((row) => row.id === domain.alias_of);
      if (main)
        return {
          localPart: address.localPart,
          domain: main.name,
          address: `${address.localPart}@${main.name}`,
        };
    }
    return address;
  }

  async #require(db: Executor, name: string): Promise<domains.DomainRow> {
    const row = await domains.findDomainByName(db, normalizeDomain(name));
    if (!row) throw new CooError(ErrorCode.DOMAIN_UNKNOWN, `unknown domain "${name}"`);
    return row;
  }
}
