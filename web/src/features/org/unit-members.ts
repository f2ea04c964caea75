import type { DirectoryPerson, DirectoryUnitPage } from '../../../../src/protocol/im/directory.ts';
import { DIRECTORY_PAGE_MAX } from '../../../../src/protocol/im/directory.ts';
import type { PersonPresence } from '../presence/presence-registry.ts';

/**
 * One unit's members, loaded page by page as the list scrolls to them
 * (`directory.unit`, docs/protocol/directory.md). Each page watches its
 * members' presence in the same round trip and hands them to the presence
 * registry. A unit small enough is loaded whole, so its online count can be
 * counted live. DOM-free: the page's hook subscribes to it.
 */
export const UNIT_PAGE = DIRECTORY_PAGE_MAX;
/** Units up to this size are loaded whole and watched whole, so their online count is live. */
export const LIVE_UNIT_MAX = 600;

export type UnitHead =
  | { kind: 'loading' }
  | { kind: 'ready'; unit: DirectoryUnitPage['unit']; total: number }
  | { kind: 'failed'; code: string };

export interface UnitSnapshot {
  head: UnitHead;
  /** Every member loaded so far, in order, with holes for pages not loaded (sparse). */
  members: ReadonlyArray<DirectoryPerson | undefined>;
  /** Loaded members only, for watching and counting. */
  loaded: readonly DirectoryPerson[];
  /** Every member is loaded. */
  complete: boolean;
}

export interface UnitMembersDeps {
  request<T>(t: string, body: Record<string, unknown>): Promise<T>;
  registry: {
    mark(): number;
    adopt(people: Iterable<PersonPresence>, mark: number): void;
    seed(people: Iterable<PersonPresence>): void;
  };
  /** The error code of a rejected request. */
  codeOf(error: unknown): string;
}

export class UnitMembersSource {
  readonly unitId: number;
  readonly #deps: UnitMembersDeps;
  readonly #pages = new Map<number, DirectoryPerson[]>();
  readonly #requested = new Set<number>();
  readonly #listeners = new Set<() => void>();
  #snapshot: UnitSnapshot = { head: { kind: 'loading' }, members: [], loaded: [], complete: false };

  constructor(unitId: number, deps: UnitMembersDeps) {
    this.unitId = unitId;
    this.#deps = deps;
  }

  get = (): UnitSnapshot => this.#snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Loads the pages covering these indexes (inclusive) unless loaded or on their way. */
  ensure(start: number, end: number): void {
    for (let page = Math.floor(start / UNIT_PAGE); page <= Math.floor(end / UNIT_PAGE); page++) {
      this.#load(page);
    }
  }

  /** After a failed first page. */
  retry(): void {
    this.#snapshot = { ...this.#snapshot, head: { kind: 'loading' } };
    this.#emit();
    this.#load(0);
  }

  #load(page: number): void {
    if (this.#requested.has(page) || this.#pages.has(page)) return;
    const head = this.#snapshot.head;
    if (page > 0 && head.kind === 'ready' && page * UNIT_PAGE >= head.total) return;
    this.#requested.add(page);
    this.#ask(page, true)
      .catch((error: unknown) => {
        // Over the watch limit: show the page anyway; its visible rows are watched one by one.
        if (this.#deps.codeOf(error) === 'IM_WATCH_LIMIT') return this.#ask(page, false);
        throw error;
      })
      .then((answer) => this.#loaded(page, answer))
      .catch((error: unknown) => {
        this.#requested.delete(page);
        if (page !== 0) return;
        this.#snapshot = { ...this.#snapshot, head: { kind: 'failed', code: this.#deps.codeOf(error) } };
        this.#emit();
      });
  }

  async #ask(page: number, watch: boolean): Promise<DirectoryUnitPage> {
    const mark = this.#deps.registry.mark();
    const answer = await this.#deps.request<DirectoryUnitPage>('directory.unit', {
      unitId: this.unitId,
      offset: page * UNIT_PAGE,
      limit: UNIT_PAGE,
      watch,
    });
    if (watch) this.#deps.registry.adopt(answer.members, mark);
    else this.#deps.registry.seed(answer.members);
    return answer;
  }

  #loaded(page: number, answer: DirectoryUnitPage): void {
    this.#requested.delete(page);
    this.#pages.set(page, answer.members);
    const members: Array<DirectoryPerson | undefined> = new Array<DirectoryPerson | undefined>(answer.total);
    const loaded: DirectoryPerson[] = [];
    for (const [number, people] of [...this.#pages].sort((a, b) => a[0] - b[0])) {
      people.forEach((person, index) => {
        const at = number * UNIT_PAGE + index;
        if (at < answer.total) members[at] = person;
        loaded.push(person);
      });
    }
    this.#snapshot = {
      head: { kind: 'ready', unit: answer.unit, total: answer.total },
      members,
      loaded,
      complete: loaded.length >= answer.total,
    };
    this.#emit();
    if (page === 0 && answer.total <= LIVE_UNIT_MAX) this.ensure(UNIT_PAGE, answer.total - 1);
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
