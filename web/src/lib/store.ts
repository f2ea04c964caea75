import { useSyncExternalStore } from 'react';

/**
 * A small observable value: the client's state lives in a few of these
 * (session, presence, conversations…), and components read them with
 * `useStore`, re-rendering only when the value they select changes.
 */
export interface Store<T> {
  get: () => T;
  set: (next: T | ((current: T) => T)) => void;
  subscribe: (listener: () => void) => () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set: (next) => {
      const resolved = typeof next === 'function' ? (next as (current: T) => T)(value) : next;
      if (Object.is(resolved, value)) return;
      value = resolved;
      for (const listener of [...listeners]) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store's value, or the part `select` picks (which must return a stable value for equal input). */
export function useStore<T, S = T>(store: Store<T>, select?: (value: T) => S): S {
  return useSyncExternalStore(store.subscribe, () =>
    select ? select(store.get()) : (store.get() as unknown as S),
  );
}
