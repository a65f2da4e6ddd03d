import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../store/support.js';
import { describeFailure } from '../../src/bots/shared/messages/job-errors.js';
import { FakeClock, startHarness, submission, type Harness } from './support.js';

describe('restarts', () => {
  let tmp: ReturnType<typeof tempDir>;
  const open: Harness[] = [];
  const start = async (clock = new FakeClock()) => {
    const h = await startHarness(tmp.dir, { clock });
    open.push(h);
    return h;
  };
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    tmp.cleanup();
  });

  it('after a crash mid-job, re-queues the running and waiting jobs, tells their owners, and completes them', async () => {
    const clock = new FakeClock();
    const before = await start(clock);
    const running = await before.service.submit(submission('alice'));
    const waiting = await before.service.submit(submission('bob'));
    const run = await before.fake.run(0);
    run.advance(30, 100);
    expect((await before.store.jobs.get(running.job.id))!.status).toBe('running');
    // kill -9: nothing is closed or written; the database still says running

    const after = await start(clock);
    const recovered = after.events.of('recovered');
    expect(recovered.map((e) => [e.job.id, e.wasRunning, e.job.userId])).toEqual([
      [running.job.id, true, 'alice'],
      [waiting.job.id, false, 'bob'],
    ]);
    expect(after.events.story(running.job.id).slice(0, 2)).toEqual(['recovered', 'queued']);

    const again = await after.fake.run(0);
    expect(again.job.id).toBe(running.job.id);
    expect(Buffer.from(again.job.content)).toEqual(Buffer.from(run.job.content));
    again.advance(100);
    again.finish();
    const second = await after.fake.run(1);
    expect(second.job.id).toBe(waiting.job.id);
    second.finish();
    await after.events.waitFor('finished', (e) => e.job.id === waiting.job.id);

    expect(after.events.story(running.job.id)).toEqual(['recovered', 'queued', 'started', 'finished']);
    expect(await after.store.jobs.get(running.job.id)).toMatchObject({ status: 'done', attempts: 2, progressStep: 100 });
    expect(await after.store.jobs.get(waiting.job.id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('after a clean shutdown mid-job, resumes the interrupted job without counting the interruption', async () => {
    const before = await start();
    const job = await before.service.submit(submission('alice'));
    (await before.fake.run(0)).advance(10);
    await before.close();
    open.splice(open.indexOf(before), 1);

    const after = await start();
    // close() put it back in the queue itself, so this start finds it waiting
    expect(after.events.of('recovered')).toMatchObject([{ job: { id: job.job.id, attempts: 0 }, wasRunning: false }]);
    (await after.fake.run(0)).finish();
    await after.events.waitFor('finished');
    expect(await after.store.jobs.get(job.job.id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('gives up on a job that restarts keep interrupting, and tells its owner why', async () => {
    const clock = new FakeClock();
    let h = await start(clock);
    const job = await h.service.submit(submission('alice'));
    for (let attempt = 1; attempt <= 3; attempt++) {
      await h.fake.run(0); // the database says running before the runner is called
      expect((await h.store.jobs.get(job.job.id))!.attempts).toBe(attempt);
      h = await start(clock); // crash again
    }
    const failed = await h.events.waitFor('failed');
    expect(failed).toMatchObject({ job: { id: job.job.id, userId: 'alice' }, code: 'INTERRUPTED' });
    expect(describeFailure(failed.code, failed.details)).toBe(`Job ${job.job.id} was interrupted by a bot restart 3 times, so it was stopped. Try a smaller size or fewer steps.`);
    expect(await h.store.jobs.get(job.job.id)).toMatchObject({ status: 'failed', errorCode: 'INTERRUPTED' });
    expect(h.fake.runs).toHaveLength(0);
  });

  it('measures speed from the jobs that ran before the restart', async () => {
    const clock = new FakeClock();
    const before = await start(clock);
    await before.service.submit(submission('alice'));
    const run = await before.fake.run(0);
    run.advance(100, 300); // 30 s for 100 steps at 64 px
    run.finish();
    await before.events.waitFor('finished');

    const after = await start(clock);
    const next = await after.service.submit(submission('alice', { options: { size: 64, steps: 50, octaves: 0 } }));
    expect(next.etaSeconds).toBeCloseTo(15);
  });
});
