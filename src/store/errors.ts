/** What can go wrong below the repositories. Callers branch on `code`; `message` says what to do. */
export type StoreErrorCode =
  | 'UNSUPPORTED_DATABASE' // DATABASE_URL names something other than a SQLite file
  | 'MIGRATIONS_INVALID' // the migrations folder is missing, unreadable or for another provider
  | 'MIGRATION_FAILED' // a migration script failed now, or an earlier failure was never resolved
  | 'CORRUPT_RECORD'; // a stored JSON document that no longer parses

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
