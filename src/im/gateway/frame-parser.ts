/**
 * Reads the envelope of a client frame, with no I/O: JSON text, an object,
 * a string `t`, and an optional request id. What each type carries is
 * checked afterwards by that type's schema.
 */

/** Longest frame type name; longer is not a frame of ours. */
export const MAX_TYPE_LENGTH = 64;

export interface Envelope {
  t: string;
  /** The request id, when the frame is a request that wants an answer. */
  id: number | undefined;
  /** The whole parsed object, for the type's schema. */
  body: Record<string, unknown>;
}

export type ParsedFrame =
  | { ok: true; envelope: Envelope }
  /** `re`: the id, when it could be read, so the error answers the request. */
  | { ok: false; problem: string; re: number | undefined };

export function parseFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `the frame is not JSON: ${(error as Error).message}`, re: undefined };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'the frame must be a JSON object', re: undefined };
  }
  const body = value as Record<string, unknown>;
  const id = body.id;
  const validId = id === undefined || (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0);
  const re = validId ? id : undefined;
  if (!validId) return { ok: false, problem: 'the field "id" must be a whole number from 0', re };
  const t = body.t;
  if (typeof t !== 'string' || t === '') {
    return { ok: false, problem: 'the frame has no type: the field "t" must be a non-empty string', re };
  }
  if (t.length > MAX_TYPE_LENGTH) return { ok: false, problem: 'the frame type is too long', re };
  return { ok: true, envelope: { t, id: re, body } };
}

/** The request id of a frame we will not parse fully (rate-limited), if it is cheap to find. */
export function requestIdOf(text: string): number | undefined {
  const match = /"id"\s*:\s*(\d{1,15})\b/.exec(text.slice(0, 256));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
