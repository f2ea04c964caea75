import type {
  ApiAuditPage,
  ApiAuditVerification,
  ApiDomain,
  ApiGroup,
  ApiMailDns,
  ApiOrgUnit,
  ApiQueueList,
  ApiQueueStatus,
  ApiUser,
  ApiUserList,
} from '../../../../src/protocol/admin-api.ts';
import type {
  ApiVisibilityCheck,
  ApiVisibilityRule,
  ApiVisibilityRules,
  RuleEffect,
  RuleParty,
  RulePermission,
  VisibilityMode,
} from '../../../../src/protocol/visibility.ts';
import type { ApiTlsCertificate } from '../../../../src/protocol/tls.ts';
import { api, ApiError, apiToken } from '../../lib/api.ts';
import { ndjsonValues } from './ndjson.ts';
import type {
  ApiDevice,
  ApiSetting,
  Dashboard,
  ImportReport,
  ImportStreamLine,
  LineProblem,
} from './types.ts';

/** The REST admin API (docs/api.md), typed; every call carries the admin's device token. */

const V1 = '/api/v1';
const enc = encodeURIComponent;
const user = (address: string) => `${V1}/users/${enc(address)}`;
const unitPath = (path: string) => path.split('/').map(enc).join('/');

function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const dashboard = () => api<Dashboard>(`${V1}/dashboard`);

// Mail: the DNS records to publish and the outbound queue
export const mailDns = () => api<ApiMailDns>(`${V1}/mail/dns`);
export const mailQueue = (status?: ApiQueueStatus) =>
  api<ApiQueueList>(`${V1}/mail/queue${query({ status })}`).then((answer) => answer.entries);
export const retryQueueEntry = (id: number) => api<void>(`${V1}/mail/queue/${id}/retry`, { method: 'POST' });
export const deleteQueueEntry = (id: number) => api<void>(`${V1}/mail/queue/${id}`, { method: 'DELETE' });

// Mail domains and their aliases
const domain = (name: string) => `${V1}/domains/${enc(name)}`;
export const listDomains = () =>
  api<{ domains: ApiDomain[] }>(`${V1}/domains`).then((answer) => answer.domains);
export const addDomain = (body: { name: string; aliasOf?: string; makeDefault?: boolean }) =>
  api<ApiDomain>(`${V1}/domains`, { method: 'POST', body });
export const setDefaultDomain = (name: string) => api<void>(`${domain(name)}/default`, { method: 'POST' });
export const removeDomain = (name: string) => api<void>(domain(name), { method: 'DELETE' });

// Users
export interface UserFields {
  displayName?: string;
  nameReading?: string;
  title?: string;
  phone?: string;
  unit?: string | null;
  isAdmin?: boolean;
  validFrom?: string | null;
  validUntil?: string | null;
  quotaBytes?: number | null;
}

export const listUsers = (params: { search?: string; unit?: string; limit?: number; offset?: number }) =>
  api<ApiUserList>(`${V1}/users${query(params)}`);
export const getUser = (address: string) => api<ApiUser>(user(address));
export const createUser = (body: UserFields & { address: string; displayName: string; password?: string }) =>
  api<ApiUser>(`${V1}/users`, { method: 'POST', body });
export const updateUser = (address: string, body: UserFields) =>
  api<ApiUser>(user(address), { method: 'PATCH', body });
export const setPassword = (address: string, password: string) =>
  api<void>(`${user(address)}/password`, { method: 'POST', body: { password } });
export const setDisabled = (address: string, disabled: boolean) =>
  api<ApiUser>(`${user(address)}/${disabled ? 'disable' : 'enable'}`, { method: 'POST' });
export const listDevices = (address: string) =>
  api<{ devices: ApiDevice[] }>(`${user(address)}/devices`).then((answer) => answer.devices);
export const revokeDevice = (address: string, id: number) =>
  api<void>(`${user(address)}/devices/${id}`, { method: 'DELETE' });

/** Every user, a page at a time (the API gives at most 1000 per call). */
export async function listAllUsers(params: { unit?: string } = {}, max = 20_000): Promise<ApiUser[]> {
  const all: ApiUser[] = [];
  for (let offset = 0; offset < max; offset += 1000) {
    const page = await listUsers({ ...params, limit: 1000, offset });
    all.push(...page.users);
    if (page.users.length < 1000) break;
  }
  return all;
}

// Org units
export const orgTree = () => api<{ units: ApiOrgUnit[] }>(`${V1}/org`).then((answer) => answer.units);
export const createUnit = (path: string) =>
  api<{ path: string }>(`${V1}/org/units`, { method: 'POST', body: { path } });
export const renameUnit = (path: string, name: string) =>
  api<{ path: string }>(`${V1}/org/units/rename`, { method: 'POST', body: { path, name } });
export const moveUnit = (path: string, parent: string | null, position?: number) =>
  api<{ path: string }>(`${V1}/org/units/move`, { method: 'POST', body: { path, parent, position } });
export const deleteUnit = (path: string) =>
  api<void>(`${V1}/org/units/${unitPath(path)}`, { method: 'DELETE' });
export const setUnitHidden = (path: string, hidden: boolean) =>
  api<{ path: string; hidden: boolean; changed: boolean }>(`${V1}/org/units/${hidden ? 'hide' : 'unhide'}`, {
    method: 'POST',
    body: { path },
  });

