import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { databaseError, guarded, StoreError } from './errors.js';
import { PrismaClient } from './generated/client.js';
import { ChallengeRepository } from './challenges.js';
import { JobRepository } from './jobs.js';
import { migrate, readMigrations, type MigrateResult } from './migrate.js';
import { PresetRepository } from './presets.js';
import { ServerSettingsRepository } from './servers.js';
import { warmUpQueries } from './warm-up.js';

/** prisma/migrations of this package: two folders up from both src/store and dist/store. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations/', import.meta.url));

export interface OpenStoreOptions {
  /** an absolute path to the SQLite file (see sqlitePathFromUrl); created with its folder when missing */
  readonly databasePath: string;
  readonly migrationsDir?: string;
  readonly logger?: Logger;
  /** clock for the migration records; default Date.now */
  readonly now?: () => number;
  /**
   * compile the job store's query shapes now rather than on the main thread during the first job (see
   * warm-up.ts); a long-lived process wants it, a short test does not pay for shapes it never uses
   */
  readonly warmUp?: boolean;
}

/** Everything stored, behind repositories. Close it to release the database file. */
export interface Store {
  readonly jobs: JobRepository;
  readonly presets: PresetRepository;
  readonly servers: ServerSettingsRepository;
  readonly challenges: ChallengeRepository;
  readonly migrations: MigrateResult;
  close(): Promise<void>;
}

/**
 * Opens (creating on first start) the SQLite database, applies pending migrations, and returns the
 * repositories. Nothing else to run beforehand: a fresh install starts with an empty database file.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const file = options.databasePath;
  const migrations = readMigrations(options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR);
  const asStoreError = (error: unknown) => databaseError(error, file);
  let result: MigrateResult;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // A connection of its own: the migration lock lasts as long as the connection does.
    const db = new Database(file);
    try {
      result = migrate(db, migrations, options.now ? { now: options.now } : {});
    } finally {
      db.close();
    }
  } catch (error) {
    throw asStoreError(error);
  }
  const log = options.logger;
  if (result.applied.length > 0) log?.info({ database: file, applied: result.applied }, 'database migrated');
  if (result.modified.length > 0) log?.warn({ database: file, modified: result.modified }, 'applied migrations were edited afterwards; the database keeps the old version');
  if (result.unknown.length > 0) log?.warn({ database: file, unknown: result.unknown }, 'database has migrations this version does not know: is an older release running on a newer database?');

  const prisma = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}` }) });
  const store: Store = {
    jobs: guarded(new JobRepository(prisma), asStoreError),
    presets: guarded(new PresetRepository(prisma), asStoreError),
    servers: guarded(new ServerSettingsRepository(prisma), asStoreError),
    challenges: guarded(new ChallengeRepository(prisma), asStoreError),
    migrations: result,
    close: () => prisma.$disconnect(),
  };
  if (options.warmUp) {
    const started = performance.now();
    try {
      await warmUpQueries(prisma, store);
    } catch (error) {
      await prisma.$disconnect();
      throw asStoreError(error);
    }
    log?.debug({ ms: Math.round(performance.now() - started) }, 'database queries compiled');
  }
  return store;
}

/**
 * The file behind a SQLite DATABASE_URL (`file:./data/stylebot.db`, `file:/var/lib/x.db`), relative paths
 * taken from `cwd`. Other databases come with a later release.
 */
export function sqlitePathFromUrl(url: string, cwd: string): string {
  if (!url.startsWith('file:')) {
    throw new StoreError('UNSUPPORTED_DATABASE', `DATABASE_URL "${redact(url)}" is not a SQLite file URL; use file:./data/stylebot.db or another file: path.`);
  }
  const file = url.slice('file:'.length).replace(/\?.*$/, '');
  if (file === '' || file === ':memory:') {
    throw new StoreError('UNSUPPORTED_DATABASE', `DATABASE_URL "${url}" names no file; jobs must survive a restart, so give a file: path.`);
  }
  return path.resolve(cwd, file);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
