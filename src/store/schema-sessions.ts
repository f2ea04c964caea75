import type { Generated } from 'kysely';

/** Messenger devices and their resume tokens. */
export interface SessionTables {
  im_devices: ImDeviceTable;
}

/**
 * A device a person logged in from. Every password login makes one; with
 * `remember` it gets a resume token (only its SHA-256 is kept), else it ends
 * (`revoked_at`) when its connection closes.
 */
export interface ImDeviceTable {
  id: Generated<number>;
  user_id: number;
  /** desktop | mobile | web */
  kind: string;
  name: string;
  /** SHA-256 of the resume token, hex; null for a device that is not remembered. */
  token_hash: string | null;
  created_at: number;
  last_seen_at: number;
  last_remote: string;
  /** The resume token stops working after this (sliding: each resume pushes it on). */
  expires_at: number | null;
  /** Set when revoked by the user or an admin, or when a device not remembered logs out. */
  revoked_at: number | null;
}
