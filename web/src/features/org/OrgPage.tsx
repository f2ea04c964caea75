import { useCallback, useMemo, useState } from 'react';
import type { DirectoryPerson, DirectoryUnit } from '../../../../src/protocol/im/directory.ts';
import { useT } from '../../lib/i18n.ts';
import { href, navigate } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { presenceRegistry, usePresenceVersion, useWatchPresence } from '../presence/presence-store.ts';
import { orgMessages } from './messages.ts';
import {
  SEARCH_LIMIT,
  useDirectorySearch,
  useOrgTree,
  useUnitMembers,
  type SearchState,
} from './org-data.ts';
import { parseOrgRoute } from './org-route.ts';
import { OrgTree } from './OrgTree.tsx';
import { PeopleList } from './PeopleList.tsx';
import { ProfileCard } from './ProfileCard.tsx';
import { initialExpanded, pathTo, withLiveOnline } from './tree-model.ts';
import { LIVE_UNIT_MAX } from './unit-members.ts';
import './org.css';

/**
 * The org chart (`#/org[/unit/<id>[/person/<id>]]`, `#/org/person/<id>`):
 * the tree of departments with how many are online, the selected unit's
 * people (or search results) with live presence, and a person's card. Side
 * by side on a wide screen; on a phone one screen at a time, in that order.
 */
export function OrgPage({ session, route }: { session: Session; route: string[] }) {
  const t = useT(orgMessages);
  const { unitId, personId } = parseOrgRoute(route);
  const [query, setQuery] = useState('');
  const search = useDirectorySearch(session, query);
  const tree = useOrgTree(session);
  const members = useUnitMembers(session, unitId);
  const units = tree.kind === 'ready' ? tree.value : null;

  // Live count of the open unit: a unit small enough is watched whole.
  const snapshot = members?.snapshot;
  const head = snapshot?.head;
  const small = head?.kind === 'ready' && head.total <= LIVE_UNIT_MAX;
  const watchedWhole = useMemo(
    () => (small && snapshot ? snapshot.loaded.map((person) => person.id) : []),
    [small, snapshot],
  );
  useWatchPresence(session, watchedWhole);
  const version = usePresenceVersion(session, small);
  const liveOnline = useMemo(() => {
    if (!small || !snapshot?.complete) return null;
    const registry = presenceRegistry(session);
    return countOnline(snapshot.loaded, (id) => registry.get(id)?.state, version);
  }, [session, small, snapshot, version]);
  const shownUnits = useMemo(
    () =>
      units && unitId !== null && liveOnline !== null ? withLiveOnline(units, unitId, liveOnline) : units,
    [units, unitId, liveOnline],
  );

  const expanded = useExpanded(units, unitId);
  const screen = personId !== null ? 'profile' : search || unitId !== null ? 'list' : 'tree';
  const selectUnit = useCallback((id: number) => {
    setQuery('');
    navigate('org', 'unit', id);
  }, []);

  return (
    <div className="org" data-screen={screen}>
      <header className="org-header">
        <h1>{t('title')}</h1>
        <div className="org-search" role="search">
          <input
            type="search"
            aria-label={t('searchLabel')}
            placeholder={t('searchPlaceholder')}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setQuery('');
            }}
          />
        </div>
      </header>
      <div className="org-body">
        <nav className="org-tree-pane" aria-label={t('treeLabel')}>
          {tree.kind === 'loading' && <p className="org-empty">{t('loading')}</p>}
          {tree.kind === 'failed' && (
            <div className="org-empty" role="alert">
              <p>{t('loadFailed')}</p>
              <button type="button" onClick={tree.retry}>
                {t('retry')}
              </button>
            </div>
          )}
          {shownUnits && shownUnits.length === 0 && <p className="org-empty">{t('noTree')}</p>}
          {shownUnits && shownUnits.length > 0 && (
            <OrgTree
              units={shownUnits}
              selectedId={unitId}
              expanded={expanded.shown}
              onToggle={expanded.toggle}
              onSelect={selectUnit}
            />
          )}
        </nav>
        <section className="org-list-pane">
          {search ? (
            <SearchResults
              session={session}
              search={search}
              selectedId={personId}
              onBack={() => setQuery('')}
            />
          ) : unitId !== null && members ? (
            <UnitMembers
              session={session}
              members={members}
              unit={units ? pathTo(units, unitId).at(-1) : undefined}
              liveOnline={liveOnline}
              selectedId={personId}
            />
          ) : (
            <p className="org-empty">{t('chooseUnit')}</p>
          )}
        </section>
        <aside className="org-profile-pane" aria-label={t('profile')}>
          {personId !== null ? (
            <>
              <a className="org-back" href={unitId !== null ? href('org', 'unit', unitId) : href('org')}>
                ‹ {t('back')}
              </a>
              <ProfileCard key={personId} session={session} userId={personId} />
            </>
          ) : (
            <p className="org-empty">{t('choosePerson')}</p>
          )}
        </aside>
      </div>
    </div>
  );
}

