import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import * as directory from './0001-directory.ts';
import * as sessions from './0002-sessions.ts';
import * as visibility from './0003-visibility.ts';
import * as conversations from './0004-conversations.ts';
import * as memos from './0005-memos.ts';
import * as files from './0006-files.ts';
import * as mail from './0007-mail.ts';
import * as pop3 from './0010-pop3.ts';
import * as inlineBlobs from './0011-inline-blobs.ts';
import * as auditPending from './0012-audit-pending.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

/** What differs between the two databases, handed to every migration. */
export interface MigrationContext {
  kind: DatabaseKind;
  /** An auto-numbered integer primary key. */
  id: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

type MigrationModule = { up: (db: Kysely<unknown>, context: MigrationContext) => Promise<void> };

/** Migrations in order; names never change once released. */
const MIGRATIONS: [string, MigrationModule][] = [
  ['0001-directory', directory],
  ['0002-sessions', sessions],
  ['0003-visibility', visibility],
  ['0004-conversations', conversations],
  ['0005-memos', memos],
  ['0006-files', files],
  ['0007-mail', mail],
  ['0010-pop3', pop3],
  ['0011-inline-blobs', inlineBlobs],
  ['0012-audit-pending', auditPending],
];

export function migrationProvider(kind: DatabaseKind): MigrationProvider {
  const context: MigrationContext = {
    kind,
    id:
      kind === 'sqlite'
        ? (c) => c.primaryKey().autoIncrement()
        : (c) => c.primaryKey().generatedByDefaultAsIdentity(),
  };
  return {
    async getMigrations() {
      const migrations: Record<string, Migration> = {};
      for (const [name, module] of MIGRATIONS) {
        migrations[name] = { up: (db) => module.up(db, context) };
      }
      return migrations;
    },
  };
}
