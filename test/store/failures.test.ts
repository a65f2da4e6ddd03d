import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWritable, openStore, STORE_PAGE_SIZE, type Store } from '../../src/store/index.js';
import { tempDir, tempDirPerTest } from './support.js';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('checkWritable', () => {
  const tmp = tempDirPerTest();

  it('passes on fresh folders (creating them) and on an existing database', async () => {
    const paths = { databasePath: path.join(tmp.dir, 'db', 'stylebot.db'), dataDir: path.join(tmp.dir, 'data') };
    expect(() => checkWritable(paths)).not.toThrow();
    await (await openStore({ databasePath: paths.databasePath })).close();
    expect(() => checkWritable(paths)).not.toThrow();
  });

  it('refuses to start on a data directory that is a file, naming it', () => {
    const dataDir = path.join(tmp.dir, 'data');
    writeFileSync(dataDir, 'x');
    expect(() => checkWritable({ databasePath: path.join(tmp.dir, 'stylebot.db'), dataDir })).toThrow(
      expect.objectContaining({ code: 'DATA_DIR_UNWRITABLE', message: expect.stringMatching(new RegExp(`^The data directory ${esc(dataDir)} cannot be written \\[(ENOTDIR|EEXIST)\\]`)) }),
    );
  });

  it('refuses to start on a database whose folder is a file, or that is a folder, naming it', () => {
    const blocked = path.join(tmp.dir, 'file');
    writeFileSync(blocked, 'x');
    const databasePath = path.join(blocked, 'stylebot.db');
    expect(() => checkWritable({ databasePath, dataDir: path.join(tmp.dir, 'data') })).toThrow(
      expect.objectContaining({ code: 'DATABASE_UNAVAILABLE', message: expect.stringContaining(`The database ${databasePath} cannot be used`) }),
    );
    const folder = path.join(tmp.dir, 'folder.db');
    mkdirSync(folder);
    expect(() => checkWritable({ databasePath: folder, dataDir: path.join(tmp.dir, 'data') })).toThrow(expect.objectContaining({ code: 'DATABASE_UNAVAILABLE', message: expect.stringContaining(folder) }));
  });

  it('openStore refuses a database path it cannot create with one typed line, not a raw error', async () => {
    const blocked = path.join(tmp.dir, 'file');
    writeFileSync(blocked, 'x');
    const databasePath = path.join(blocked, 'sub', 'stylebot.db');
    const error = await openStore({ databasePath }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', code: 'DATABASE_UNAVAILABLE' });
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toContain(databasePath);
  });
});

describe('sweeps in pages', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  beforeEach(async () => {
    tmp = tempDir();
    store = await openStore({ databasePath: path.join(tmp.dir, 'stylebot.db') });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  async function endedJob(id: string, hash: string, finishedAt: Date) {
    await store.jobs.create({
      id, platform: 'discord', serverId: 'g', channelId: 'c', threadId: null, userId: 'u', options: {}, presetName: null, totalSteps: 1,
      estimatedSeconds: 1, createdAt: finishedAt, replyRef: null, uploadLimitBytes: null, parentId: null, followUp: null,
      inputs: [{ position: 0, role: 'content', hash, path: `inputs/${hash.slice(0, 2)}/${hash}`, bytes: 1 }],
    });
    await store.jobs.markCancelled(id, { unclaimedAt: finishedAt }, { finishedAt, computeSeconds: null, cancelledBy: 'u' });
  }

  it('lists expired jobs a page at a time, after the last id of the previous page', async () => {
    const old = new Date(Date.UTC(2025, 0, 1));
    for (const id of ['job00001', 'job00002', 'job00003', 'job00004', 'job00005']) await endedJob(id, id.padEnd(64, '0'), old);
    const before = new Date(Date.UTC(2025, 0, 2));
    expect(await store.jobs.listExpired(before, { limit: 2 })).toEqual(['job00001', 'job00002']);
    expect(await store.jobs.listExpired(before, { limit: 2, afterId: 'job00002' })).toEqual(['job00003', 'job00004']);
    expect(await store.jobs.listExpired(before, { limit: 2, afterId: 'job00004' })).toEqual(['job00005']);
    expect(await store.jobs.listExpired(new Date(Date.UTC(2024, 0, 1)))).toEqual([]);
  });

  it('answers which of many hashes are in use, and purges many ids, in bounded queries', async () => {
    const finishedAt = new Date(Date.UTC(2025, 0, 1));
    await endedJob('kept0001', 'a'.repeat(64), finishedAt);
    await endedJob('gone0001', 'b'.repeat(64), finishedAt);
    const many = Array.from({ length: 3 * STORE_PAGE_SIZE + 7 }, (_, i) => i.toString(16).padStart(64, 'c'));
    await store.jobs.markPurged([...many.map((h) => h.slice(-8)), 'gone0001'], finishedAt);
    expect((await store.jobs.get('gone0001'))!.filesPurgedAt).toEqual(finishedAt);
    expect((await store.jobs.get('kept0001'))!.filesPurgedAt).toBeNull();
    // the purged job's picture is free; the other's is in use, wherever it sits in the list
    expect(await store.jobs.hashesInUse([...many, 'b'.repeat(64), ...many, 'a'.repeat(64)])).toEqual(new Set(['a'.repeat(64)]));
  });
});
