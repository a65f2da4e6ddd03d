/** What can go wrong below the repositories. Callers branch on `code`; `message` is one line for the operator. */
export type StoreErrorCode =
  | 'UNSUPPORTED_DATABASE' // DATABASE_URL names something other than a SQLite file
  | 'MIGRATIONS_INVALID' // the migrations folder is missing, unreadable or for another provider
  | 'MIGRATION_FAILED' // a migration script failed now, or an earlier failure was never resolved
  | 'CORRUPT_RECORD' // a stored JSON document that no longer parses
  | 'DATABASE_READ_ONLY' // the database file (or its folder) cannot be written, or was moved or deleted while open
  | 'DATABASE_UNAVAILABLE' // the database cannot be opened or read: missing folder, disk full, I/O error, not a database
  | 'DATA_DIR_UNWRITABLE'; // the data directory (job pictures and results) cannot be written or has vanished

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

export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

/** Node's file system codes that mean "this path cannot be written here". */
const FILE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'ENOSPC', 'EISDIR', 'EEXIST', 'EDQUOT', 'ELOOP', 'ENAMETOOLONG']);

/**
 * SQLite's code behind an error from the Prisma driver adapter (meta.driverAdapterError.cause.originalCode),
 * from better-sqlite3 (SqliteError.code), or a Node file error on the database path.
 */
function sqliteCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } }; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  const adapter = e.meta?.driverAdapterError?.cause?.originalCode;
  if (typeof adapter === 'string') return adapter;
  if (typeof e.code === 'string' && (e.code.startsWith('SQLITE_') || FILE_CODES.has(e.code))) return e.code;
  return e.cause === undefined || e.cause === error ? undefined : sqliteCode(e.cause);
}

/**
 * A database failure as a typed error with one clear line naming the file, instead of Prisma's multi-line
 * message with source paths in it. Errors that are not storage conditions (a bug, a unique key) pass through.
 */
export function databaseError(error: unknown, databasePath: string): unknown {
  if (error instanceof StoreError) return error;
  const code = sqliteCode(error);
  if (code === undefined) return error;
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    const moved = code === 'SQLITE_READONLY_DBMOVED' ? ' (the file was moved or deleted while the bot had it open)' : '';
    return new StoreError('DATABASE_READ_ONLY', `The database ${databasePath} cannot be written${moved} [${code}]: make the file and its folder writable by this process, then restart.`, { cause: error });
  }
  if (/^SQLITE_(CANTOPEN|IOERR|FULL|NOTADB|CORRUPT|PERM|AUTH)/.test(code) || FILE_CODES.has(code)) {
    return new StoreError('DATABASE_UNAVAILABLE', `The database ${databasePath} cannot be used [${code}]: check that its folder exists, the disk has space and the file is a Stylebot database, then restart.`, { cause: error });
  }
  return error;
}

/** A file system failure under the data directory as a typed error naming the directory. */
export function dataDirError(error: unknown, dataDir: string): unknown {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !FILE_CODES.has(code)) return error;
  return new StoreError('DATA_DIR_UNWRITABLE', `The data directory ${dataDir} cannot be written [${code}]: make sure it exists, is a folder and is writable by this process, then restart.`, { cause: error });
}

/**
 * Wraps every method of a repository so that storage failures reject as StoreError. One wrapper instead of
 * a try/catch in each query, so that no query can forget it.
 */
export function guarded<T extends object>(target: T, map: (error: unknown) => unknown): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result = (value as (...a: unknown[]) => unknown).apply(object, args);
          return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(map(error))) : result;
        } catch (error) {
          throw map(error);
        }
      };
    },
  });
}
