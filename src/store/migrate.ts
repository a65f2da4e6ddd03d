import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { StoreError } from './errors.js';

export interface MigrationFile {
  /** the folder name, e.g. 20251130000000_init: Prisma's migration_name */
  readonly name: string;
  readonly script: string;
  /** sha256 of the script, lowercase hex: what Prisma stores in _prisma_migrations.checksum */
  readonly checksum: string;
}

export interface MigrateResult {
  readonly applied: readonly string[];
  /** applied migrations whose file changed since (Prisma's `migrate status` reports the same) */
  readonly modified: readonly string[];
  /** applied migrations with no folder here, e.g. a newer release ran on this database */
  readonly unknown: readonly string[];
}

export interface MigrateOptions {
  /** for the timestamps written into _prisma_migrations; default Date.now */
  readonly now?: () => number;
}

// Exactly the table Prisma's schema engine creates for SQLite, so that `prisma migrate` reads our rows.
const MIGRATIONS_TABLE_SQL = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);
`;

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: number | string | null;
  rolled_back_at: number | string | null;
}

/** Reads a Prisma migrations folder: `<timestamp>_<name>/migration.sql` in name order, plus the lock file. */
export function readMigrations(dir: string): MigrationFile[] {
  if (!existsSync(dir)) {
    throw new StoreError('MIGRATIONS_INVALID', `The migrations folder ${dir} does not exist; reinstall the package or point migrationsDir at prisma/migrations.`);
  }
  const lock = path.join(dir, 'migration_lock.toml');
  if (existsSync(lock)) {
    const provider = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync(lock, 'utf8'))?.[1];
    if (provider !== 'sqlite') {
      throw new StoreError('MIGRATIONS_INVALID', `${lock} is for provider "${provider ?? '?'}", but this database is SQLite.`);
    }
  }
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const script = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: checksum(script) };
    });
}

export function checksum(script: string): string {
  return createHash('sha256').update(script, 'utf8').digest('hex');
}

/**
 * Brings the database to the latest migration the way `prisma migrate deploy` does, and records each one in
 * `_prisma_migrations` with the same columns and values (uuid id, sha256 checksum, times in Unix
 * milliseconds as Prisma's SQLite driver writes them, applied_steps_count 1), so that the Prisma CLI and
 * this function agree about what has been applied. Scripts run outside a transaction, as Prisma runs them,
 * because table redefinitions toggle PRAGMA foreign_keys, which SQLite ignores inside a transaction.
 */
export function migrate(db: Database.Database, migrations: readonly MigrationFile[], options: MigrateOptions = {}): MigrateResult {
  const now = options.now ?? Date.now;
  // Prisma's own lock on SQLite: held until this connection closes, so two processes cannot both migrate.
  db.pragma('main.locking_mode = EXCLUSIVE');
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
  if (!hasTable) db.exec(MIGRATIONS_TABLE_SQL);

  const rows = db
    .prepare('SELECT id, checksum, migration_name, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at ASC')
    .all() as MigrationRow[];
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new StoreError(
      'MIGRATION_FAILED',
      `Migration ${failed.migration_name} failed earlier and the database may be half-changed. Restore a backup, or repair it ` +
        `and run \`npx prisma migrate resolve --rolled-back ${failed.migration_name}\` (or --applied), then start again.`,
    );
  }
  const done = new Map(rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => [row.migration_name, row]));
  const names = new Set(migrations.map((m) => m.name));
  const modified = migrations.filter((m) => done.has(m.name) && !checksumMatches(m.script, done.get(m.name)!.checksum)).map((m) => m.name);
  const unknown = [...done.keys()].filter((name) => !names.has(name));

  const insert = db.prepare('INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name) VALUES (?, ?, ?, ?)');
  const stepDone = db.prepare('UPDATE "_prisma_migrations" SET applied_steps_count = applied_steps_count + 1 WHERE id = ?');
  const finish = db.prepare('UPDATE "_prisma_migrations" SET finished_at = ? WHERE id = ?');
  const fail = db.prepare('UPDATE "_prisma_migrations" SET logs = ? WHERE id = ?');
  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    const id = randomUUID();
    insert.run(id, migration.checksum, now(), migration.name);
    try {
      db.exec(migration.script);
    } catch (error) {
      const text = `Migration \`${migration.name}\` failed to apply cleanly to the database.\n${(error as Error).message}`;
      fail.run(text, id);
      throw new StoreError('MIGRATION_FAILED', `${text}\nNothing after it was applied; fix the cause, then see \`npx prisma migrate resolve\`.`, { cause: error });
    }
    stepDone.run(id);
    finish.run(now(), id);
    applied.push(migration.name);
  }
  return { applied, modified, unknown };
}

/** Prisma accepts a file whose line endings git converted after the checksum was taken; so do we. */
function checksumMatches(script: string, stored: string): boolean {
  const variants = [script, script.replace(/\r\n/g, '\n'), script.replace(/\r?\n/g, '\r\n')];
  return variants.some((variant) => checksum(variant) === stored.toLowerCase());
}
