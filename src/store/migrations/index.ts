import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import * as directory from './0001-directory.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

/** What differs between the two databases, handed to every migration. */
export interface MigrationContext {
  kind: DatabaseKind;
  /** An auto-numbered integer primary key. */
  id: (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

type MigrationModule = { up: (db: Kysely<unknown>, context: MigrationContext) => Promise<void> };

/** Migrations in order; names never change once released. */
const MIGRATIONS: [string, MigrationModule][] = [['0001-directory', directory]];

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
