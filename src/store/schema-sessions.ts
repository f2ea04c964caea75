import type { Generated } from 'kysely';

/** Messenger devices and their resume tokens. */
export interface SessionTables {
  im_devices: ImDeviceTable;
}

/**
 * A device a person logged in from. Every password login makes one, with a
 * token (only its SHA-256 is kept). A remembered device's token resumes
 * later connections; a device not remembered ends (`revoked_at`) when its
 * connection closes, and its token only serves the client REST API meanwhile.
 */
export interface ImDeviceTable {
  id: Generated<number>;
  user_id: number;
  /** desktop | mobile | web */
  kind: string;
  name: string;
  /** SHA-256 of the device token, hex; null once revoked. */
  token_hash: string | null;
  /** 1: the token resumes sessions (login with `remember`); 0: it ends with the connection. */
  remembered: number;
  created_at: number;
  last_seen_at: number;
  last_remote: string;
  /** The resume token stops working after this (sliding: each resume pushes it on). */
  expires_at: number | null;
  /** Set when revoked by the user or an admin, or when a device not remembered logs out. */
  revoked_at: number | null;
}
