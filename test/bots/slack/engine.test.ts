import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { createImageInputCheck, createPipelineRunner } from '../../../src/jobs/index.js';
import { REAL_WEIGHTS } from '../../helpers/paths.js';
import { tempDir } from '../../store/support.js';
import { resultInThread, statusOf, stylizeThroughModal } from './flow.js';
import { startSlack, type SlackHarness } from './support.js';

describe('a Slack job with the real engine and weights', () => {
  const tmp = tempDir();
  let engine: Engine;
  let h: SlackHarness;
  beforeAll(async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS });
    h = await startSlack(tmp.dir, { deps: { runner: createPipelineRunner({ engines: [engine] }), checkInputs: createImageInputCheck() } });
  });
  afterAll(async () => {
    await h.close();
    await h.fake.close();
    await engine.release();
    tmp.cleanup();
  });

  it('paints two real pictures from the modal and uploads the PNG, GIF and loss plot into the thread', async () => {
    const { root, jobId } = await stylizeThroughModal(h, { size: '32', steps: '3', seed: '1' });
    const status = await statusOf(h, root);
    const { files, card } = await resultInThread(h, root);
    const [png, gif, plot] = files.files;
    expect(await sharp(Buffer.from(png!.bytes)).metadata()).toMatchObject({ format: 'png', width: 32 });
    expect((await sharp(Buffer.from(gif!.bytes), { animated: true }).metadata()).format).toBe('gif');
    expect((await sharp(Buffer.from(plot!.bytes)).metadata()).format).toBe('png');
    const fields = (card.blocks as Array<{ fields?: Array<{ text: string }> }>).flatMap((b) => b.fields ?? []).map((f) => f.text);
    expect(fields).toContain('*Seed*\n1');
    await h.fake.waitUntil(() => /done/i.test(status.text) || undefined);
    expect(status.text).toContain(jobId);
  });
});
