/**
 * REST calls to the same server (`/api/v1/...`) with the device's bearer
 * token: the client API for the logged-in user, and the admin API for
 * administrators (an admin's device token is accepted there too). Errors
 * come back as ApiError with the server's stable code (docs/errors.md).
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown[];

  constructor(status: number, code: string, message: string, details: unknown[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let bearerToken: string | null = null;

/** Set by the session once logged in; cleared at logout. */
export function setApiToken(token: string | null): void {
  bearerToken = token;
}

export function apiToken(): string | null {
  return bearerToken;
}

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** Raw body (CSV upload); sent with the given content type. */
  raw?: { body: BodyInit; contentType: string };
  signal?: AbortSignal;
}

export async function api<T = unknown>(path: string, options: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (bearerToken) headers.authorization = `Bearer ${bearerToken}`;
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    body = options.raw.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const init: RequestInit = { method: options.method ?? 'GET', headers };
  if (body !== undefined) init.body = body;
  if (options.signal) init.signal = options.signal;
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached');
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    if (type.includes('json')) {
      const payload = (await response.json()) as {
        error?: { code?: string; message?: string; details?: unknown[] };
      };
      throw new ApiError(
        response.status,
        payload.error?.code ?? 'HTTP_ERROR',
        payload.error?.message ?? response.statusText,
        payload.error?.details ?? [],
      );
    }
    throw new ApiError(response.status, 'HTTP_ERROR', response.statusText);
  }
  if (response.status === 204) return undefined as T;
  if (type.includes('json')) return (await response.json()) as T;
  return (await response.text()) as T;
}
