import { createHash, randomBytes } from 'node:crypto';

/** Marks a resume token, so a misplaced one is recognised (and not mistaken for an API token). */
export const RESUME_TOKEN_PREFIX = 'coo_dev_';

/** How long a remembered device may stay away; each resume starts the period again. */
export const RESUME_TOKEN_TTL_MS = 90 * 24 * 3600 * 1000;

/** 256 random bits: guessing is hopeless, so a fast hash (not argon2) is enough to store it. */
export function newResumeToken(): string {
  return RESUME_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function resumeTokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function looksLikeResumeToken(token: string): boolean {
  return token.startsWith(RESUME_TOKEN_PREFIX) && token.length === RESUME_TOKEN_PREFIX.length + 43;
}
