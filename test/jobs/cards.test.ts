import { describe, expect, it } from 'vitest';
import { harnessPerTest, refusal, said, submission, type Harness } from './support.js';

const alice = { platform: 'discord', serverId: 'guild-1', userId: 'alice' };

describe('reply references, cards, result files and history', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness));

  it('stores the adapter\'s reply reference and echoes it on every event, the first one before submit resolves', async () => {
    const replyRef = { channel: 'c-1', message: 'm-42', thread: null };
    const seen: unknown[] = [];
    h.service.events.on('queued', (e) => void seen.push(e.job.replyRef));
    const submitted = await h.service.submit(submission('alice', { replyRef, uploadLimitBytes: 8_000_000 }));
    // the queued event came first, and carries what the adapter needs to match it with this reply
    expect(seen).toEqual([replyRef]);
    expect(h.events.of('queued')[0]!.job.id).toBe(submitted.job.id);
    expect(submitted.job.replyRef).toEqual(replyRef);

    const run = await h.fake.run(0);
    expect(run.job.maxUploadBytes).toBe(8_000_000);
    run.advance(3);
    await h.service.setReplyRef(submitted.job.id, { ...replyRef, thread: 't-7' });
    run.advance(1);
    run.finish();
    await h.events.waitFor('finished');
    const refs = h.events.log.filter((e) => e.event.job.id === submitted.job.id).map((e) => e.event.job.replyRef);
    expect(refs).toHaveLength(7); // queued, started, 4 progress, finished
    expect(refs.slice(0, 5).every((r) => JSON.stringify(r) === JSON.stringify(replyRef))).toBe(true);
    expect(refs.slice(5)).toEqual([{ ...replyRef, thread: 't-7' }, { ...replyRef, thread: 't-7' }]);
    // after a restart it is read back from the database
    expect((await h.store.jobs.get(submitted.job.id))!.replyRef).toEqual({ ...replyRef, thread: 't-7' });
    expect((await h.service.status(alice, submitted.job.id)).job.replyRef).toEqual({ ...replyRef, thread: 't-7' });
  });

  it('gives the reproducibility card of a finished job, and its files for posting again', async () => {
    const { job } = await h.service.submit(submission('alice', { options: { size: 64, steps: 100, seed: 1234 } }));
    const run = await h.fake.run(0);
    run.advance(100, 10);
    run.finish();
    await h.events.waitFor('finished');

    const card = await h.service.details({ ...alice, userId: 'bob' }, job.id); // anyone in the server may look
    expect(card).toMatchObject({
      job: { id: job.id, status: 'done' },
      options: { size: 64, steps: 100, seed: 1234 },
      seed: 1234,
      weights: { md5: 'fakemd5' },
      engine: { provider: 'fake', reason: 'the fake runner' },
      losses: { total: 1, style: 0.5, content: 0.5, tv: 0 },
      result: { width: 64, height: 48, steps: 100 },
      purged: false,
      parentId: null,
      followUp: null,
      failure: null,
    });
    expect(card.versions.stylebot).toMatch(/^\d+\.\d+\.\d+/);
    expect(card.versions.onnxruntime).toMatch(/^\d+\.\d+\.\d+/);
    expect(card.inputs.map((i) => i.role)).toEqual(['content', 'style']);
    expect(card.inputs[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(card.timings).toMatchObject({ computeSeconds: 1, secondsPerStep: 0.01 });
    expect(card.timings.finishedAt!.getTime() - card.timings.startedAt!.getTime()).toBe(1000);
    expect(card.files).toEqual({ result: `results/${job.id}/result.png`, gif: `results/${job.id}/progress.gif`, plot: `results/${job.id}/losses.png` });

    const files = await h.service.resultFiles(alice, job.id);
    expect(files.png.toString()).toBe(`png of ${job.id}`);
    expect(files.gif.toString()).toBe(`gif of ${job.id}`);
    expect(files.plot.toString()).toBe(`plot of ${job.id}`);
    await expect(h.service.details({ ...alice, serverId: 'guild-2', userId: 'eve' }, job.id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });

    // after retention: the card says so, the files are refused with a reason
    h.clock.advance(8 * 24 * 3600 * 1000);
    await h.service.purgeExpired();
    expect(await h.service.details(alice, job.id)).toMatchObject({ purged: true, files: null, seed: 1234 });
    const gone = await refusal(h.service.resultFiles(alice, job.id));
    expect(gone).toMatchObject({ code: 'FILES_PURGED', details: { jobId: job.id } });
    expect(said(gone)).toContain('deleted after the retention period');
  });

  it('refuses the files of a job that has not finished, and shows the stored failure on the card as data', async () => {
    const { job } = await h.service.submit(submission('alice'));
    const run = await h.fake.run(0);
    expect(await refusal(h.service.resultFiles(alice, job.id))).toMatchObject({ code: 'JOB_NOT_DONE', details: { status: 'running' } });
    run.fail(new Error('boom'));
    await h.events.waitFor('failed');
    const card = await h.service.details(alice, job.id);
    expect(card.failure).toEqual({ code: 'INTERNAL', details: { code: 'INTERNAL', jobId: job.id } });
    expect(await refusal(h.service.resultFiles(alice, job.id))).toMatchObject({ code: 'JOB_NOT_DONE', details: { status: 'failed' } });
  });

  it('pages a user\'s history across servers, newest first, with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const server = i % 2 === 0 ? 'guild-1' : 'guild-2';
      const { job } = await h.service.submit(submission('alice', { serverId: server }));
      ids.push(job.id);
      const run = await h.fake.run(i);
      run.finish();
      await h.events.waitFor('finished', (e) => e.job.id === job.id);
      h.clock.advance(1000);
    }
    await h.service.submit(submission('bob'));
    const first = await h.service.history({ platform: 'discord', userId: 'alice' }, { limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).not.toBeNull();
    const second = await h.service.history({ platform: 'discord', userId: 'alice' }, { limit: 2, cursor: first.nextCursor });
    expect(second.jobs.map((j) => j.id)).toEqual([ids[2], ids[1]]);
    const last = await h.service.history({ platform: 'discord', userId: 'alice' }, { limit: 2, cursor: second.nextCursor });
    expect(last.jobs.map((j) => j.id)).toEqual([ids[0]]);
    expect(last.nextCursor).toBeNull();
    expect(new Set(first.jobs.concat(second.jobs).map((j) => j.serverId))).toEqual(new Set(['guild-1', 'guild-2']));
    expect((await h.service.history({ platform: 'slack', userId: 'alice' })).jobs).toEqual([]);
  });
});