// Groups and visibility rules
const group = (name: string) => `${V1}/groups/${enc(name)}`;
export const listGroups = () => api<{ groups: ApiGroup[] }>(`${V1}/groups`).then((answer) => answer.groups);
export const createGroup = (name: string, description: string) =>
  api<ApiGroup>(`${V1}/groups`, { method: 'POST', body: { name, description } });
export const updateGroup = (name: string, changes: { name?: string; description?: string }) =>
  api<ApiGroup>(group(name), { method: 'PATCH', body: changes });
export const deleteGroup = (name: string) => api<void>(group(name), { method: 'DELETE' });
export const groupMembers = (name: string) =>
  api<{ members: string[] }>(`${group(name)}/members`).then((answer) => answer.members);
export const addGroupMember = (name: string, address: string) =>
  api<void>(`${group(name)}/members`, { method: 'POST', body: { address } });
export const removeGroupMember = (name: string, address: string) =>
  api<void>(`${group(name)}/members/${enc(address)}`, { method: 'DELETE' });
export const visibilityRules = () => api<ApiVisibilityRules>(`${V1}/rules`);
export const addRule = (rule: {
  subject: RuleParty;
  object: RuleParty;
  permission: RulePermission;
  effect: RuleEffect;
}) => api<ApiVisibilityRule>(`${V1}/rules`, { method: 'POST', body: rule });
export const deleteRule = (id: number) => api<void>(`${V1}/rules/${id}`, { method: 'DELETE' });
export const setVisibilityMode = (mode: VisibilityMode) =>
  api<{ mode: VisibilityMode }>(`${V1}/rules/mode`, { method: 'PUT', body: { mode } });
export const checkVisibility = (a: string, b: string) =>
  api<ApiVisibilityCheck>(`${V1}/rules/check${query({ a, b })}`);

// Settings
export const listSettings = () =>
  api<{ settings: ApiSetting[] }>(`${V1}/settings`).then((answer) => answer.settings);
export const putSetting = (name: string, value: string | number | boolean) =>
  api<ApiSetting>(`${V1}/settings/${enc(name)}`, { method: 'PUT', body: { value } });

// TLS certificate
export const tlsCertificate = () => api<ApiTlsCertificate>(`${V1}/tls/certificate`);
export const replaceTlsCertificate = (certificate: string, privateKey: string) =>
  api<ApiTlsCertificate>(`${V1}/tls/certificate`, { method: 'PUT', body: { certificate, privateKey } });

// Audit log
export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
}

export const auditPage = (filter: AuditFilter, page: { beforeSeq?: number; limit?: number } = {}) =>
  api<ApiAuditPage>(`${V1}/audit${query({ ...filter, ...page })}`);
export const verifyAudit = () => api<ApiAuditVerification>(`${V1}/audit/verify`);

// CSV
export type CsvEncoding = 'auto' | 'utf-8' | 'shift_jis';

/** A CSV the server refused as a whole: the problems by line (nothing was written). */
export class ImportRejected extends Error {
  readonly problems: LineProblem[];
  readonly code: string;

  constructor(code: string, message: string, problems: LineProblem[]) {
    super(message);
    this.name = 'ImportRejected';
    this.code = code;
    this.problems = problems;
  }
}

/**
 * Sends the file's bytes as they are (the server detects Shift_JIS) and
 * follows the streamed progress. Resolves with the report; rejects with
 * ImportRejected when the file has errors (a real import), ApiError otherwise.
 */
export async function importUsersCsv(
  file: Blob,
  options: { dryRun: boolean; encoding: CsvEncoding; onProgress?: (done: number, total: number) => void },
): Promise<ImportReport> {
  const token = apiToken();
  let response: Response;
  try {
    response = await fetch(
      `${V1}/users/import${query({ dryRun: options.dryRun, encoding: options.encoding })}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'text/csv',
          accept: 'application/x-ndjson',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: file,
      },
    );
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached');
  }
  if (!response.ok || !response.body) throw await errorOf(response);
  for await (const value of ndjsonValues(response.body)) {
    const line = value as ImportStreamLine;
    if ('progress' in line) options.onProgress?.(line.progress.done, line.progress.total);
    else if ('report' in line) return line.report;
    else throw new ImportRejected(line.error.code, line.error.message, line.error.details ?? []);
  }
  throw new ApiError(0, 'NETWORK', 'the connection closed before the import finished');
}

/** GET /users/export as a file to save; the bytes are kept as the server encoded them. */
export async function exportUsersCsv(encoding: 'utf-8' | 'shift_jis'): Promise<Blob> {
  const token = apiToken();
  const response = await fetch(`${V1}/users/export${query({ encoding })}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => {
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached');
  });
  if (!response.ok) throw await errorOf(response);
  return response.blob();
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const payload = (await response.json()) as {
      error?: { code?: string; message?: string; details?: unknown[] };
    };
    return new ApiError(
      response.status,
      payload.error?.code ?? 'HTTP_ERROR',
      payload.error?.message ?? response.statusText,
      payload.error?.details ?? [],
    );
  } catch {
    return new ApiError(response.status, 'HTTP_ERROR', response.statusText);
  }
}
