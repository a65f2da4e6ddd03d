import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageInputError } from '../../src/images/index.js';
import { describeFailure } from '../../src/bots/shared/messages/job-errors.js';
import { refusal, harnessPerTest, refusalText, said, submission, type Harness } from './support.js';

describe('the job queue', () => {
  let h: Harness;
  let dir: string;
  harnessPerTest((harness, d) => {
    h = harness;
    dir = d;
  });

  it('runs a job from submission to its stored result, telling the owner at each stage', async () => {
    const submitted = await h.service.submit(submission('alice', { threadId: 'thread-9' }));
    expect(submitted.position).toBe(1);
    const id = submitted.job.id;
    expect(id).toMatch(/^[a-z2-9]{8}$/);

    const run = await h.fake.run(0);
    expect(run.job.options).toMatchObject({ size: 64, steps: 100 });
    expect(Buffer.from(run.job.content).toString()).toMatch(/^content-/);
    run.advance(20, 50);
    run.finish();
    const finished = await h.events.waitFor('finished');

    expect(h.events.story(id)).toEqual(['queued', 'started', 'finished']);
    const progress = h.events.of('progress');
    expect(progress.map((p) => p.step)).toEqual([...Array(20).keys()].map((i) => i + 1));
    expect(progress[19]!.preview).toBeDefined();
    expect(progress[18]!.preview).toBeUndefined();
    expect(finished.job).toMatchObject({ id, status: 'done', userId: 'alice', channelId: 'channel-1', threadId: 'thread-9' });
    expect(Buffer.from(finished.result).toString()).toBe(`png of ${id}`);
    expect(readFileSync(path.join(dir, 'data', finished.files.result), 'utf8')).toBe(`png of ${id}`);
    expect(readFileSync(path.join(dir, 'data', finished.files.gif), 'utf8')).toBe(`gif of ${id}`);

    const stored = await h.store.jobs.get(id);
    expect(stored).toMatchObject({ status: 'done', computeSeconds: 1, progressStep: 20, attempts: 1, resultPath: finished.files.result, threadId: 'thread-9' });
    expect(stored!.secondsPerStep).toBeCloseTo(0.05);
    expect(stored!.inputs.map((i) => i.role)).toEqual(['content', 'style']);
  });

  it('stores each picture once under the data directory, by content hash', async () => {
    const same = Buffer.from('the same picture');
    const a = await h.service.submit(submission('alice', { content: same, styles: [same] }));
    const stored = await h.store.jobs.get(a.job.id);
    const [content, style] = stored!.inputs;
    expect(content!.hash).toBe(style!.hash);
    expect(content!.path).toBe(`inputs/${content!.hash.slice(0, 2)}/${content!.hash}`);
    expect(readFileSync(path.join(dir, 'data', content!.path), 'utf8')).toBe('the same picture');
    expect(readdirSync(path.join(dir, 'data', 'inputs', content!.hash.slice(0, 2)))).toEqual([content!.hash]);
  });

  it('allows one running and two waiting jobs per user, and says so on the fourth', async () => {
    await h.service.submit(submission('alice'));
    await h.events.waitFor('started');
    await h.service.submit(submission('alice'));
    await h.service.submit(submission('alice'));
    const refused = await refusal(h.service.submit(submission('alice')));
    expect(refused.details).toMatchObject({ code: 'LIMIT_REACHED', limit: 'waiting', max: 2 });
    expect(said(refused)).toBe('You already have 2 jobs waiting in this server, the most allowed. Try again when your jobs in the queue have finished.');
    // someone else is not affected, and goes first: alice was served last
    await expect(h.service.submit(submission('bob'))).resolves.toMatchObject({ position: 1 });
  });

  it('alternates between two users sharing one worker instead of running one batch first', async () => {
    const a1 = await h.service.submit(submission('alice'));
    await h.events.waitFor('started');
    const a2 = await h.service.submit(submission('alice'));
    const a3 = await h.service.submit(submission('alice'));
    const b1 = await h.service.submit(submission('bob'));
    expect(b1.position).toBe(1);
    expect(h.service.list({ platform: 'discord', serverId: 'guild-1' }).map((p) => [p.job.id, p.position])).toEqual([
      [a1.job.id, 0],
      [b1.job.id, 1],
      [a2.job.id, 2],
      [a3.job.id, 3],
    ]);
    const b2 = await h.service.submit(submission('bob'));

    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const run = await h.fake.run(i);
      order.push(run.job.id);
      run.advance(1);
      run.finish();
    }
    await h.events.waitFor('finished', (e) => e.job.id === order[4]);
    expect(order).toEqual([a1.job.id, b1.job.id, a2.job.id, b2.job.id, a3.job.id]);
  });

  it('gives position and ETA from the measured speed of recent jobs and the running job\'s pace', async () => {
    // measure: 100 steps of 64 px in 10 s
    await h.service.submit(submission('alice'));
    const first = await h.fake.run(0);
    first.advance(100, 100);
    first.finish();
    await h.events.waitFor('finished');

    await h.service.submit(submission('alice'));
    const running = await h.fake.run(1);
    running.advance(25, 100); // 2.5 s for a quarter: 7.5 s left at this pace
    const waiting = await h.service.submit(submission('bob', { options: { size: 64, steps: 200, octaves: 0 } }));
    expect(waiting.position).toBe(1);
    expect(waiting.startsInSeconds).toBeCloseTo(7.5);
    expect(waiting.etaSeconds).toBeCloseTo(7.5 + 20); // twice the steps of the measured job
    const queued = await h.events.waitFor('queued', (e) => e.job.id === waiting.job.id);
    expect(queued.etaSeconds).toBeCloseTo(27.5);
    const status = await h.service.status({ platform: 'discord', serverId: 'guild-1', userId: 'bob' }, waiting.job.id);
    expect(status).toMatchObject({ position: 1 });
  });

  it('cancels a waiting job at once: it never runs', async () => {
    await h.service.submit(submission('alice'));
    const first = await h.fake.run(0);
    const waiting = await h.service.submit(submission('alice'));
    const result = await h.service.cancel({ platform: 'discord', serverId: 'guild-1', userId: 'alice' }, waiting.job.id);
    expect(result).toMatchObject({ wasRunning: false, job: { status: 'cancelled' } });
    expect(h.events.story(waiting.job.id)).toEqual(['queued', 'cancelled']);
    expect(await h.store.jobs.get(waiting.job.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'alice', startedAt: null });

    first.finish();
    await h.events.waitFor('finished');
    expect(h.fake.runs).toHaveLength(1);
  });

  it('stops a running job before its next step, then starts the next one', async () => {
    const running = await h.service.submit(submission('alice'));
    const next = await h.service.submit(submission('bob'));
    const run = await h.fake.run(0);
    run.advance(10, 100);

    const cancelling = h.service.cancel({ platform: 'discord', serverId: 'guild-1', userId: 'alice' }, running.job.id);
    await Promise.resolve();
    expect(run.context.signal.aborted).toBe(true);
    run.advance(5); // the engine checks the signal before each step: not one more step is made
    expect(run.step).toBe(10);
    const result = await cancelling;

    expect(result).toMatchObject({ wasRunning: true, job: { status: 'cancelled' } });
    expect(h.events.story(running.job.id)).toEqual(['queued', 'started', 'cancelled']);
    expect(await h.store.jobs.get(running.job.id)).toMatchObject({ status: 'cancelled', cancelledBy: 'alice', computeSeconds: 1, progressStep: 10 });
    expect((await h.fake.run(1)).job.id).toBe(next.job.id);
  });

  it('lets the owner or a server admin cancel, and nobody else', async () => {
    const job = await h.service.submit(submission('alice'));
    const run = await h.fake.run(0);
    const bob = { platform: 'discord', serverId: 'guild-1', userId: 'bob' };
    await expect(h.service.cancel(bob, job.job.id)).rejects.toMatchObject({ code: 'NOT_OWNER' });
    await expect(h.service.cancel({ ...bob, serverId: 'guild-2', isAdmin: true }, job.job.id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    await expect(h.service.cancel({ ...bob, platform: 'slack' }, job.job.id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    const cancelling = h.service.cancel({ ...bob, isAdmin: true }, job.job.id);
    run.advance(1);
    await expect(cancelling).resolves.toMatchObject({ wasRunning: true });
    expect((await h.events.waitFor('cancelled')).by).toBe('bob');
    expect(await refusalText(h.service.cancel({ ...bob, userId: 'alice' }, job.job.id))).toBe(`Job ${job.job.id} has already been cancelled.`);
    await expect(h.service.cancel(bob, 'nosuchjb')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('reports a failed run with the reason the user can act on, and carries on', async () => {
    const bad = await h.service.submit(submission('alice'));
    const broken = await h.service.submit(submission('bob'));
    const good = await h.service.submit(submission('carol'));
    (await h.fake.run(0)).fail(new ImageInputError('TRUNCATED', {}, 'The content image'));
    (await h.fake.run(1)).fail(new Error('onnx exploded'));
    const run = await h.fake.run(2);
    run.finish();
    await h.events.waitFor('finished');

    const [first, second] = h.events.of('failed');
    expect(first).toMatchObject({ job: { id: bad.job.id, status: 'failed' }, code: 'INVALID_INPUT' });
    expect(describeFailure(first!.code, first!.details)).toBe('The content image is cut off (an incomplete download or upload?): send the complete file again.');
    expect(second).toMatchObject({ job: { id: broken.job.id }, code: 'INTERNAL' });
    expect(describeFailure(second!.code, second!.details)).toContain(`job ${broken.job.id}`);
    expect(JSON.stringify(second!.details)).not.toContain('onnx exploded');
    expect(await h.store.jobs.get(broken.job.id)).toMatchObject({ status: 'failed', errorCode: 'INTERNAL', errorDetails: { code: 'INTERNAL', jobId: broken.job.id } });
    expect(h.events.story(good.job.id)).toEqual(['queued', 'started', 'finished']);
  });

  it('keeps going when an event listener throws', async () => {
    h.service.events.on('started', () => {
      throw new Error('adapter down');
    });
    h.service.events.on('queued', async () => {
      throw new Error('adapter down too');
    });
    await h.service.submit(submission('alice'));
    (await h.fake.run(0)).finish();
    await expect(h.events.waitFor('finished')).resolves.toBeDefined();
  });

  it('writes progress to the database every few seconds, not every step', async () => {
    const job = await h.service.submit(submission('alice'));
    const run = await h.fake.run(0);
    run.advance(4, 1000);
    await h.service.status({ platform: 'discord', serverId: 'guild-1', userId: 'alice' }, job.job.id);
    expect((await h.store.jobs.get(job.job.id))!.progressStep).toBe(0);
    run.advance(1, 1000);
    await expect.poll(async () => (await h.store.jobs.get(job.job.id))!.progressStep).toBe(5);
    run.finish();
  });

  it('refuses a job after shutdown began', async () => {
    await h.service.close();
    await expect(h.service.submit(submission('alice'))).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });

  it('keeps the files of ended jobs for the retention period, then removes them and unused inputs', async () => {
    const shared = Buffer.from('a style two jobs use');
    const old = await h.service.submit(submission('alice', { styles: [shared] }));
    (await h.fake.run(0)).finish();
    await h.events.waitFor('finished');
    h.clock.advance(6 * 24 * 3600 * 1000);
    const recent = await h.service.submit(submission('bob'));
    (await h.fake.run(1)).finish();
    await h.events.waitFor('finished', (e) => e.job.id === recent.job.id);
    const waiting = await h.service.submit(submission('carol', { styles: [shared] }));
    const oldRecord = (await h.store.jobs.get(old.job.id))!;

    h.clock.advance(24 * 3600 * 1000 + 1);
    await expect(h.service.purgeExpired()).resolves.toEqual({ jobs: 1, inputs: 1 });
    const data = (p: string) => path.join(dir, 'data', p);
    expect(existsSync(data(`results/${old.job.id}`))).toBe(false);
    expect(existsSync(data(oldRecord.inputs[0]!.path))).toBe(false); // its content picture: nobody needs it
    expect(existsSync(data(oldRecord.inputs[1]!.path))).toBe(true); // the shared style: carol's job waits for it
    expect(existsSync(data(`results/${recent.job.id}/result.png`))).toBe(true);
    expect((await h.store.jobs.get(old.job.id))!.filesPurgedAt).toEqual(new Date(h.clock.now()));
    expect((await h.store.jobs.get(waiting.job.id))!.status).toBe('running');
    await expect(h.service.purgeExpired()).resolves.toEqual({ jobs: 0, inputs: 0 });
  });
});
