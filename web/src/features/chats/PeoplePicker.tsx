import { useEffect, useState } from 'react';
import type { DirectoryPerson, DirectorySearchResult } from '../../../../src/protocol/im/directory.ts';
import { initials } from '../../lib/initials.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import { chatMessages } from './messages.ts';

const SEARCH_DELAY_MS = 200;

/**
 * Choosing people with `directory.search` (only those the visibility rules
 * let the user see come back): type, pick from the results, and the picked
 * ones show as removable chips. Enter picks the first result.
 */
export function PeoplePicker({
  session,
  selected,
  onChange,
  exclude,
  autoFocus = false,
}: {
  session: Session;
  selected: DirectoryPerson[];
  onChange: (people: DirectoryPerson[]) => void;
  /** Already in (the user, current members): not offered. */
  exclude: ReadonlySet<number>;
  autoFocus?: boolean;
}) {
  const t = useT(chatMessages);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ query: string; people: DirectoryPerson[] } | null>(null);
  const trimmed = query.trim();

  useEffect(() => {
    if (trimmed === '') return;
    let live = true;
    const timer = setTimeout(() => {
      session.connection
        .request<DirectorySearchResult>('directory.search', { query: trimmed, limit: 20 })
        .then(
          (result) => live && setFound({ query: trimmed, people: result.people }),
          () => live && setFound({ query: trimmed, people: [] }),
        );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [session, trimmed]);

  const chosen = new Set(selected.map((p) => p.id));
  const results =
    trimmed !== '' && found?.query === trimmed
      ? found.people.filter((p) => !exclude.has(p.id) && !chosen.has(p.id))
      : [];
  const add = (person: DirectoryPerson) => {
    onChange([...selected, person]);
    setQuery('');
  };

  return (
    <div className="people-picker">
      {selected.length > 0 && (
        <ul className="people-chips" aria-label={t('selected')}>
          {selected.map((person) => (
            <li key={person.id}>
              <button
                type="button"
                className="chip"
                onClick={() => onChange(selected.filter((p) => p.id !== person.id))}
                aria-label={t('removePerson', { name: person.name })}
              >
                {person.name} <span aria-hidden="true">✕</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        type="search"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Enter' || event.nativeEvent.isComposing) return;
          event.preventDefault();
          const first = results[0];
          if (first) add(first);
        }}
        placeholder={t('searchPlaceholder')}
        aria-label={t('searchPeople')}
        autoFocus={autoFocus}
      />
      {trimmed !== '' && found?.query === trimmed && (
        <ul className="people-results" aria-label={t('searchPeople')}>
          {results.length === 0 && <li className="people-none">{t('noPeopleFound')}</li>}
          {results.map((person) => (
            <li key={person.id}>
              <button
                type="button"
                className="person"
                onClick={() => add(person)}
                aria-label={t('addPerson', { name: person.name })}
              >
                <span className="avatar" aria-hidden="true">
                  {initials(person.name)}
                </span>
                <span className="person-text">
                  <strong>{person.name}</strong>
                  <span>{[person.title, person.address].filter(Boolean).join(' · ')}</span>
                </span>
                <span className="presence-dot" data-state={person.state} aria-hidden="true" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
