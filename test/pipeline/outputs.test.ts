import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { prepareInputs, StylizeOptionsError, stylizeImages } from '../../src/pipeline/index.js';
import { readShared, SHARED_WEIGHTS } from '../images/shared-files.js';
import { FakeEngine } from './fake-engine.js';

const cat = readShared('content/chelsea_cat.jpg'); // 451x300
const starry = readShared('style/vangogh_starry_night.jpg'); // 768x608

describe('starting from a given picture', () => {
  it('decodes it at the working size and hands it to the engine with init image', async () => {
    const engine = new FakeEngine();
    const result = await stylizeImages({ engine, content: cat, styles: [starry], initImage: starry, options: { size: 40, steps: 1 } });
    const request = engine.requests[0]!;
    expect(request.options).toMatchObject({ init: 'image' });
    expect(Math.max(request.initImage!.width, request.initImage!.height)).toBe(40);
    expect(result.options.init).toBe('image');
  });

  it("refuses init 'image' without a picture, naming the option", async () => {
    const error = await prepareInputs({ content: cat, styles: [starry], options: { init: 'image' } }).catch((e) => e);
    expect(error).toBeInstanceOf(StylizeOptionsError);
    expect((error as StylizeOptionsError).issues[0]!.key).toBe('init');
  });
});

describe('the upload budget', () => {
  it('keeps the result, GIF and plot each under maxUploadBytes, downsizing an upscaled result', async () => {
    const maxBytes = 24_000;
    const result = await stylizeImages({
      engine: new FakeEngine(undefined, true),
      content: cat,
      styles: [starry],
      options: { size: 64, steps: 4, frameEvery: 1, upscale: true },
      maxUploadBytes: maxBytes,
    });
    for (const file of [result.png, result.gif, result.plot]) expect(file.length).toBeLessThanOrEqual(maxBytes);
    const png = await sharp(result.png).metadata();
    expect(png.width).toBeLessThan(451);
    expect(result.summary).toMatchObject({ width: png.width, height: png.height });
    expect(result.summary.adjustments).toContainEqual({
      kind: 'result-downsized',
      from: { width: 451, height: 300 },
      to: { width: png.width, height: png.height },
      maxBytes,
    });
    const roomy = await stylizeImages({ engine: new FakeEngine(undefined, true), content: cat, styles: [starry], options: { size: 64, steps: 1, upscale: true } });
    expect(await sharp(roomy.png).metadata()).toMatchObject({ width: 451, height: 300 });
  });
});

describe('awkward sizes', () => {
  it('runs a 2000x100 picture, growing the working size until the short side is 16 px, and says so', async () => {
    const strip = readShared('tricky/extreme_aspect_2000x100_kodim13.jpg');
    const engine = await Engine.create({ weightsFile: SHARED_WEIGHTS, provider: 'cpu' });
    try {
      const result = await stylizeImages({ engine, content: strip, styles: [starry], options: { size: 256, steps: 1, scales: [64, 512] } });
      expect(result.summary.working).toEqual({ width: 320, height: 16 });
      expect(result.summary.adjustments).toEqual([
        { kind: 'size-grown', requested: 256, used: 320 },
        { kind: 'scale-ignored', size: 64, reason: 'too-small' },
        { kind: 'scale-ignored', size: 512, reason: 'not-smaller' },
      ]);
    } finally {
      await engine.release();
    }
  });
});
