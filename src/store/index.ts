// The storage layer's public surface; the only part of Stylebot that imports the Prisma client.
export { DEFAULT_MIGRATIONS_DIR, openStore, sqlitePathFromUrl, type OpenStoreOptions, type Store } from './database.js';
export { dataDirError, databaseError, isStoreError, StoreError, type StoreErrorCode } from './errors.js';
export { ChallengeRepository, WINNER_PLACES, type ChallengeRecord, type ChallengeStatus, type CloseOutcome, type EntryRecord, type EntryStatus, type NewChallenge, type RankedEntry, type RecordOutcome, type VoteOutcome } from './challenges.js';
export { STORE_PAGE_SIZE, type JobHolder, type JobRepository } from './jobs.js';
export { checksum as migrationChecksum, migrate, readMigrations, type MigrateResult, type MigrationFile } from './migrate.js';
export type { PresetKey, PresetRepository } from './presets.js';
export * from './records.js';
export type { ServerSettingsRepository } from './servers.js';
export { checkWritable, type WritablePaths } from './writable.js';
