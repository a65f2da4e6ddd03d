import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dataDirError, databaseError, StoreError } from './errors.js';

export interface WritablePaths {
  /** absolute path of the SQLite file */
  readonly databasePath: string;
  /** absolute path of the job files' folder */
  readonly dataDir: string;
}

/**
 * Refuses to start on storage that cannot be written, naming the path, instead of failing every submission
 * later: the data directory takes a test file, and the database takes a write lock (a file that exists) or
 * can be created in its folder. Throws StoreError DATA_DIR_UNWRITABLE, DATABASE_READ_ONLY or DATABASE_UNAVAILABLE.
 */
export function checkWritable(paths: WritablePaths): void {
  try {
    mkdirSync(paths.dataDir, { recursive: true });
    const probe = path.join(paths.dataDir, `.write-check-${randomBytes(6).toString('hex')}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    throw dataDirError(error, paths.dataDir);
  }

  const file = paths.databasePath;
  try {
    const folder = path.dirname(file);
    mkdirSync(folder, { recursive: true });
    // SQLite writes its journal next to the file: the folder must take new files too
    const probe = path.join(folder, `.write-check-${randomBytes(6).toString('hex')}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    if (existsSync(file)) {
      if (!statSync(file).isFile()) throw new StoreError('DATABASE_UNAVAILABLE', `The database ${file} is not a file: point DATABASE_URL at a SQLite file, then restart.`);
      const db = new Database(file, { fileMustExist: true });
      try {
        db.exec('BEGIN IMMEDIATE; ROLLBACK;');
      } finally {
        db.close();
      }
    }
  } catch (error) {
    const mapped = databaseError(error, file);
    if (mapped instanceof StoreError) throw mapped;
    throw new StoreError('DATABASE_UNAVAILABLE', `The database ${file} cannot be used: ${(error as Error).message}`, { cause: error });
  }
}
