import type { Generated } from 'kysely';

/**
 * Uploaded files, where they are attached, Web Push subscriptions and bots:
 * the messenger's edges to the outside world (uploads, push services,
 * integrations).
 */
export interface FileTables {
  files: FileTable;
  file_attachments: FileAttachmentTable;
  push_subscriptions: PushSubscriptionTable;
  bots: BotTable;
}

/** A finished upload; the bytes are in the blob store under `sha256`. */
export interface FileTable {
  /** Random, 32 hex digits: the tus upload id, kept as the file's id. */
  id: string;
  uploader_id: number;
  /** As the uploader named it (UTF-8, no path). */
  name: string;
  size: number;
  /** Sniffed from the content when recognised, else as declared, else application/octet-stream. */
  mime_type: string;
  /** SHA-256 of the content, hex: also its blob id. */
  sha256: string;
  /** Blob id of a smaller rendition of an image; null for other files and unreadable images. */
  preview_blob_id: string | null;
  preview_mime_type: string | null;
  created_at: number;
}

/**
 * Where a file is shown: a conversation or a memo. Whoever may read there
 * may download the file.
 */
export interface FileAttachmentTable {
  file_id: string;
  /** 'conversation' or 'memo'. */
  target_kind: string;
  target_id: number;
  created_at: number;
}

/** One browser's push channel (RFC 8030) for one device of one user. */
export interface PushSubscriptionTable {
  id: Generated<number>;
  user_id: number;
  /** The messenger device that subscribed; a device has one subscription at a time. */
  device_id: number;
  /** The push service's URL for this browser; unique: one browser, one owner. */
  endpoint: string;
  /** RFC 8291 keys, base64url: the browser's P-256 public key and the auth secret. */
  p256dh: string;
  auth: string;
  created_at: number;
  updated_at: number;
}

/** An integration (groupware, monitoring) allowed to post messages and memos over REST. */
export interface BotTable {
  id: Generated<number>;
  name: string;
  /** SHA-256 of the token, hex; the token itself is shown once. Null once removed. */
  token_hash: string | null;
  /** The account messages and memos are sent as (no password: it cannot log in). */
  user_id: number;
  /** Who created it, for the admin console: an address or "cli". */
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  /**
   * Set when removed: the row and its account stay (disabled), so history
   * still names the sender and adding the name again revives them.
   */
  removed_at: number | null;
}
