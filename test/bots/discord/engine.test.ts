import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { createPipelineRunner } from '../../../src/jobs/index.js';
import { REAL_WEIGHTS } from '../../helpers/paths.js';
import { as, DiscordHarness, embedText, USERS } from './harness.js';

describe('/stylize with the real engine and weights', () => {
  let engine: Engine;
  let h: DiscordHarness;
  beforeAll(async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS });
    h = await DiscordHarness.start({ runner: createPipelineRunner({ engines: [engine] }) });
  });
  afterAll(async () => {
    await h.close();
    await engine.release();
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
});
