// The storage layer's public surface; the only part of Stylebot that imports the Prisma client.
export { DEFAULT_MIGRATIONS_DIR, openStore, sqlitePathFromUrl, type OpenStoreOptions, type Store } from './database.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export type { JobRepository } from './jobs.js';
export { checksum as migrationChecksum, migrate, readMigrations, type MigrateResult, type MigrationFile } from './migrate.js';
export type { PresetKey, PresetRepository } from './presets.js';
export * from './records.js';
export type { ServerSettingsRepository } from './servers.js';
