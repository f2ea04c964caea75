/**
 * The directory over the messenger protocol: the org tree, the members of a
 * unit, search and the profile card. Every answer holds only what the
 * viewer may see under the visibility rules; a hidden person or unit is
 * absent, or unknown when asked for by id. Documented in docs/protocol/directory.md.
 */
import type { PresenceState } from './frames.ts';

/** Most members one `directory.unit` page holds. */
export const DIRECTORY_PAGE_MAX = 200;
export const DIRECTORY_PAGE_DEFAULT = 100;
/** Most results of one `directory.search`. */
export const DIRECTORY_SEARCH_MAX = 100;
export const DIRECTORY_SEARCH_DEFAULT = 20;
/** Longest search query, in characters. */
export const DIRECTORY_QUERY_MAX = 100;

/** `directory.tree`: the org chart as the viewer may see it. */
export interface DirectoryTreeRequest {
  t: 'directory.tree';
  id?: number;
}

/** `directory.unit`: one page of a unit's direct members, with their presence. */
export interface DirectoryUnitRequest {
  t: 'directory.unit';
  id?: number;
  unitId: number;
  /** Members to skip (default 0). */
  offset?: number;
  /** Page size (default 100, at most 200). */
  limit?: number;
  /** Also watch the presence of the page's members, as `presence.watch` would. */
  watch?: boolean;
}

/** `directory.search`: people whose name, reading, title, phone or address contains the query. */
export interface DirectorySearchRequest {
  t: 'directory.search';
  id?: number;
  query: string;
  /** Most results (default 20, at most 100). */
  limit?: number;
}

/** `directory.profile`: one person's card, by id or by address. */
export type DirectoryProfileRequest =
  | { t: 'directory.profile'; id?: number; userId: number }
  | { t: 'directory.profile'; id?: number; address: string };

/** One org unit in the tree. */
export interface DirectoryUnit {
  id: number;
  name: string;
  /** Visible people directly in this unit. */
  members: number;
  /** Of those, how many have a device connected (any state but offline). */
  online: number;
  /** Visible people in this unit and every unit below it. */
  totalMembers: number;
  totalOnline: number;
  children: DirectoryUnit[];
}

export interface DirectoryTree {
  units: DirectoryUnit[];
}

/** A person as lists show them, with their presence. */
export interface DirectoryPerson {
  id: number;
  address: string;
  name: string;
  /** How the name is read (kana for Japanese names); may be empty. */
  reading: string;
  title: string;
  phone: string;
  /** The org unit the person is directly in; null when in none. */
  unitId: number | null;
  state: PresenceState;
  /** The status text; empty when there is none. */
  text: string;
}

export interface DirectoryUnitPage {
  unit: { id: number; name: string; path: string };
  /** Visible direct members, in reading order. */
  total: number;
  offset: number;
  members: DirectoryPerson[];
}

export interface DirectorySearchResult {
  people: DirectoryPerson[];
}

/** The profile card: the person and where they sit in the org chart. */
export interface DirectoryProfile extends DirectoryPerson {
  /** The unit's path such as "営業部/東京"; null when in no unit. */
  unitPath: string | null;
}
