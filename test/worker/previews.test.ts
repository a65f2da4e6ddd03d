import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/engine/index.js';
import { createPipelineRunner, type RunnerProgress } from '../../src/jobs/index.js';
import { PREVIEW_MAX_SIDE } from '../../src/jobs/runner.js';
import { parseStylizeOptions } from '../../src/pipeline/index.js';
import { sharedImage } from '../helpers/paths.js';
import { FakeEngine } from '../pipeline/fake-engine.js';

const CONTENT = readFileSync(sharedImage('content/chelsea_cat.jpg'));
const STYLE = readFileSync(sharedImage('style/vangogh_starry_night.jpg'));

async function runWith(encodePreview: ((frame: RgbImage) => Promise<Uint8Array>) | undefined, options: { size: number; steps: number }) {
  const runner = createPipelineRunner({ engines: [new FakeEngine()], ...(encodePreview ? { encodePreview } : {}) });
  const progress: RunnerProgress[] = [];
  let afterResult = 0;
  let done = false;
  const result = await runner(
    { id: 'p', content: CONTENT, styles: [STYLE], options: parseStylizeOptions({ ...options, frameEvery: 1 }) },
    {
      signal: new AbortController().signal,
      onProgress: (p) => {
        if (done) afterResult++;
        progress.push(p);
      },
    },
  );
  done = true;
  return { result, progress, afterResult: () => afterResult };
}

describe('previews (frameEvery 1, a frame every step)', () => {
  it('keep one encode in flight and encode the latest frame next, dropping the ones in between', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    /** the step each encoded frame shows: the fake engine paints step s as grey 0.2 + 0.6 s / steps */
    const encodedSteps: number[] = [];
    const encode = async (frame: RgbImage) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      encodedSteps.push(Math.round(((frame.data[0]! - 0.2) / 0.6) * 50));
      await Promise.resolve();
      inFlight--;
      return new Uint8Array([encodedSteps.length]);
    };
    const { progress, afterResult } = await runWith(encode, { size: 64, steps: 50 });

    expect(maxInFlight).toBe(1);
    // the fake engine's 51 frames come faster than one encode: the first, then only the newest
    expect(encodedSteps).toEqual([0, 50]);
    const withPreview = progress.filter((p) => p.preview);
    expect(withPreview.map((p) => [...p.preview!])).toEqual([[1], [2]]);
    // a preview goes out with the latest step, never an older one
    expect(withPreview.every((p) => p.step === 50)).toBe(true);
    expect(progress.filter((p) => !p.preview).map((p) => p.step)).toEqual([...Array(51).keys()]);
    expect(afterResult()).toBe(0);
  });

  it('are PNGs shrunk to the preview size', async () => {
    const { progress, result } = await runWith(undefined, { size: 400, steps: 2 });
    expect((await sharp(result.png).metadata()).width).toBe(400);
    const previews = progress.filter((p) => p.preview);
    expect(previews.length).toBeGreaterThan(0);
    for (const p of previews) {
      const meta = await sharp(p.preview!).metadata();
      expect(meta.format).toBe('png');
      expect(Math.max(meta.width!, meta.height!)).toBe(PREVIEW_MAX_SIDE);
    }
  });

  it('lose only the preview when an encode fails', async () => {
    const { result, progress } = await runWith(() => Promise.reject(new Error('encoder broke')), { size: 64, steps: 3 });
    expect(result.summary.steps).toBe(3);
    expect(progress.some((p) => p.preview)).toBe(false);
  });
});
