import { readFileSync, writeFileSync } from 'node:fs';
import { request, type Agent } from 'undici';

/** What the REST helpers of the test servers share: one HTTPS call, and cheap hashing. */

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. Tests read it freely. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with `contentType` (default application/json). */
  rawBody?: string | Buffer;
  contentType?: string;
  /** Default: the admin's token; null: no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
}

export async function call(
  dispatcher: Agent,
  baseUrl: string,
  defaultToken: string,
  method: string,
  urlPath: string,
  options: CallOptions,
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? defaultToken : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await request(`${baseUrl}${urlPath}`, {
    method: method as 'GET',
    headers,
    body,
    dispatcher,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** Hashing at the cost of production would make every password in the tests take a noticeable time. */
export function useFastHashing(configFile: string): void {
  const text = readFileSync(configFile, 'utf8')
    .replace(/^argon2_memory_kib = \d+/m, 'argon2_memory_kib = 1024')
    .replace(/^argon2_passes = \d+/m, 'argon2_passes = 1');
  if (!text.includes('argon2_memory_kib = 1024'))
    throw new Error(`${configFile}: no argon2_memory_kib to lower`);
  writeFileSync(configFile, text);
}
