import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TERMINAL_EVENTS } from '../../src/jobs/index.js';
import { tempDir } from '../store/support.js';
import { FakeClock, startHarness, submission, type Harness } from './support.js';

const LEASE_MS = 60_000;

/** Terminal events of one job in one process's log: there must be exactly one. */
function endings(h: Harness, jobId: string): string[] {
  return h.events.story(jobId).filter((name) => (TERMINAL_EVENTS as readonly string[]).includes(name));
}

describe('two processes on one database', () => {
  let tmp: ReturnType<typeof tempDir>;
  const open: Harness[] = [];
  const clock = new FakeClock();
  const start = async (owner: string) => {
    const h = await startHarness(tmp.dir, { clock, owner, deps: { leaseMs: LEASE_MS, heartbeatMs: LEASE_MS / 3 } });
    open.push(h);
    return h;
  };
  beforeEach(() => {
    tmp = tempDir();
    clock.t = Date.UTC(2025, 10, 30, 12, 0, 0);
  });
  afterEach(async () => {
    for (const h of open.splice(0)) {
      for (const run of h.fake.runs) run.finish();
      await h.close();
    }
    tmp.cleanup();
  });

  it('never runs a job twice: a live lease is left to its owner, and the heartbeat keeps it live', async () => {
    const a = await start('process-a');
    const { job } = await a.service.submit(submission('alice'));
    const run = await a.fake.run(0);
    run.advance(1, 1000);
    expect(await a.store.jobs.get(job.id)).toMatchObject({ status: 'running', owner: 'process-a', leaseUntil: new Date(clock.now() - 1000 + LEASE_MS) });

    const b = await start('process-b');
    expect(b.events.log).toEqual([]);
    for (let i = 0; i < 5; i++) {
      run.advance(1, 30_000); // 2.5 minutes in all: longer than a lease, but the heartbeat renews it
      await expect.poll(async () => (await b.store.jobs.get(job.id))!.leaseUntil!.getTime()).toBeGreaterThan(clock.now());
      expect(await b.service.takeOverExpired()).toBe(0);
    }
    run.finish();
    await a.events.waitFor('finished');
    expect(b.fake.runs).toHaveLength(0);
    expect(endings(a, job.id)).toEqual(['finished']);
    expect(await a.store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 1, owner: null, leaseUntil: null });
  });

  it('takes over a job whose owner went silent once its lease expires; the old owner stops and says so', async () => {
    const a = await start('process-a');
    const { job } = await a.service.submit(submission('alice'));
    const stale = await a.fake.run(0);
    stale.advance(10, 100);
    const b = await start('process-b');
    expect(await b.service.takeOverExpired()).toBe(0);

    clock.advance(LEASE_MS + 1); // process-a hangs: no step, no heartbeat
    expect(await b.service.takeOverExpired()).toBe(1);
    const taken = await b.fake.run(0);
    await b.events.waitFor('started');
    expect(b.events.story(job.id)).toEqual(['recovered', 'queued', 'started']);
    expect(taken.job.id).toBe(job.id);
    expect(await b.store.jobs.get(job.id)).toMatchObject({ status: 'running', owner: 'process-b', attempts: 2 });

    // process-a wakes up: its next step renews nothing, it stops and releases the job
    stale.advance(1);
    const released = await a.events.waitFor('released');
    expect(released).toMatchObject({ job: { id: job.id, status: 'running' }, reason: 'lease-lost' });
    expect(stale.context.signal.aborted).toBe(true);

    taken.advance(5);
    taken.finish();
    await b.events.waitFor('finished');
    expect(endings(a, job.id)).toEqual(['released']);
    expect(endings(b, job.id)).toEqual(['finished']);
    expect(await b.store.jobs.get(job.id)).toMatchObject({ status: 'done', progressStep: 5 });
  });

  it('a result that arrives after the lease was taken over is not recorded, and the old owner says why', async () => {
    const a = await start('process-a');
    const { job } = await a.service.submit(submission('alice'));
    const stale = await a.fake.run(0);
    const b = await start('process-b');
    clock.advance(LEASE_MS + 1);
    await b.service.takeOverExpired();
    const taken = await b.fake.run(0);

    stale.finish(); // markDone finds the job is process-b's now
    expect(await a.events.waitFor('released')).toMatchObject({ reason: 'lease-lost' });
    expect(a.events.of('finished')).toEqual([]);
    taken.finish();
    await b.events.waitFor('finished');
    expect(endings(a, job.id)).toEqual(['released']);
    expect(await b.store.jobs.get(job.id)).toMatchObject({ status: 'done', resultPath: `results/${job.id}/result.png` });
  });

  it('a job both processes have waiting runs once: the one that loses the claim says so', async () => {
    const a = await start('process-a');
    const first = await a.service.submit(submission('alice'));
    const blocking = await a.fake.run(0);
    const second = await a.service.submit(submission('bob')); // waits behind alice's in process-a

    const b = await start('process-b'); // finds bob's job queued and runs it at once
    const stolen = await b.fake.run(0);
    expect(stolen.job.id).toBe(second.job.id);

    blocking.finish();
    const released = await a.events.waitFor('released');
    expect(released).toMatchObject({ job: { id: second.job.id, status: 'running' }, reason: 'claimed-elsewhere' });
    expect(a.fake.runs).toHaveLength(1);
    stolen.finish();
    await b.events.waitFor('finished');
    expect(endings(a, first.job.id)).toEqual(['finished']);
    expect(endings(a, second.job.id)).toEqual(['released']);
    expect(endings(b, second.job.id)).toEqual(['finished']);
  });

  // kill -9: process-a's harness is left as it is (nothing closed, the database says running), and a new
  // process starts on the same database
  it('a worker restarted under its stable id (STYLEBOT_WORKER_ID) takes its own running job back at once', async () => {
    const a = await start('gpu-1');
    const { job } = await a.service.submit(submission('alice'));
    (await a.fake.run(0)).advance(10, 100);

    const restarted = await start('gpu-1');
    const again = await restarted.fake.run(0);
    expect(again.job.id).toBe(job.id);
    expect(restarted.events.story(job.id).slice(0, 3)).toEqual(['recovered', 'queued', 'started']);
    expect(await restarted.store.jobs.get(job.id)).toMatchObject({ status: 'running', owner: 'gpu-1', attempts: 2 });
    again.finish();
    await restarted.events.waitFor('finished');
    expect(await restarted.store.jobs.get(job.id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('a restart under another id (the default: a fresh name per start) waits for the old lease', async () => {
    const a = await start('host:1:aaaa');
    const { job } = await a.service.submit(submission('alice'));
    (await a.fake.run(0)).advance(10, 100);

    const restarted = await start('host:2:bbbb');
    expect(restarted.events.log).toEqual([]);
    expect(restarted.fake.runs).toHaveLength(0);
    clock.advance(LEASE_MS - 1000);
    expect(await restarted.service.takeOverExpired()).toBe(0);
    clock.advance(1001 + 1);
    expect(await restarted.service.takeOverExpired()).toBe(1);
    expect((await restarted.fake.run(0)).job.id).toBe(job.id);
  });
});
