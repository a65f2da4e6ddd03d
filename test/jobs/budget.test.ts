import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUDGET_WINDOW_MS, checkBudget } from '../../src/jobs/index.js';
import { tempDir } from '../store/support.js';
import { FakeClock, refusal, said, startHarness, submission, T0, type Harness } from './support.js';

const at = (minutes: number, computeSeconds: number) => ({ finishedAt: new Date(T0 + minutes * 60_000), computeSeconds });

describe('checkBudget', () => {
  it('admits a job while measured, pending and needed compute fit the hour', () => {
    expect(checkBudget({ budgetSeconds: 100, finished: [at(0, 50)], pendingSeconds: 30, neededSeconds: 20 })).toEqual({ ok: true });
  });

  it('names the time when enough old runs have left the window', () => {
    const verdict = checkBudget({ budgetSeconds: 100, finished: [at(0, 40), at(10, 40), at(20, 10)], pendingSeconds: 0, neededSeconds: 50 });
    // 90 used + 50 = 140: 40 s must leave, the run that ended at minute 0 does
    expect(verdict).toEqual({ ok: false, tooLarge: false, retryAt: new Date(T0 + BUDGET_WINDOW_MS) });
    const later = checkBudget({ budgetSeconds: 100, finished: [at(0, 40), at(10, 40), at(20, 10)], pendingSeconds: 0, neededSeconds: 70 });
    expect(later).toEqual({ ok: false, tooLarge: false, retryAt: new Date(T0 + 10 * 60_000 + BUDGET_WINDOW_MS) });
  });

  it('has no retry time when the jobs already admitted fill the hour, and refuses a job larger than the budget', () => {
    expect(checkBudget({ budgetSeconds: 100, finished: [], pendingSeconds: 90, neededSeconds: 20 })).toEqual({ ok: false, tooLarge: false, retryAt: null });
    expect(checkBudget({ budgetSeconds: 100, finished: [], pendingSeconds: 0, neededSeconds: 101 })).toEqual({ ok: false, tooLarge: true });
  });
});

describe('hourly compute budgets', () => {
  let tmp: ReturnType<typeof tempDir>;
  let h: Harness;
  let clock: FakeClock;
  beforeEach(async () => {
    tmp = tempDir();
    clock = new FakeClock();
    // per user 30 s, per server 50 s
    h = await startHarness(tmp.dir, { clock, limits: { userHourlySeconds: 30, serverHourlySeconds: 50, maxWaitingPerUser: 5 } });
  });
  afterEach(async () => {
    await h.close();
    tmp.cleanup();
  });

  /** runs one job of `user` that takes `seconds` of (fake) compute for 100 steps */
  async function runJob(user: string, seconds: number, index: number) {
    const job = await h.service.submit(submission(user));
    const run = await h.fake.run(index);
    run.advance(100, seconds * 10);
    run.finish();
    await h.events.waitFor('finished', (e) => e.job.id === job.job.id);
    return job;
  }

  it('refuses a user over their hour with the time they can try again, then admits them when it has passed', async () => {
    await runJob('alice', 20, 0); // measured: this job costs 20 s
    const finishedAt = clock.now();
    clock.advance(60_000);
    const refused = await refusal(h.service.submit(submission('alice')));
    expect(refused).toMatchObject({ code: 'LIMIT_REACHED', details: { limit: 'userBudget', max: 30, retryAt: new Date(finishedAt + BUDGET_WINDOW_MS) } });
    expect(said(refused, clock.now())).toBe('You have used your compute time for this hour in this server. Try again in 59 minutes.');

    await expect(h.service.submit(submission('bob'))).resolves.toBeDefined(); // other users keep their own budget
    clock.t = finishedAt + BUDGET_WINDOW_MS;
    await expect(h.service.submit(submission('alice'))).resolves.toBeDefined();
  });

  it('counts waiting jobs by their estimate', async () => {
    await runJob('alice', 10, 0);
    const twice = { options: { size: 64, steps: 200, octaves: 0 } };
    await h.service.submit(submission('alice', twice)); // 10 s used + 20 s expected: the 30 s are spoken for
    // even when the finished run leaves the window, the waiting one and this one need 40 s
    await expect(h.service.submit(submission('alice', twice))).rejects.toMatchObject({ code: 'LIMIT_REACHED', details: { limit: 'userBudget', retryAt: null } });
  });

  it('limits the whole server, across users', async () => {
    await runJob('alice', 20, 0);
    await runJob('bob', 20, 1);
    const refused = await refusal(h.service.submit(submission('carol')));
    expect(refused).toMatchObject({ code: 'LIMIT_REACHED', details: { limit: 'serverBudget', max: 50 } });
    expect(said(refused, clock.now())).toMatch(/^This server has used its compute time for this hour\. Try again in 1 hour\.$/);
    // another server is not affected
    await expect(h.service.submit(submission('carol', { serverId: 'guild-2' }))).resolves.toBeDefined();
  });

  it('refuses a job that could never fit the budget, saying what to change', async () => {
    await runJob('alice', 20, 0);
    const refused = await refusal(h.service.submit(submission('bob', { options: { size: 64, steps: 200, octaves: 0 } })));
    expect(refused).toMatchObject({ code: 'JOB_TOO_LARGE', details: { estimatedSeconds: 40, budgetSeconds: 30, scope: 'user' } });
    expect(said(refused)).toBe('This job needs about 40 seconds of compute, more than the 30 seconds each user may use per hour: use fewer steps or a smaller size.');
  });

  it('applies a server\'s own, tighter budget', async () => {
    await h.service.settings.update({ platform: 'discord', serverId: 'guild-1', isAdmin: true, limits: { userHourlySeconds: 15 } });
    await runJob('alice', 10, 0);
    await expect(h.service.submit(submission('alice'))).rejects.toMatchObject({ code: 'LIMIT_REACHED', details: { limit: 'userBudget', max: 15 } });
  });
});
