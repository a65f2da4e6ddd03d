import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHarness, submission, type Harness } from '../jobs/support.js';
import { tempDir } from './support.js';

/**
 * Prisma says "query plan cache miss" in its debug log each time it compiles a query shape on the main
 * thread (read at every call from globalThis.DEBUG, written with console.warn): the probe of this test.
 */
function countCompiles() {
  const debug = globalThis as { DEBUG?: string };
  const before = debug.DEBUG;
  debug.DEBUG = 'prisma:client:clientEngine';
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  return {
    count: () => warn.mock.calls.filter((args) => args.some((a) => String(a).includes('query plan cache miss'))).length,
    stop: () => {
      warn.mockRestore();
      debug.DEBUG = before;
    },
  };
}

describe('a store opened with warmUp', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness | undefined;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    tmp.cleanup();
  });

  /** Submits a job, runs it long enough for a heartbeat and progress, finishes it; the compiles meanwhile. */
  async function compilesDuringAJob(warmUp: boolean): Promise<number> {
    h = await startHarness(tmp.dir, { storeOptions: { warmUp } });
    const probe = countCompiles();
    try {
      const { job } = await h.service.submit(submission('alice'));
      const run = await h.fake.run(0);
      run.advance(5, 10_001); // 50 s: past the heartbeat interval (20 s); seconds are fractional, as they are
      run.advance(95);
      run.finish();
      await h.events.waitFor('finished', (e) => e.job.id === job.id);
      expect(await h.store.jobs.get(job.id)).toMatchObject({ status: 'done' });
      return probe.count();
    } finally {
      probe.stop();
    }
  }

  it('compiles no query while a job is submitted, claimed, kept alive and finished', async () => {
    expect(await compilesDuringAJob(true)).toBe(0);
  });

  it('(the probe works: a cold store compiles the shapes during the job)', async () => {
    expect(await compilesDuringAJob(false)).toBeGreaterThan(3);
  });

  it('leaves nothing behind: its inserts are rolled back, so no job is recovered at the next start', async () => {
    h = await startHarness(tmp.dir, { storeOptions: { warmUp: true } });
    expect(h.events.log).toEqual([]);
    const db = new Database(path.join(tmp.dir, 'stylebot.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT (SELECT count(*) FROM Job) AS jobs, (SELECT count(*) FROM JobInput) AS inputs').get()).toEqual({ jobs: 0, inputs: 0 });
    } finally {
      db.close();
    }
  });
});
