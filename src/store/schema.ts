import type { Generated } from 'kysely';
import type { ConversationTables } from './schema-conversations.ts';
import type { FileTables } from './schema-files.ts';
import type { MailTables } from './schema-mail.ts';
import type { MemoTables } from './schema-memos.ts';
import type { SessionTables } from './schema-sessions.ts';
import type { VisibilityTables } from './schema-visibility.ts';

/**
 * The tables, as Kysely sees them. Times are milliseconds since the epoch
 * (integer), flags are 0/1 integers and structured values JSON text, so the
 * same queries run unchanged on SQLite and PostgreSQL.
 */
export interface Database
  extends
    DirectoryTables,
    SessionTables,
    VisibilityTables,
    ConversationTables,
    MemoTables,
    FileTables,
    MailTables,
    BlobTables {}

/** Small blobs kept in the database (blob/blob-store.ts); the rest are files. */
export interface BlobTables {
  blob_inline: BlobInlineTable;
}

export interface BlobInlineTable {
  /** SHA-256 of the content, lower-case hex: the blob's id in either tier. */
  sha256: string;
  size: number;
  /** Uint8Array from SQLite, Buffer from PostgreSQL; a Buffer when written. */
  content: Uint8Array;
  created_at: number;
}

/** Domains, org chart, users, groups, tokens, audit, settings. */
export interface DirectoryTables {
  domains: DomainTable;
  org_units: OrgUnitTable;
  users: UserTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  api_tokens: ApiTokenTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_pending: AuditPendingTable;
  settings: SettingTable;
}

export interface DomainTable {
  id: Generated<number>;
  name: string;
  /** Set on an alias domain: mail and logins for it go to this domain's users. */
  alias_of: number | null;
  is_default: number;
  dkim_selector: string | null;
  dkim_private_key: string | null;
  created_at: number;
}

export interface OrgUnitTable {
  id: Generated<number>;
  parent_id: number | null;
  name: string;
  /** Order among siblings, ascending. */
  position: number;
  created_at: number;
}

export interface UserTable {
  id: Generated<number>;
  /** Canonical login and mail address, lower case: local@domain. */
  address: string;
  local_part: string;
  domain_id: number;
  display_name: string;
  /** How the name is read (kana for Japanese names); used for sorting and search. */
  name_reading: string;
  title: string;
  phone: string;
  unit_id: number | null;
  is_admin: number;
  disabled: number;
  valid_from: number | null;
  valid_until: number | null;
  /** Bytes; null means the server default, 0 means no limit. */
  quota_bytes: number | null;
  /** PHC string of the password hash; null when no password is set yet. */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface GroupTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: number;
}

export interface GroupMemberTable {
  group_id: number;
  user_id: number;
}

export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the token, hex; the token itself is shown once and never stored. */
  token_hash: string;
  /** The admin the token acts as; the token stops working when they lose the role. */
  user_id: number;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** What an audit entry says, chained or not yet. */
export interface AuditEntryColumns {
  at: number;
  /** Who did it: an address, "cli", "system", or "token:NAME". */
  actor: string;
  action: string;
  target: string;
  protocol: string;
  remote: string;
  outcome: string;
  /** JSON object with action-specific fields. */
  details: string;
}

export interface AuditLogTable extends AuditEntryColumns {
  seq: number;
  prev_hash: string;
  hash: string;
}

/** An entry written but not yet chained (PostgreSQL): audit_log's fields but seq and the hashes. */
export interface AuditPendingTable extends AuditEntryColumns {
  /** Write order, which is the order entries of one transaction are chained in. */
  id: Generated<number>;
}

/** One row (id 1): the last sequence number and hash, so a deleted tail is noticed. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface SettingTable {
  key: string;
  /** JSON value. */
  value: string;
  updated_at: number;
}
