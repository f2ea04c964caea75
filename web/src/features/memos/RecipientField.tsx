import { useEffect, useId, useState, type KeyboardEvent, type RefObject } from 'react';
import type {
  DirectoryPerson,
  DirectorySearchResult,
  DirectoryTree,
  DirectoryUnit,
} from '../../../../src/protocol/im/directory.ts';
import { DIRECTORY_QUERY_MAX } from '../../../../src/protocol/im/directory.ts';
import { initials } from '../../lib/initials.ts';
import { useT } from '../../lib/i18n.ts';
import type { Session } from '../../lib/session.ts';
import {
  addRecipient,
  addUnit,
  coveredBy,
  findUnit,
  removeRecipient,
  type Recipient,
} from './compose-model.ts';
import { memoMessages } from './messages.ts';

const SEARCH_LIMIT = 8;
const SEARCH_DELAY_MS = 150;

/**
 * The recipients of a memo as chips, and two ways to add them: a search for
 * people (a combobox: arrows move, Enter adds, Backspace in the empty field
 * removes the last chip) and the org chart, where checking a unit sends to
 * everyone in it and in every unit below.
 */
export function RecipientField({
  session,
  tree,
  recipients,
  onChange,
  searchRef,
  invalid,
}: {
  session: Session;
  tree: DirectoryTree | 'failed' | null;
  recipients: Recipient[];
  onChange: (recipients: Recipient[]) => void;
  searchRef: RefObject<HTMLInputElement | null>;
  invalid: boolean;
}) {
  const t = useT(memoMessages);
  const id = useId();
  const [orgOpen, setOrgOpen] = useState(false);
  return (
    <fieldset className="memo-to" aria-invalid={invalid || undefined}>
      <legend>{t('to')}</legend>
      {recipients.length > 0 && (
        <ul className="memo-chips" aria-label={t('recipientsList')}>
          {recipients.map((r) => (
            <li
              key={`${r.kind}:${r.id}`}
              className="memo-chip"
              data-kind={r.kind}
              data-testid="recipient-chip"
            >
              <span className="memo-chip-icon" aria-hidden="true">
                {r.kind === 'unit' ? '🏢' : initials(r.name)}
              </span>
              <span title={r.kind === 'user' ? r.address : undefined}>{r.name}</span>
              {r.kind === 'unit' && r.members !== null && (
                <span className="memo-chip-count">
                  {r.members === 1 ? t('onePerson') : t('people', { count: r.members })}
                </span>
              )}
              <button
                type="button"
                aria-label={t('remove', { name: r.name })}
                onClick={() => onChange(removeRecipient(recipients, r))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="memo-to-tools">
        <PeopleSearch
          session={session}
          inputRef={searchRef}
          onPick={(person) =>
            onChange(
              addRecipient(recipients, {
                kind: 'user',
                id: person.id,
                name: person.name,
                address: person.address,
              }),
            )
          }
          onBackspace={() => {
            const last = recipients[recipients.length - 1];
            if (last) onChange(removeRecipient(recipients, last));
          }}
        />
        <button
          type="button"
          aria-expanded={orgOpen}
          aria-controls={`${id}-org`}
          onClick={() => setOrgOpen((open) => !open)}
        >
          🏢 {orgOpen ? t('hideUnits') : t('chooseUnits')}
        </button>
      </div>
      {orgOpen && (
        <div id={`${id}-org`} className="memo-org" role="group" aria-label={t('orgChart')}>
          {tree === null && <p role="status">{t('loading')}</p>}
          {tree === 'failed' && <p role="alert">{t('unitsFailed')}</p>}
          {tree !== null && tree !== 'failed' && (
            <UnitTree tree={tree} recipients={recipients} onChange={onChange} />
          )}
        </div>
      )}
    </fieldset>
  );
}

function PeopleSearch({
  session,
  inputRef,
  onPick,
  onBackspace,
}: {
  session: Session;
  inputRef: RefObject<HTMLInputElement | null>;
  onPick: (person: DirectoryPerson) => void;
  onBackspace: () => void;
}) {
  const t = useT(memoMessages);
  const id = useId();
  const { connection } = session;
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<DirectoryPerson[] | null>(null);
  const [active, setActive] = useState(0);
  const trimmed = query.trim();

  useEffect(() => {
    if (trimmed === '') return;
    let live = true;
    const timer = setTimeout(() => {
      connection
        .request<DirectorySearchResult>('directory.search', { query: trimmed, limit: SEARCH_LIMIT + 1 })
        .then((answer) => {
          if (!live) return;
          setResults(answer.people.filter((p) => p.id !== session.user.id).slice(0, SEARCH_LIMIT));
          setActive(0);
        })
        .catch(() => live && setResults([]));
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [connection, trimmed, session.user.id]);

  const open = trimmed !== '';
  const shown = open ? results : null;
  const pick = (person: DirectoryPerson) => {
    onPick(person);
    setQuery('');
    setResults(null);
    inputRef.current?.focus();
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    // Keys that confirm a Japanese input method's conversion are not meant for the list.
    if (event.nativeEvent.isComposing) return;
    const count = shown?.length ?? 0;
    if (event.key === 'ArrowDown' && count > 0) {
      event.preventDefault();
      setActive((i) => (i + 1) % count);
    } else if (event.key === 'ArrowUp' && count > 0) {
      event.preventDefault();
      setActive((i) => (i - 1 + count) % count);
    } else if (event.key === 'Enter') {
      // Enter picks a person; it never submits the memo from here.
      event.preventDefault();
      const person = shown?.[active];
      if (person) pick(person);
    } else if (event.key === 'Escape' && open) {
      event.preventDefault();
      setQuery('');
      setResults(null);
    } else if (event.key === 'Backspace' && query === '') {
      onBackspace();
    }
  };

  return (
    <div className="memo-search">
      <input
        ref={inputRef}
        type="search"
        role="combobox"
        aria-label={t('searchPeople')}
        aria-expanded={open && shown !== null && shown.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={shown?.[active] ? `${id}-${shown[active].id}` : undefined}
        placeholder={`${t('searchPeople')}: ${t('searchPlaceholder')}`}
        value={query}
        maxLength={DIRECTORY_QUERY_MAX}
        autoComplete="off"
        onChange={(e) => {
          setQuery(e.target.value);
          if (e.target.value.trim() === '') setResults(null);
        }}
        onKeyDown={onKey}
      />
      {open && (
        <div className="memo-search-popup">
          {shown === null && <p role="status">{t('searching')}</p>}
          {shown?.length === 0 && <p role="status">{t('noMatches')}</p>}
          <ul id={`${id}-list`} role="listbox" aria-label={t('searchPeople')} hidden={!shown?.length}>
            {shown?.map((person, index) => (
              <li
                key={person.id}
                id={`${id}-${person.id}`}
                role="option"
                aria-selected={index === active}
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(index)}
                onClick={() => pick(person)}
              >
                <span className="avatar" aria-hidden="true">
                  {initials(person.name)}
                </span>
                <span className="memo-option-main">
                  <span>{person.name}</span>
                  <span className="memo-address">
                    {[person.title, person.address].filter(Boolean).join(' · ')}
                  </span>
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function UnitTree({
  tree,
  recipients,
  onChange,
}: {
  tree: DirectoryTree;
  recipients: Recipient[];
  onChange: (recipients: Recipient[]) => void;
}) {
  const t = useT(memoMessages);
  const chosen = new Set(recipients.filter((r) => r.kind === 'unit').map((r) => r.id));
  const toggle = (unit: DirectoryUnit, checked: boolean) =>
    onChange(
      checked ? addUnit(recipients, unit) : removeRecipient(recipients, { kind: 'unit', id: unit.id }),
    );
  if (tree.units.length === 0) return <p>{t('noUnits')}</p>;
  return (
    <ul className="memo-org-list">
      {tree.units.map((unit) => (
        <UnitNode key={unit.id} unit={unit} tree={tree} chosen={chosen} onToggle={toggle} />
      ))}
    </ul>
  );
}

function UnitNode({
  unit,
  tree,
  chosen,
  onToggle,
}: {
  unit: DirectoryUnit;
  tree: DirectoryTree;
  chosen: ReadonlySet<number>;
  onToggle: (unit: DirectoryUnit, checked: boolean) => void;
}) {
  const t = useT(memoMessages);
  const [open, setOpen] = useState(false);
  const cover = coveredBy(tree.units, chosen, unit.id);
  const coverName = cover === null ? null : (findUnit(tree.units, cover)?.name ?? '');
  const hasChildren = unit.children.length > 0;
  return (
    <li data-testid="org-unit" data-unit-id={unit.id}>
      <div className="memo-org-row">
        {hasChildren ? (
          <button
            type="button"
            className="memo-org-toggle"
            aria-expanded={open}
            aria-label={t(open ? 'collapse' : 'expand', { name: unit.name })}
            onClick={() => setOpen((o) => !o)}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span className="memo-org-toggle" aria-hidden="true" />
        )}
        <label
          title={
            coverName !== null ? t('includedAbove', { name: coverName }) : t('wholeUnit', { name: unit.name })
          }
        >
          <input
            type="checkbox"
            checked={chosen.has(unit.id) || cover !== null}
            disabled={cover !== null || (unit.totalMembers === 0 && !chosen.has(unit.id))}
            onChange={(e) => onToggle(unit, e.target.checked)}
          />
          <span className="memo-org-name">{unit.name}</span>
          <span className="memo-org-count">
            {unit.totalMembers === 1 ? t('onePerson') : t('people', { count: unit.totalMembers })}
          </span>
        </label>
      </div>
      {open && hasChildren && (
        <ul>
          {unit.children.map((child) => (
            <UnitNode key={child.id} unit={child} tree={tree} chosen={chosen} onToggle={onToggle} />
          ))}
        </ul>
      )}
    </li>
  );
}
