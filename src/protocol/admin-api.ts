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

/** One DNS record to publish for mail, as a DNS console takes it. */
export interface ApiDnsRecord {
  type: 'MX' | 'TXT' | 'CNAME' | 'SRV';
  /** Fully qualified, with the final dot. */
  name: string;
  /** TXT without quotes. */
  value: string;
  /** What it is for, one line (English). */
  purpose: string;
}

export interface ApiDomainDns {
  domain: string;
  aliasOf: string | null;
  records: ApiDnsRecord[];
}

export interface ApiMailDns {
  /** The server's host name: the MX target, which also needs A/AAAA and PTR records. */
  hostname: string;
  domains: ApiDomainDns[];
}

export type ApiQueueStatus = 'queued' | 'delivered' | 'failed';

/** One recipient of a message in the outbound queue. */
export interface ApiQueueEntry {
  id: number;
  /** "" for a bounce (null reverse path). */
  sender: string;
  recipient: string;
  /** submission, forward, bounce, autoreply or notice. */
  kind: string;
  status: ApiQueueStatus;
  size: number;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  lastError: string | null;
}

export interface ApiQueueList {
  entries: ApiQueueEntry[];
}
