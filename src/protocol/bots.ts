/**
 * The integration API (docs/integration.md): administrators make bots
 * (/api/v1/bots, with an admin API token); a bot posts messages and memos
 * with its own token (/api/v1/bot/...). Times are ISO 8601, UTC.
 */

/** A bot as the admin API lists it; its token is never shown again. */
export interface ApiBot {
  /** 1–32 of a-z, 0-9 and "-", starting with a letter or digit. */
  name: string;
  /** The account it sends as: NAME@<default domain>. */
  address: string;
  displayName: string;
  /** The administrator who made it, or "cli". */
  createdBy: string;
  createdAt: string;
  /** To the minute; null when never used. */
  lastUsedAt: string | null;
}

export interface ApiBotList {
  bots: ApiBot[];
}

/** POST /api/v1/bots → ApiCreatedBot (201). */
export interface ApiCreateBot {
  name: string;
  displayName?: string;
}

export interface ApiCreatedBot extends ApiBot {
  /** The secret: shown this once, never again. */
  token: string;
}

/**
 * POST /api/v1/bot/messages: a chat message from the bot, in its 1:1 with
 * each person: the one addressed, or every member of a unit (and of the
 * units below it) whom the bot may message.
 */
export interface BotMessageRequest {
  /** An address (or a bare name in the default domain), or an org unit path. */
  to: string | { unit: string };
  text: string;
  /** An idempotency key: posting again with the same id sends nothing twice. */
  id?: string;
}

export interface BotMessageResult {
  /** One per person reached. */
  sent: { to: string; conversationId: number; seq: number }[];
}

/** POST /api/v1/bot/memos: a memo from the bot to users and whole units. */
export interface BotMemoRequest {
  to: { users?: string[]; units?: string[] };
  subject?: string;
  body: string;
}

export interface BotMemoResult {
  memoId: number;
  recipients: number;
}

export const BOT_LIMITS = {
  /** People one message to a unit may reach (each gets it in a 1:1). */
  unitMessageRecipients: 1000,
  /** Longest idempotency key. */
  idChars: 100,
} as const;

/** Bot names: what may follow "coo bot add". */
export const BOT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
