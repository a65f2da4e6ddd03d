import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerRunner, type WorkerRunner } from '../../../src/worker/index.js';
import { REAL_WEIGHTS } from '../../helpers/paths.js';
import { as, asModerator, DiscordHarness, embedText, USERS } from './harness.js';

describe('/stylize with the real engine and weights on the worker thread, as in production', () => {
  let runner: WorkerRunner;
  let h: DiscordHarness;
  beforeAll(async () => {
    runner = createWorkerRunner({ workers: 1, engine: { weightsFile: REAL_WEIGHTS, threads: 1 } });
    // budgets out of the way: the long job is stopped long before it would use them
    h = await DiscordHarness.start({ runner: runner.run, limits: { userHourlySeconds: 1_000_000, serverHourlySeconds: 1_000_000 } });
  });
  afterAll(async () => {
    await h.close();
    await runner.close();
  });

  it('ends with the stylised PNG, the progression GIF and the loss plot in the thread', async () => {
    const { reply, jobId } = await h.stylize(as(USERS.alice), { size: 32, steps: 3, layers: 'seed', seed: 3 });
    const result = await h.resultMessage(reply.id);
    const [png, gif, plot] = result.files;
    expect(await sharp(png!.bytes).metadata()).toMatchObject({ format: 'png', width: 32 });
    expect((await sharp(gif!.bytes, { animated: true }).metadata()).format).toBe('gif');
    expect((await sharp(plot!.bytes).metadata()).format).toBe('png');
    expect(embedText(result)).toContain(jobId);
    expect(embedText(result)).toMatch(/seed/i);
  });

  it('acknowledges a command within a second while a real job computes, and a moderator stops that job', async () => {
    const long = await h.stylize(as(USERS.alice), { size: 64, steps: 500, layers: 'seed', seed: 4 });
    await h.statusMessage(long.reply.id, (m) => /step \d+\/\d+/.test(embedText(m)), 'the long job computing');
    const second = h.fake.slash('stylize', { ...h.images(), size: 32, steps: 3 } as never, as(USERS.bob));
    expect((await h.fake.acknowledged(second)).latencyMs).toBeLessThan(1000);
    const answer = await Promise.race([h.publicReply(second), h.privateReply(second)]);
    expect(embedText(answer)).toMatch(/Queued|position/);
    const cancel = h.fake.slash('cancel', { id: long.jobId }, asModerator());
    expect((await h.fake.acknowledged(cancel)).latencyMs).toBeLessThan(1000);
    await h.statusMessage(long.reply.id, (m) => /cancel|stopped/i.test(embedText(m)) && m.components.length === 0, 'the long job stopped in place');
  });
});
