import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStoreError, STORE_PAGE_SIZE, StoreError } from '../../src/store/index.js';
import { harnessPerTest, submission, type Harness } from './support.js';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function storeFailure(promise: Promise<unknown>): Promise<StoreError> {
  const error = await promise.then(() => new Error('accepted'), (e: unknown) => e);
  if (!isStoreError(error)) throw error;
  return error;
}

describe('storage failures', () => {
  let h: Harness;
  let dir: string;
  harnessPerTest((harness, d) => {
    h = harness;
    dir = d;
  });

  it('a database that can no longer be written refuses with one line naming it, and the submission leaves no files', async () => {
    await h.service.submit(submission('alice')); // a picture already stored stays: that job needs it
    const before = filesUnder(path.join(dir, 'data', 'inputs'));
    const database = path.join(dir, 'stylebot.db');
    renameSync(database, path.join(dir, 'moved.db')); // SQLITE_READONLY_DBMOVED on the next write

    const error = await storeFailure(h.service.submit(submission('bob')));
    expect(error.code).toBe('DATABASE_READ_ONLY');
    expect(error.message).toBe(
      `The database ${database} cannot be written (the file was moved or deleted while the bot had it open) [SQLITE_READONLY_DBMOVED]: make the file and its folder writable by this process, then restart.`,
    );
    expect(filesUnder(path.join(dir, 'data', 'inputs'))).toEqual(before);
  });

  it('a data directory that vanished or became a file refuses with one line naming it, and no job is made', async () => {
    const data = path.join(dir, 'data');
    rmSync(data, { recursive: true, force: true });
    writeFileSync(data, 'not a folder');
    const error = await storeFailure(h.service.submit(submission('alice')));
    expect(error.code).toBe('DATA_DIR_UNWRITABLE');
    expect(error.message).toMatch(new RegExp(`^The data directory ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be written \\[(ENOTDIR|EEXIST)\\]: make sure it exists, is a folder and is writable by this process, then restart\\.$`));
    expect(h.events.of('queued')).toEqual([]);
    rmSync(data);
    mkdirSync(data);
    await expect(h.service.submit(submission('alice'))).resolves.toMatchObject({ position: 1 });
  });

  it('sweeps unused pictures asking the database about a page of names at a time', async () => {
    const kept = await h.service.submit(submission('alice'));
    const bucket = path.join(dir, 'data', 'inputs', 'ee');
    mkdirSync(bucket, { recursive: true });
    for (let i = 0; i < 2 * STORE_PAGE_SIZE + 50; i++) writeFileSync(path.join(bucket, `ee${i.toString(16).padStart(62, '0')}`), 'orphan');
    const asked: number[] = [];
    const hashesInUse = h.store.jobs.hashesInUse.bind(h.store.jobs);
    h.store.jobs.hashesInUse = async (hashes) => {
      asked.push(hashes.length);
      return hashesInUse(hashes);
    };
    await expect(h.service.purgeExpired()).resolves.toEqual({ jobs: 0, inputs: 2 * STORE_PAGE_SIZE + 50 });
    expect(Math.max(...asked)).toBeLessThanOrEqual(STORE_PAGE_SIZE);
    expect(existsSync(bucket) ? readdirSync(bucket) : []).toEqual([]);
    const record = (await h.store.jobs.get(kept.job.id))!;
    for (const input of record.inputs) expect(existsSync(path.join(dir, 'data', input.path))).toBe(true);
  });
});
