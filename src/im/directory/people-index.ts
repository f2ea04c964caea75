import { accountProblem } from '../../directory/validity.ts';
import type { Store } from '../../store/database.ts';
import {
  directoryPeopleVersion,
  listDirectoryPeople,
  type DirectoryPersonRow,
} from '../../store/im-directory.ts';
import { foldForSearch, looksLikePhone, phoneDigits } from './search-text.ts';

/** One person with their fields folded for search. */
export interface IndexedPerson {
  row: DirectoryPersonRow;
  /** Name, reading, title and address, folded; searched for the query. */
  folded: readonly string[];
  phoneDigits: string;
}

/** How well a person matches: a name, reading or address that begins with the query comes first. */
const Rank = { prefix: 0, inside: 1 } as const;

// Japanese collation: readings in kana order, Latin names alphabetically.
const collator = new Intl.Collator('ja');

/**
 * Everyone in the directory, in reading order, by id and by unit, with
 * folded search text. Built from one query; a few thousand people fit in a
 * few megabytes.
 */
export class PeopleSnapshot {
  readonly people: readonly IndexedPerson[];
  readonly #byId = new Map<number, IndexedPerson>();
  readonly #byUnit = new Map<number, IndexedPerson[]>();

  constructor(rows: readonly DirectoryPersonRow[]) {
    const people = rows.map((row): IndexedPerson => ({
      row,
      folded: [row.display_name, row.name_reading, row.title, row.address].map(foldForSearch),
      phoneDigits: phoneDigits(row.phone),
    }));
    people.sort(
      (a, b) =>
        collator.compare(
          a.row.name_reading || a.row.display_name,
          b.row.name_reading || b.row.display_name,
        ) ||
        collator.compare(a.row.display_name, b.row.display_name) ||
        a.row.id - b.row.id,
    );
    this.people = people;
    for (const person of people) {
      this.#byId.set(person.row.id, person);
      if (person.row.unit_id === null) continue;
      let members = this.#byUnit.get(person.row.unit_id);
      if (!members) this.#byUnit.set(person.row.unit_id, (members = []));
      members.push(person);
    }
  }

  /** The person when they exist and their account may be used now (not disabled, within validity). */
  get(userId: number, now: number): IndexedPerson | undefined {
    const person = this.#byId.get(userId);
    return person && isActive(person, now) ? person : undefined;
  }

  /** Active direct members of a unit, in reading order. */
  membersOf(unitId: number, now: number): IndexedPerson[] {
    return (this.#byUnit.get(unitId) ?? []).filter((person) => isActive(person, now));
  }

  /** Every active person, in reading order. */
  active(now: number): IndexedPerson[] {
    return this.people.filter((person) => isActive(person, now));
  }

  /**
   * Active people whose name, reading, title, address or phone contains the
   * query (folded): those where a name, reading or address begins with it
   * first, each group in reading order.
   */
  search(query: string, now: number): IndexedPerson[] {
    const folded = foldForSearch(query);
    const digits = looksLikePhone(query) ? phoneDigits(query) : '';
    if (folded === '' && digits === '') return [];
    const ranked: [number, IndexedPerson][] = [];
    for (const person of this.people) {
      const rank = matchRank(person, folded, digits);
      if (rank !== undefined && isActive(person, now)) ranked.push([rank, person]);
    }
    // A stable sort keeps reading order within each rank.
    return ranked.sort((a, b) => a[0] - b[0]).map(([, person]) => person);
  }
}

function matchRank(person: IndexedPerson, folded: string, digits: string): number | undefined {
  const [name = '', reading = '', title = '', address = ''] = person.folded;
  if (folded !== '') {
    if (name.startsWith(folded) || reading.startsWith(folded) || address.startsWith(folded))
      return Rank.prefix;
    if (
      name.includes(folded) ||
      reading.includes(folded) ||
      title.includes(folded) ||
      address.includes(folded)
    )
      return Rank.inside;
  }
  if (digits !== '' && person.phoneDigits.includes(digits)) return Rank.inside;
  return undefined;
}

function isActive(person: IndexedPerson, now: number): boolean {
  return accountProblem(person.row, now) === undefined;
}

/**
 * The people snapshot, reloaded only when the users table changed (one cheap
 * aggregate query per request tells), so every node answers from memory yet
 * never serves a stale directory.
 */
export class PeopleIndex {
  readonly #store: Store;
  #snapshot: { version: string; people: PeopleSnapshot } | undefined;
  #loading: Promise<PeopleSnapshot> | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  async current(): Promise<PeopleSnapshot> {
    const version = await directoryPeopleVersion(this.#store.db);
    if (this.#snapshot?.version === version) return this.#snapshot.people;
    // Requests arriving during a reload share it instead of each loading the table.
    this.#loading ??= this.#load(version).finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(version: string): Promise<PeopleSnapshot> {
    const people = new PeopleSnapshot(await listDirectoryPeople(this.#store.db));
    this.#snapshot = { version, people };
    return people;
  }
}