/** How many of these people are connected; `_version` only makes the caller recount on change. */
function countOnline(
  people: readonly DirectoryPerson[],
  stateOf: (id: number) => string | undefined,
  _version: number,
): number {
  let online = 0;
  for (const person of people) {
    const state = stateOf(person.id) ?? person.state;
    if (state !== 'offline') online++;
  }
  return online;
}

/**
 * Which units are open: the defaults (top level, the way to the selected
 * unit) plus what the user opened, minus what they closed. Opening another
 * unit by a link opens the way to it again.
 */
function useExpanded(units: readonly DirectoryUnit[] | null, unitId: number | null) {
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  const [closed, setClosed] = useState<ReadonlySet<number>>(new Set());
  const [routedTo, setRoutedTo] = useState(unitId);
  if (routedTo !== unitId) {
    // Adjusting state to a new route during render (React's "storing information from previous renders").
    setRoutedTo(unitId);
    if (units && unitId !== null) {
      const way = new Set(pathTo(units, unitId).map((unit) => unit.id));
      setClosed((current) => new Set([...current].filter((id) => !way.has(id))));
    }
  }
  const shown = useMemo(() => {
    const set = units ? initialExpanded(units, unitId) : new Set<number>();
    for (const id of opened) set.add(id);
    for (const id of closed) set.delete(id);
    return set;
  }, [units, unitId, opened, closed]);
  const toggle = useCallback((id: number, open: boolean) => {
    const edit = (add: boolean) => (current: ReadonlySet<number>) => {
      const next = new Set(current);
      if (add) next.add(id);
      else next.delete(id);
      return next;
    };
    setOpened(edit(open));
    setClosed(edit(!open));
  }, []);
  return { shown, toggle };
}

function UnitMembers({
  session,
  members,
  unit,
  liveOnline,
  selectedId,
}: {
  session: Session;
  members: NonNullable<ReturnType<typeof useUnitMembers>>;
  unit: DirectoryUnit | undefined;
  liveOnline: number | null;
  selectedId: number | null;
}) {
  const t = useT(orgMessages);
  const { source, snapshot } = members;
  const onRange = useCallback((start: number, end: number) => source.ensure(start, end), [source]);
  const personAt = useCallback((index: number) => snapshot.members[index], [snapshot]);
  const head = snapshot.head;
  if (head.kind === 'loading') return <p className="org-empty">{t('loading')}</p>;
  if (head.kind === 'failed') {
    return (
      <div className="org-empty" role="alert">
        <a className="org-back" href={href('org')}>
          ‹ {t('backToUnits')}
        </a>
        <p>{head.code === 'UNIT_UNKNOWN' ? t('unitUnknown') : t('loadFailed')}</p>
        {head.code !== 'UNIT_UNKNOWN' && (
          <button type="button" onClick={() => source.retry()}>
            {t('retry')}
          </button>
        )}
      </div>
    );
  }
  const online = liveOnline ?? unit?.online;
  return (
    <>
      <div className="org-list-head">
        <a className="org-back" href={href('org')}>
          ‹ {t('backToUnits')}
        </a>
        <h2>{head.unit.name}</h2>
        {head.unit.path !== head.unit.name && <p className="org-path">{head.unit.path}</p>}
        <p className="org-list-count">
          {online === undefined
            ? t('people', { count: head.total })
            : t('peopleOnline', { count: head.total, online })}
        </p>
      </div>
      {head.total === 0 ? (
        <p className="org-empty">{t('noMembers')}</p>
      ) : (
        <PeopleList
          key={source.unitId}
          session={session}
          label={t('membersOf', { unit: head.unit.name })}
          count={head.total}
          personAt={personAt}
          onRange={onRange}
          selectedId={selectedId}
        />
      )}
    </>
  );
}

function SearchResults({
  session,
  search,
  selectedId,
  onBack,
}: {
  session: Session;
  search: SearchState;
  selectedId: number | null;
  onBack: () => void;
}) {
  const t = useT(orgMessages);
  const people = search.result.kind === 'ready' ? search.result.value : null;
  const personAt = useCallback((index: number) => people?.[index], [people]);
  return (
    <>
      <div className="org-list-head">
        <button type="button" className="org-back link" onClick={onBack}>
          ‹ {t('clearSearch')}
        </button>
        <h2>{t('results')}</h2>
        <p className="org-list-count" role="status">
          {search.result.kind === 'loading'
            ? t('searching')
            : search.result.kind === 'failed'
              ? t('loadFailed')
              : search.result.value.length === 0
                ? t('noResults', { query: search.query })
                : t('resultsCount', { count: search.result.value.length })}
        </p>
        {people && people.length >= SEARCH_LIMIT && (
          <p className="org-path">{t('resultsMore', { count: people.length })}</p>
        )}
      </div>
      {people && people.length > 0 && (
        <PeopleList
          key={search.query}
          session={session}
          label={t('resultsFor', { query: search.query })}
          count={people.length}
          personAt={personAt}
          selectedId={selectedId}
        />
      )}
    </>
  );
}
