import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import {
  DIRECTORY_QUERY_MAX,
  type DirectoryPerson,
  type DirectoryProfile,
  type DirectorySearchResult,
  type DirectoryTree,
  type DirectoryUnit,
} from '../../../../src/protocol/im/directory.ts';
import { ProtocolError } from '../../lib/connection.ts';
import type { Session } from '../../lib/session.ts';
import { presenceRegistry } from '../presence/presence-store.ts';
import { UnitMembersSource, type UnitSnapshot } from './unit-members.ts';

/**
 * The directory requests of the org page (docs/protocol/directory.md), as
 * hooks: the tree, a unit's members page by page, search and the profile
 * card. Presence that answers carry goes into the presence registry, so the
 * dots show at once and stay live.
 */
export type Loadable<T> =
  { kind: 'loading' } | { kind: 'ready'; value: T } | { kind: 'failed'; code: string; retry: () => void };

function errorCode(error: unknown): string {
  return error instanceof ProtocolError ? error.code : 'INTERNAL';
}

/** A number that grows each time the connection comes back after being lost. */
function useReconnects(session: Session): number {
  const status = session.connection.status;
  const [count, setCount] = useState(0);
  useEffect(() => {
    let wasOnline = status.get().kind === 'online';
    return status.subscribe(() => {
      const online = status.get().kind === 'online';
      if (online && !wasOnline) setCount((value) => value + 1);
      wasOnline = online;
    });
  }, [status]);
  return count;
}

/**
 * The org tree. Its counts are a snapshot: it is loaded again after a
 * reconnect and when the page becomes visible again (at most every 15 s).
 */
export function useOrgTree(session: Session): Loadable<readonly DirectoryUnit[]> {
  const [state, setState] = useState<Loadable<readonly DirectoryUnit[]>>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);
  const reconnects = useReconnects(session);
  const loadedAt = useRef(0);
  useEffect(() => {
    let live = true;
    loadedAt.current = Date.now();
    session.connection
      .request<DirectoryTree>('directory.tree', {})
      .then((tree) => {
        if (live) setState({ kind: 'ready', value: tree.units });
      })
      .catch((error: unknown) => {
        if (!live) return;
        const retry = () => setReloads((value) => value + 1);
        // A tree already shown stays: a failed refresh is not worth an error.
        setState((current) =>
          current.kind === 'ready' ? current : { kind: 'failed', code: errorCode(error), retry },
        );
      });
    return () => {
      live = false;
    };
  }, [session, reloads, reconnects]);
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible' && Date.now() - loadedAt.current > 15_000) {
        setReloads((value) => value + 1);
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);
  return state;
}

const NO_UNIT: UnitSnapshot = { head: { kind: 'loading' }, members: [], loaded: [], complete: false };
const noSubscription = () => () => undefined;

/** A unit's members, page by page as the list scrolls (see unit-members.ts); null without a unit. */
export function useUnitMembers(
  session: Session,
  unitId: number | null,
): { source: UnitMembersSource; snapshot: UnitSnapshot } | null {
  const source = useMemo(
    () =>
      unitId === null
        ? null
        : new UnitMembersSource(unitId, {
            request: (t, body) => session.connection.request(t, body),
            registry: presenceRegistry(session),
            codeOf: errorCode,
          }),
    [session, unitId],
  );
  const snapshot = useSyncExternalStore(source?.subscribe ?? noSubscription, source?.get ?? (() => NO_UNIT));
  useEffect(() => source?.ensure(0, 0), [source]);
  return source ? { source, snapshot } : null;
}

export const SEARCH_LIMIT = 50;
const SEARCH_DEBOUNCE_MS = 250;

export interface SearchState {
  /** The query the results answer (trimmed). */
  query: string;
  result: Loadable<readonly DirectoryPerson[]>;
}

/** `directory.search` for the query, once typing pauses; null for an empty query. */
export function useDirectorySearch(session: Session, query: string): SearchState | null {
  const trimmed = query.trim().slice(0, DIRECTORY_QUERY_MAX);
  const [state, setState] = useState<SearchState | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (trimmed === '') return;
    let live = true;
    const timer = setTimeout(() => {
      session.connection
        .request<DirectorySearchResult>('directory.search', { query: trimmed, limit: SEARCH_LIMIT })
        .then((answer) => {
          if (!live) return;
          presenceRegistry(session).seed(answer.people);
          setState({ query: trimmed, result: { kind: 'ready', value: answer.people } });
        })
        .catch((error: unknown) => {
          if (!live) return;
          const retry = () => setAttempt((value) => value + 1);
          setState({ query: trimmed, result: { kind: 'failed', code: errorCode(error), retry } });
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [session, trimmed, attempt]);
  if (trimmed === '') return null;
  if (state?.query !== trimmed) return { query: trimmed, result: { kind: 'loading' } };
  return state;
}

/** One person's card. */
export function useProfile(session: Session, userId: number | null): Loadable<DirectoryProfile> | null {
  const [state, setState] = useState<{ userId: number; value: Loadable<DirectoryProfile> } | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (userId === null) return;
    let live = true;
    session.connection
      .request<DirectoryProfile>('directory.profile', { userId })
      .then((profile) => {
        if (!live) return;
        presenceRegistry(session).seed([profile]);
        setState({ userId, value: { kind: 'ready', value: profile } });
      })
      .catch((error: unknown) => {
        if (!live) return;
        const retry = () => setAttempt((value) => value + 1);
        setState({ userId, value: { kind: 'failed', code: errorCode(error), retry } });
      });
    return () => {
      live = false;
    };
  }, [session, userId, attempt]);
  if (userId === null) return null;
  return state?.userId === userId ? state.value : { kind: 'loading' };
}
