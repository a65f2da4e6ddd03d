import { describe, expect, it } from 'vitest';
import { CAN_START_FROM_IMAGE } from '../../src/jobs/index.js';
import { harnessPerTest, refusal, said, submission, type Harness } from './support.js';

const alice = { platform: 'discord', serverId: 'guild-1', userId: 'alice' };
const bob = { ...alice, userId: 'bob' };
const here = { channelId: 'channel-1', threadId: 'thread-1', replyRef: { thread: 'thread-1' } };

describe('follow-ups', () => {
  let h: Harness;
  harnessPerTest((harness) => (h = harness), { limits: { maxSize: 256, maxWaitingPerUser: 5 } });

  /** a finished job of alice's, run `index`-th; its summary reports seed 7 (the fake's drawn seed) */
  async function finished(index: number, options: Record<string, unknown> = { size: 100, steps: 40, styleWeight: 100, contentWeight: 1, scales: [50] }) {
    const { job } = await h.service.submit(submission('alice', { options }));
    const run = await h.fake.run(index);
    run.advance(3);
    run.finish();
    await h.events.waitFor('finished', (e) => e.job.id === job.id);
    return job;
  }

  it('makes new jobs linked to the parent: another seed, more style, more content', async () => {
    const parent = await finished(0);
    const seeded = await h.service.followUp(bob, { parentId: parent.id, action: 'seed', ...here });
    expect(seeded.job).toMatchObject({ userId: 'bob', parentId: parent.id, followUp: 'seed', replyRef: { thread: 'thread-1' }, threadId: 'thread-1' });
    expect(seeded.job.options.seed).toBeDefined();
    expect(seeded.job.options.seed).not.toBe(7);
    expect({ ...seeded.job.options, seed: 7 }).toEqual({ ...parent.options, seed: 7 });

    const style = await h.service.followUp(alice, { parentId: parent.id, action: 'style', ...here });
    expect(style.job.options).toEqual({ ...parent.options, styleWeight: 400, seed: 7 });
    const content = await h.service.followUp(alice, { parentId: parent.id, action: 'content', ...here });
    expect(content.job.options).toEqual({ ...parent.options, contentWeight: 0.25, seed: 7 });

    // they run on the parent's pictures, without copying them
    const run = await h.fake.run(1);
    expect(Buffer.from(run.job.content)).toEqual(Buffer.from((await h.fake.run(0)).job.content));
    expect(run.job.initImage).toBeUndefined();
    const stored = (await h.store.jobs.get(seeded.job.id))!;
    expect(stored.inputs.map((i) => i.hash)).toEqual((await h.store.jobs.get(parent.id))!.inputs.map((i) => i.hash));
    expect(await h.service.details(bob, seeded.job.id)).toMatchObject({ parentId: parent.id, followUp: 'seed' });
  });

  it('goes to a higher resolution from the parent\'s result: twice the size, half the steps, no coarse scales', async () => {
    const parent = await finished(0);
    const up = await h.service.followUp(alice, { parentId: parent.id, action: 'upscale', ...here, uploadLimitBytes: 9_000_000 });
    expect(up.job.options).toMatchObject({ size: 200, steps: 20, scales: [], seed: 7, ...(CAN_START_FROM_IMAGE ? { init: 'image' } : {}) });
    expect(up.job.totalSteps).toBe(20);
    const run = await h.fake.run(1);
    expect(Buffer.from(run.job.initImage!).toString()).toBe(`png of ${parent.id}`);
    expect(run.job.maxUploadBytes).toBe(9_000_000);
    run.finish();
    await h.events.waitFor('finished', (e) => e.job.id === up.job.id);

    // 200 -> 256 (the cap), then no further
    const capped = await h.service.followUp(alice, { parentId: up.job.id, action: 'upscale', ...here });
    expect(capped.job.options.size).toBe(256);
    (await h.fake.run(2)).finish();
    await h.events.waitFor('finished', (e) => e.job.id === capped.job.id);
    const refused = await refusal(h.service.followUp(alice, { parentId: capped.job.id, action: 'upscale', ...here }));
    expect(refused.details).toEqual({ code: 'FOLLOW_UP_AT_CAP', jobId: capped.job.id, size: 256, maxSize: 256 });
    expect(said(refused)).toBe(`Job ${capped.job.id} is already 256 px, the largest size this server allows (256 px), so it cannot go higher.`);
    // the starting picture is an input of the follow-up: it survives the parent's purge
    expect((await h.store.jobs.get(up.job.id))!.inputs.map((i) => i.role)).toEqual(['content', 'style', 'init']);
  });

  it('refuses clearly when the parent\'s files were purged, it has not finished, or is not visible', async () => {
    const parent = await finished(0);
    const { job: waiting } = await h.service.submit(submission('alice'));
    expect(await refusal(h.service.followUp(alice, { parentId: waiting.id, action: 'seed', ...here }))).toMatchObject({ code: 'JOB_NOT_DONE' });
    expect(await refusal(h.service.followUp({ ...alice, serverId: 'guild-9', userId: 'eve' }, { parentId: parent.id, action: 'seed', ...here }))).toMatchObject({ code: 'JOB_NOT_FOUND' });

    h.clock.advance(8 * 24 * 3600 * 1000);
    await h.service.purgeExpired();
    for (const action of ['seed', 'style', 'content', 'upscale'] as const) {
      const refused = await refusal(h.service.followUp(alice, { parentId: parent.id, action, ...here }));
      expect(refused.details).toMatchObject({ code: 'FILES_PURGED', jobId: parent.id });
    }
  });
});
