import { lstat, opendir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import { formatListenAddress } from '../../config/schema.ts';
import type { ListenerStatus } from '../../server.ts';
import type { Services } from '../../services.ts';
import { listUsersByIds } from '../../store/conversations.ts';
import { countSentSince, postgresDatabaseBytes } from '../../store/dashboard-counts.ts';
import { directoryCounts } from '../../store/monitoring.ts';
import { errorResponses, isoTime, tokenSecurity, type ApiApp } from './common.schema.ts';
import { dashboardSchema, type Dashboard } from './dashboard.schema.ts';
import { describeCertificatePem, type CertificateInfo } from '../../tls/certificate-check.ts';
import { memoize } from '../memoize.ts';

/**
 * What the dashboard reads from outside the services: the messenger's open
 * connections on this node (its ConnectionRegistry) and the listeners of the
 * process. Either may be missing (the CLI, tests of the API alone): the
 * answer then says null rather than guessing.
 */
export interface DashboardSources {
  connections?: {
    all(): Iterable<{ readonly openSession: { userId: number; address: string } | undefined }>;
  };
  listeners?: () => readonly ListenerStatus[];
}

/** Online people listed by name; the counts cover everyone. */
const ONLINE_LIST_LIMIT = 200;
/** Walking the blob store reads every file's size: at most once a minute. */
const STORAGE_TTL_MS = 60_000;
const STARTED_AT = Date.now() - Math.round(process.uptime() * 1000);

/** GET /dashboard: the console's first page, computed by the server in one answer. */
export function registerDashboardRoutes(
  app: ApiApp,
  services: Services,
  sources: DashboardSources = {},
): void {
  const storage = memoize(() => measureStorage(services), STORAGE_TTL_MS);

  app.get(
    '/dashboard',
    {
      schema: {
        tags: ['operations'],
        summary: 'Who is online, messages today, storage, listeners and the certificate',
        security: tokenSecurity,
        response: { 200: dashboardSchema, ...errorResponses },
      },
    },
    async (): Promise<Dashboard> => {
      const since = startOfToday();
      const db = services.store.db;
      const [online, messages, memos, counts, measured, certificate] = await Promise.all([
        onlinePeople(services, sources),
        countSentSince(db, 'messages', since),
        countSentSince(db, 'memos', since),
        directoryCounts(db),
        storage(),
        readCertificate(services.config.paths.tlsCert),
      ]);
      return {
        generatedAt: isoTime(Date.now()),
        online,
        today: { since: isoTime(since), messages, memos },
        directory: {
          users: counts.users,
          disabledUsers: counts.disabledUsers,
          admins: counts.admins,
          orgUnits: counts.orgUnits,
          groups: counts.groups,
          domains: counts.domains,
        },
        storage: measured,
        listeners: sources.listeners ? sources.listeners().map(toApiListener) : null,
        certificate,
        server: {
          version: packageJson.version,
          node: process.version,
          startedAt: isoTime(STARTED_AT),
          database: services.store.kind,
        },
      };
    },
  );
}

function startOfToday(now = new Date()): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

async function onlinePeople(services: Services, sources: DashboardSources): Promise<Dashboard['online']> {
  if (!sources.connections) return null;
  const perUser = new Map<number, number>();
  let connections = 0;
  for (const connection of sources.connections.all()) {
    const session = connection.openSession;
    if (!session) continue;
    connections++;
    perUser.set(session.userId, (perUser.get(session.userId) ?? 0) + 1);
  }
  const rows = await listUsersByIds(services.store.db, [...perUser.keys()]);
  const people = rows
    .map((row) => ({
      address: row.address,
      displayName: row.display_name,
      connections: perUser.get(row.id) ?? 0,
    }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.address.localeCompare(b.address))
    .slice(0, ONLINE_LIST_LIMIT);
  return { scope: 'node', users: perUser.size, connections, people, listLimit: ONLINE_LIST_LIMIT };
}

function toApiListener(listener: ListenerStatus): NonNullable<Dashboard['listeners']>[number] {
  const running = listener.state.kind === 'running';
  return {
    name: listener.name,
    configured: listener.configured,
    running,
    address: listener.state.kind === 'running' ? formatListenAddress(listener.state.address) : null,
    reason: listener.state.kind === 'skipped' ? listener.state.reason : null,
  };
}

async function measureStorage(services: Services): Promise<Dashboard['storage']> {
  const root = services.config.paths.blobs;
  const [blobs, database, disk] = await Promise.all([
    sizeOfTree(root),
    databaseBytes(services).catch(() => null),
    statfs(root).catch(() => null),
  ]);
  return {
    blobBytes: blobs.bytes,
    blobFiles: blobs.files,
    databaseBytes: database,
    diskFreeBytes: disk ? disk.bavail * disk.bsize : null,
    diskTotalBytes: disk ? disk.blocks * disk.bsize : null,
    measuredAt: isoTime(Date.now()),
  };
}

/** Bytes and files under a folder; a missing folder is empty. One directory handle open at a time. */
async function sizeOfTree(root: string): Promise<{ bytes: number; files: number }> {
  const total = { bytes: 0, files: 0 };
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      continue;
    }
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile()) {
        const stats = await lstat(full).catch(() => null);
        if (!stats) continue;
        total.bytes += stats.size;
        total.files++;
      }
    }
  }
  return total;
}

async function databaseBytes(services: Services): Promise<number | null> {
  if (services.store.kind === 'postgres') return postgresDatabaseBytes(services.store.db);
  const file = services.config.paths.sqlite;
  // WAL mode: recent commits live in the -wal file until a checkpoint.
  const sizes = await Promise.all(
    [file, `${file}-wal`].map((name) =>
      lstat(name).then(
        (stats) => stats.size,
        () => 0,
      ),
    ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** The served certificate, described as GET /tls/certificate does, in the dashboard's shape. */
async function readCertificate(file: string): Promise<Dashboard['certificate']> {
  let info: CertificateInfo;
  try {
    info = describeCertificatePem(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
  return {
    subject: info.subject,
    issuer: info.issuer,
    dnsNames: [...info.dnsNames, ...info.ipAddresses],
    validFrom: info.notBefore,
    validTo: info.notAfter,
    selfSigned: info.selfSigned,
    fingerprint256: info.fingerprint256,
  };
}
