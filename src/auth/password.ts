import { argon2, randomBytes, randomInt, timingSafeEqual, type Argon2Algorithm } from 'node:crypto';
import { promisify } from 'node:util';
import { CooError } from '../errors.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { AuthConfig } from '../config/schema.ts';

/** The cost of one argon2 hash; from `[auth]` in the config. */
export interface PasswordParams {
  memoryKib: number;
  passes: number;
  parallelism: number;
}

export interface PasswordCheck {
  ok: boolean;
  /** The hash was made with other parameters (or another variant): store a fresh one. */
  needsRehash: boolean;
}

export const MIN_PASSWORD_CHARACTERS = 8;
export const MAX_PASSWORD_BYTES = 1024;

const SALT_BYTES = 16;
const TAG_BYTES = 32;
const ARGON2_VERSION = 19;
// Same bounds as the config schema: a stored hash asking for more is refused
// rather than allowed to make one login allocate gigabytes.
const MAX_MEMORY_KIB = 4_194_304;
const MAX_PASSES = 64;
const MAX_PARALLELISM = 16;

const argon2Async = promisify(argon2);

export function passwordParamsFromConfig(auth: AuthConfig): PasswordParams {
  return {
    memoryKib: auth.argon2_memory_kib,
    passes: auth.argon2_passes,
    parallelism: auth.argon2_parallelism,
  };
}

/**
 * The cost of passwords set by a CSV import: cheaper, so that 10,000 hash in
 * seconds, and stale by design, so that the first login redoes each at the
 * full cost of passwordParamsFromConfig.
 */
export function importPasswordParams(auth: AuthConfig): PasswordParams {
  return {
    memoryKib: auth.import_argon2_memory_kib,
    passes: auth.import_argon2_passes,
    parallelism: auth.argon2_parallelism,
  };
}

/**
 * Refuses a password that is too short to resist guessing, or so long that
 * hashing it is a way to burn server time.
 */
export function checkPasswordPolicy(password: string): void {
  const characters = [...normalize(password)].length;
  if (characters < MIN_PASSWORD_CHARACTERS) {
    throw new CooError(
      ErrorCode.PASSWORD_TOO_WEAK,
      `the password is too short: it has ${characters} characters, at least ${MIN_PASSWORD_CHARACTERS} are needed`,
      [{ field: 'password', message: `at least ${MIN_PASSWORD_CHARACTERS} characters` }],
    );
  }
  const bytes = Buffer.byteLength(normalize(password));
  if (bytes > MAX_PASSWORD_BYTES) {
    throw new CooError(
      ErrorCode.INVALID_INPUT,
      `the password is too long: it has ${bytes} bytes, at most ${MAX_PASSWORD_BYTES} are allowed`,
      [{ field: 'password', message: `at most ${MAX_PASSWORD_BYTES} bytes` }],
    );
  }
}

/** Hashes a password with argon2id; returns the PHC string to store. */
export async function hashPassword(password: string, params: PasswordParams): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const tag = await derive('argon2id', password, salt, params, TAG_BYTES);
  return formatPhc({ algorithm: 'argon2id', params, salt, tag });
}

/**
 * Checks a password against a stored PHC string. A malformed or unsupported
 * string is a failed check, never an exception: one bad row must not turn a
 * login into a server error.
 */
export async function verifyPassword(
  password: string,
  phc: string,
  currentParams: PasswordParams,
): Promise<PasswordCheck> {
  const stored = parsePhc(phc);
  // No such password can have been set; hashing it would only cost time.
  if (!stored || Buffer.byteLength(normalize(password)) > MAX_PASSWORD_BYTES)
    return { ok: false, needsRehash: false };
  let tag: Buffer;
  try {
    tag = await derive(stored.algorithm, password, stored.salt, stored.params, stored.tag.length);
  } catch {
    return { ok: false, needsRehash: false };
  }
  const ok = timingSafeEqual(tag, stored.tag);
  const needsRehash =
    ok &&
    (stored.algorithm !== 'argon2id' ||
      stored.tag.length !== TAG_BYTES ||
      stored.params.memoryKib !== currentParams.memoryKib ||
      stored.params.passes !== currentParams.passes ||
      stored.params.parallelism !== currentParams.parallelism);
  return { ok, needsRehash };
}

/**
 * Spends the time of one hash and throws it away. Called when the account does
 * not exist, so that how long a failed login takes does not tell which
 * addresses exist.
 */
export async function burnPasswordTime(password: string, params: PasswordParams): Promise<void> {
  await derive('argon2id', password, randomBytes(SALT_BYTES), params, TAG_BYTES);
}

// RFC 8265 §4.2 (OpaqueString): NFC, so the same password typed on two
// keyboards that compose accents differently is the same password.
function normalize(password: string): string {
  return password.normalize('NFC');
}

function derive(
  algorithm: Argon2Algorithm,
  password: string,
  salt: Buffer,
  params: PasswordParams,
  tagLength: number,
): Promise<Buffer> {
  return argon2Async(algorithm, {
    message: Buffer.from(normalize(password), 'utf8'),
    nonce: salt,
    memory: params.memoryKib,
    passes: params.passes,
    parallelism: params.parallelism,
    tagLength,
  });
}

interface PhcHash {
  algorithm: Argon2Algorithm;
  params: PasswordParams;
  salt: Buffer;
  tag: Buffer;
}

function formatPhc({ algorithm, params, salt, tag }: PhcHash): string {
  const cost = `m=${params.memoryKib},t=${params.passes},p=${params.parallelism}`;
  return `$${algorithm}$v=${ARGON2_VERSION}$${cost}$${toB64(salt)}$${toB64(tag)}`;
}

// The PHC string format: $<id>$v=<version>$m=<kib>,t=<passes>,p=<lanes>$<salt>$<hash>,
// salt and hash in standard base64 without padding.
const PHC =
  /^\$(argon2id|argon2i|argon2d)\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function parsePhc(phc: string): PhcHash | undefined {
  const match = PHC.exec(phc);
  if (!match) return undefined;
  const [, algorithm, m, t, p, salt64, tag64] = match;
  if (!algorithm || !m || !t || !p || !salt64 || !tag64) return undefined;
  const params = { memoryKib: Number(m), passes: Number(t), parallelism: Number(p) };
  if (params.memoryKib > MAX_MEMORY_KIB || params.passes < 1 || params.passes > MAX_PASSES) return undefined;
  if (params.parallelism < 1 || params.parallelism > MAX_PARALLELISM) return undefined;
  if (params.memoryKib < 8 * params.parallelism) return undefined;
  const salt = fromB64(salt64);
  const tag = fromB64(tag64);
  // RFC 9106 §3.1: salt of at least 8 bytes, tag of at least 4.
  if (!salt || !tag || salt.length < 8 || tag.length < 4) return undefined;
  return { algorithm: algorithm as Argon2Algorithm, params, salt, tag };
}

function toB64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

/** Strict: a length no unpadded base64 string can have is malformed, not silently cut. */
function fromB64(text: string): Buffer | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return toB64(bytes) === text ? bytes : undefined;
}

// No 0/O, 1/l/I: a generated password is read off a screen and typed.
const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassword(length = 16): string {
  return Array.from({ length }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}
