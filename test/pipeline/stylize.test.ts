import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Engine, EngineError, fromInterleavedRgb } from '../../src/engine/index.js';
import { ImageInputError } from '../../src/images/index.js';
import { prepareInputs, STYLIZE_DEFAULTS, StylizeOptionsError, stylizeImages } from '../../src/pipeline/index.js';
import { readShared, SHARED_WEIGHTS } from '../images/shared-files.js';
import { FakeEngine } from './fake-engine.js';

const cat = readShared('content/chelsea_cat.jpg'); // 451x300
const starry = readShared('style/vangogh_starry_night.jpg'); // 768x608
const wave = readShared('style/hokusai_great_wave.jpg'); // 768x576

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a refusal'),
    (error: unknown) => error,
  );
}

describe('stylizeImages with a stand-in engine', () => {
  it('sizes the content to `size` and the styles to size x styleScale, and passes only engine options', async () => {
    const engine = new FakeEngine();
    await stylizeImages({ engine, content: cat, styles: [starry, wave], options: { size: 64, steps: 4, styleScale: 0.5, styleBlend: [3, 1] } });
    const request = engine.requests[0]!;
    expect([request.content.width, request.content.height]).toEqual([64, 43]);
    expect(request.styles.map((s) => [s.image.width, s.image.height, s.weight])).toEqual([
      [32, 25, 3],
      [32, 24, 1],
    ]);
    expect(request.options).toMatchObject({ steps: 4, styleWeight: STYLIZE_DEFAULTS.styleWeight });
    expect(Object.keys(request.options!)).not.toContain('size');
    expect(Object.keys(request.options!)).not.toContain('styleBlend');
  });

  it('returns the PNG at the working size, a GIF of the frames and a loss plot', async () => {
    const result = await stylizeImages({ engine: new FakeEngine(), content: cat, styles: [starry], options: { size: 48, steps: 60, frameEvery: 20 } });
    expect(await sharp(result.png).metadata()).toMatchObject({ format: 'png', width: 48, height: 32 });
    const gif = await sharp(result.gif, { animated: true }).metadata();
    // step 0, 20, 40 and 60 (the result)
    expect(gif).toMatchObject({ format: 'gif', width: 48, pages: 4 });
    expect((await sharp(result.plot).metadata()).format).toBe('png');
    expect(result.summary).toMatchObject({ steps: 60, width: 48, height: 32, seed: 42, provider: 'fake' });
    expect(result.options).toMatchObject({ size: 48, steps: 60, seed: 42 });
    expect(result.history).toHaveLength(61);
  });

  it("upscales the result to the content's original size when asked", async () => {
    const result = await stylizeImages({ engine: new FakeEngine(), content: cat, styles: [starry], options: { size: 32, steps: 2, upscale: true } });
    expect(await sharp(result.png).metadata()).toMatchObject({ width: 451, height: 300 });
    expect(result.summary).toMatchObject({ width: 451, height: 300 });
  });

  it("keeps the content's colours with preserveColors (the stand-in returns grey)", async () => {
    const run = (preserveColors: boolean) =>
      stylizeImages({ engine: new FakeEngine(), content: cat, styles: [starry], options: { size: 32, steps: 2, preserveColors } });
    const spread = async (png: Buffer) => {
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      const image = fromInterleavedRgb(data, info.width, info.height);
      const plane = info.width * info.height;
      let sum = 0;
      for (let i = 0; i < plane; i++) sum += Math.abs(image.data[i]! - image.data[2 * plane + i]!);
      return sum / plane;
    };
    expect(await spread((await run(false)).png)).toBe(0);
    expect(await spread((await run(true)).png)).toBeGreaterThan(0.02);
  });

  it('hands progress events through and forwards the abort signal', async () => {
    const steps: number[] = [];
    const controller = new AbortController();
    controller.abort();
    const engine = new FakeEngine();
    const error = await failure(
      stylizeImages({ engine, content: cat, styles: [starry], options: { size: 32, steps: 2 }, signal: controller.signal, onProgress: (e) => steps.push(e.step) }),
    );
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('CANCELLED');
    expect(engine.requests[0]!.signal).toBe(controller.signal);
    const ok: number[] = [];
    await stylizeImages({ engine, content: cat, styles: [starry], options: { size: 32, steps: 3 }, onProgress: (e) => ok.push(e.step) });
    expect(ok).toEqual([0, 1, 2, 3]);
  });
});

describe('prepareInputs refuses before the engine runs', () => {
  it('names the picture that is wrong', async () => {
    const engine = new FakeEngine();
    const content = await failure(stylizeImages({ engine, content: Buffer.alloc(0), styles: [starry] }));
    expect(content).toBeInstanceOf(ImageInputError);
    expect((content as ImageInputError).message).toMatch(/^The content image is an empty file/);
    const second = await failure(stylizeImages({ engine, content: cat, styles: [starry, Buffer.from('<svg/>')] }));
    expect((second as ImageInputError).code).toBe('SVG_OR_XML');
    expect((second as ImageInputError).message).toMatch(/^Style image 2 is SVG/);
    expect(engine.requests).toHaveLength(0);
  });

  it('reports bad options with their keys, all at once', async () => {
    const error = await failure(prepareInputs({ content: cat, styles: [starry], options: { steps: 0, optimizer: 'sgd' as 'adam' } }));
    expect(error).toBeInstanceOf(StylizeOptionsError);
    expect((error as StylizeOptionsError).issues.map((i) => i.key)).toEqual(['steps', 'optimizer']);
    expect((error as StylizeOptionsError).issues[0]!.message).toBe('must be at least 1');
  });

  it('wants one blend weight per style, not all zero, and at least one style', async () => {
    const mismatch = (await failure(prepareInputs({ content: cat, styles: [starry], options: { styleBlend: [1, 1] } }))) as StylizeOptionsError;
    expect(mismatch.issues[0]).toMatchObject({ key: 'styleBlend' });
    const zero = (await failure(prepareInputs({ content: cat, styles: [starry, wave], options: { styleBlend: [0, 0] } }))) as StylizeOptionsError;
    expect(zero.issues[0]!.message).toMatch(/above 0/);
    const none = (await failure(prepareInputs({ content: cat, styles: [] }))) as StylizeOptionsError;
    expect(none.issues[0]).toMatchObject({ key: 'styles' });
  });

  it('applies the decode limits it is given', async () => {
    const error = await failure(prepareInputs({ content: cat, styles: [starry], limits: { maxPixels: 200_000 } }));
    expect((error as ImageInputError).code).toBe('TOO_MANY_PIXELS');
    expect((error as ImageInputError).subject).toBe('The style image');
  });
});

describe('stylizeImages with the real engine and weights', () => {
  it('runs end to end at 32 px and lowers the loss', async () => {
    const engine = await Engine.create({ weightsFile: SHARED_WEIGHTS });
    try {
      const result = await stylizeImages({ engine, content: cat, styles: [starry], options: { size: 32, steps: 6, seed: 3, preserveColors: true } });
      expect(await sharp(result.png).metadata()).toMatchObject({ width: 32, height: 21 });
      expect(result.summary.provider).toMatch(/cpu|cuda/);
      expect(result.history.at(-1)!.total).toBeLessThan(result.history[0]!.total);
      expect((await sharp(result.gif, { animated: true }).metadata()).pages).toBe(2);
    } finally {
      await engine.release();
    }
  });
});
