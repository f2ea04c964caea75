/**
 * Answers of the console's own routes (GET /api/v1/dashboard, POST
 * /api/v1/users/import), as src/http/routes/dashboard.schema.ts and
 * user-csv.schema.ts define them on the server.
 */

export interface DashboardOnlinePerson {
  address: string;
  displayName: string;
  connections: number;
}

export interface DashboardListener {
  name: string;
  configured: string;
  running: boolean;
  address: string | null;
  reason: string | null;
}

export interface DashboardCertificate {
  subject: string;
  issuer: string;
  dnsNames: string[];
  validFrom: string;
  validTo: string;
  selfSigned: boolean;
  fingerprint256: string;
}

export interface Dashboard {
  generatedAt: string;
  online: {
    scope: 'node';
    users: number;
    connections: number;
    people: DashboardOnlinePerson[];
    listLimit: number;
  } | null;
  today: { since: string; messages: number; memos: number };
  directory: {
    users: number;
    disabledUsers: number;
    admins: number;
    orgUnits: number;
    groups: number;
    domains: number;
  };
  storage: {
    blobBytes: number;
    blobFiles: number;
    databaseBytes: number | null;
    diskFreeBytes: number | null;
    diskTotalBytes: number | null;
    measuredAt: string;
  };
  listeners: DashboardListener[] | null;
  certificate: DashboardCertificate | null;
  server: { version: string; node: string; startedAt: string; database: 'sqlite' | 'postgres' };
}

export interface LineProblem {
  line: number;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  unitsCreated: string[];
  errors: LineProblem[];
  elapsedMs: number;
}

export type ImportStreamLine =
  | { progress: { done: number; total: number } }
  | { report: ImportReport }
  | { error: { code: string; message: string; details?: LineProblem[] } };

export interface ApiSetting {
  name: string;
  value: string | number | boolean;
  description: string;
  isDefault: boolean;
}

export interface ApiDevice {
  id: number;
  kind: 'desktop' | 'mobile' | 'web';
  name: string;
  createdAt: string;
  lastSeenAt: string;
  lastRemote: string;
  remembered: boolean;
  expiresAt: string | null;
}
