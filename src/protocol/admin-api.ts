/**
 * The resources of the REST admin API (/api/v1) as they travel on the wire,
 * shared with web/. Times are ISO 8601 strings in UTC; sizes are bytes.
 * Errors come as ApiErrorBody (./errors.ts).
 */

export interface ApiUser {
  /** name@domain, lower case: also the login. */
  address: string;
  displayName: string;
  /** How the name is read (kana for Japanese names). */
  nameReading: string;
  title: string;
  phone: string;
  /** Org unit path such as "Sales/Tokyo"; null when in no unit. */
  unit: string | null;
  isAdmin: boolean;
  disabled: boolean;
  validFrom: string | null;
  validUntil: string | null;
  /** null: the server default; 0: no limit. */
  quotaBytes: number | null;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ApiUserList {
  users: ApiUser[];
  limit: number;
  offset: number;
}

export interface ApiOrgUnit {
  name: string;
  path: string;
  /** Order among siblings, from 0. */
  position: number;
  /** Users directly in this unit. */
  members: number;
  children: ApiOrgUnit[];
}

export interface ApiGroup {
  name: string;
  description: string;
  members: number;
}

export interface ApiDomain {
  name: string;
  aliasOf: string | null;
  isDefault: boolean;
  dkimSelector: string | null;
}

export interface ApiToken {
  id: number;
  name: string;
  /** The administrator the token acts as. */
  owner: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
}

/** The answer to creating a token: the only time the secret is shown. */
export interface ApiCreatedToken {
  id: number;
  name: string;
  owner: string;
  expiresAt: string | null;
  token: string;
}

export interface ApiAuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  protocol: string;
  remote: string;
  outcome: string;
  details: Record<string, unknown>;
  hash: string;
}

export interface ApiAuditPage {
  /** Newest first. */
  entries: ApiAuditEntry[];
  /** Pass as beforeSeq to get the next (older) page; null on the last page. */
  nextBeforeSeq: number | null;
}

export interface ApiAuditVerification {
  ok: boolean;
  checked: number;
  problems: { seq: number; kind: 'changed' | 'missing' | 'truncated'; message: string }[];
  omittedProblems: number;
}
