import type { Executor } from '../store/database.ts';

/** Who asks for a change, for the audit log: an address, "cli" or "system". */
export interface Actor {
  name: string;
  protocol: string;
  remote: string;
}

export const CLI_ACTOR: Actor = { name: 'cli', protocol: 'cli', remote: '' };
export const SYSTEM_ACTOR: Actor = { name: 'system', protocol: 'internal', remote: '' };

export interface AuditRecord {
  at: number;
  actor: string;
  action: string;
  target: string;
  protocol: string;
  remote: string;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
}

/** The part of the audit log the directory writes to. */
export interface AuditSink {
  append(entry: AuditRecord, executor?: Executor): Promise<unknown>;
  appendMany(entries: readonly AuditRecord[], executor?: Executor): Promise<unknown>;
}

export function auditRecord(
  actor: Actor,
  action: string,
  target: string,
  details: Record<string, unknown> = {},
  outcome: 'success' | 'failure' = 'success',
): AuditRecord {
  return {
    at: Date.now(),
    actor: actor.name,
    action,
    target,
    protocol: actor.protocol,
    remote: actor.remote,
    outcome,
    details,
  };
}

export interface User {
  id: number;
  address: string;
  displayName: string;
  nameReading: string;
  title: string;
  phone: string;
  /** Org unit path such as "Sales/Tokyo", or null when the user is in no unit. */
  unit: string | null;
  isAdmin: boolean;
  disabled: boolean;
  validFrom: number | null;
  validUntil: number | null;
  /** Bytes; null: the server default; 0: no limit. */
  quotaBytes: number | null;
  hasPassword: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface OrgUnit {
  id: number;
  name: string;
  path: string;
  parentId: number | null;
  position: number;
  /** Users directly in this unit. */
  members: number;
  children: OrgUnit[];
}
