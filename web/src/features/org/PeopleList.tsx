import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { DirectoryPerson } from '../../../../src/protocol/im/directory.ts';
import { initials } from '../../lib/initials.ts';
import { href } from '../../lib/router.ts';
import type { Session } from '../../lib/session.ts';
import { PresenceDot, usePresenceLabel } from '../presence/PresenceDot.tsx';
import { usePresence, useWatchPresence } from '../presence/presence-store.ts';
import { personRoute } from './org-route.ts';

const ROW_HEIGHT = 60;

/**
 * A list of people, virtualized so that a unit of thousands opens at once:
 * only the rows in view (and a few around) exist, and only they are
 * watched for presence. Rows not loaded yet show as placeholders and ask
 * for their page. Up and Down move between rows; each row links to the
 * person's card.
 */
export function PeopleList({
  session,
  label,
  count,
  personAt,
  onRange,
  selectedId,
}: {
  session: Session;
  label: string;
  count: number;
  personAt: (index: number) => DirectoryPerson | undefined;
  /** The rows in view changed: load what they need. */
  onRange?: (start: number, end: number) => void;
  selectedId: number | null;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (last >= first) onRange?.(first, last);
  }, [first, last, onRange]);

  const visibleIds = useMemo(() => {
    const ids: number[] = [];
    for (let index = first; index <= last; index++) {
      const person = personAt(index);
      if (person) ids.push(person.id);
    }
    return ids;
  }, [first, last, personAt]);
  useWatchPresence(session, visibleIds);

  const [active, setActive] = useState(0);
  const activeIndex = Math.min(active, Math.max(0, count - 1));
  const moved = useRef(false);
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    scrollRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"] a`)?.focus();
  }, [activeIndex, first, last]);

  const onKeyDown = (event: KeyboardEvent) => {
    const pageRows = Math.max(
      1,
      Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT) - 1,
    );
    const target =
      event.key === 'ArrowDown'
        ? activeIndex + 1
        : event.key === 'ArrowUp'
          ? activeIndex - 1
          : event.key === 'PageDown'
            ? activeIndex + pageRows
            : event.key === 'PageUp'
              ? activeIndex - pageRows
              : event.key === 'Home'
                ? 0
                : event.key === 'End'
                  ? count - 1
                  : null;
    if (target === null || count === 0) return;
    event.preventDefault();
    const next = Math.max(0, Math.min(count - 1, target));
    moved.current = true;
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };

  return (
    <div className="people-scroll" ref={scrollRef} onKeyDown={onKeyDown}>
      <div
        role="list"
        aria-label={label}
        className="people-list"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {items.map((item) => {
          const person = personAt(item.index);
          return (
            <div
              key={person ? `p${person.id}` : `i${item.index}`}
              role="listitem"
              data-testid="person-row"
              data-index={item.index}
              aria-setsize={count}
              aria-posinset={item.index + 1}
              className="people-item"
              style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
            >
              {person ? (
                <PersonRow
                  session={session}
                  person={person}
                  selected={person.id === selectedId}
                  index={item.index}
                  focusable={item.index === activeIndex}
                  onActive={setActive}
                />
              ) : (
                <div className="person-row placeholder" aria-hidden="true">
                  <span className="avatar" />
                  <span className="person-placeholder-bar" />
                </div>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

const PersonRow = memo(function PersonRow({
  session,
  person,
  selected,
  index,
  focusable,
  onActive,
}: {
  session: Session;
  person: DirectoryPerson;
  selected: boolean;
  index: number;
  focusable: boolean;
  onActive: (index: number) => void;
}) {
  const presence = usePresence(session, person.id, person);
  const label = usePresenceLabel();
  return (
    <a
      className={selected ? 'person-row selected' : 'person-row'}
      href={href(...personRoute(person))}
      aria-current={selected ? 'true' : undefined}
      tabIndex={focusable ? 0 : -1}
      onFocus={() => onActive(index)}
      data-user-id={person.id}
    >
      <span className="person-avatar">
        <span className="avatar" aria-hidden="true">
          {initials(person.name)}
        </span>
        <PresenceDot state={presence.state} text={presence.text} className="person-dot" />
      </span>
      <span className="person-main">
        <span className="person-line">
          <span className="person-name">{person.name}</span>
          {person.title && <span className="person-title">{person.title}</span>}
        </span>
        <span className="person-status" data-testid="person-status">
          {presence.text ? presence.text : label(presence.state)}
        </span>
      </span>
    </a>
  );
});
