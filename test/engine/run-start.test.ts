import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, isEngineError, START_NOISE, type ProgressEvent, type RgbImage } from '../../src/engine/index.js';
import { resizeImage } from '../../src/engine/resize.js';
import { loadContentAndStyle } from '../helpers/engine-images.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';

let engine: Engine;
let content: RgbImage;
let style: RgbImage;

beforeAll(async () => {
  engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
  ({ content, style } = await loadContentAndStyle(32, 40));
});
afterAll(async () => {
  await engine.release();
});

const meanAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

describe('the starting image', () => {
  it('changes with the seed when starting from the content, and repeats with the same seed', async () => {
    const run = (seed: number) =>
      engine.stylize({ content, styles: [{ image: style }], options: { init: 'content', optimizer: 'lbfgs', steps: 4, styleWeight: 100, seed } });
    const [a, b, again] = [await run(1), await run(2), await run(1)];
    expect(meanAbsDiff(a.image.data, b.image.data)).toBeGreaterThan(0.01);
    expect(meanAbsDiff(a.image.data, again.image.data)).toBe(0);
  });

  it("starts from the given picture with init 'image', resized to the working size", async () => {
    const frames: ProgressEvent[] = [];
    await engine.stylize({
      content,
      styles: [{ image: style }],
      initImage: style,
      options: { init: 'image', steps: 1, seed: 5 },
      onProgress: (e) => frames.push(e),
    });
    const start = frames[0]!.frame!;
    expect([start.width, start.height]).toEqual([content.width, content.height]);
    const resized = resizeImage(style, content.width, content.height);
    // The start is the picture with START_NOISE of uniform noise mixed in: within a / 2 of it on average.
    expect(meanAbsDiff(start.data, resized.data)).toBeLessThan(START_NOISE / 2);
    expect(meanAbsDiff(start.data, content.data)).toBeGreaterThan(0.1);
  });

  it("refuses init 'image' without a picture", async () => {
    const error = await engine.stylize({ content, styles: [{ image: style }], options: { init: 'image', steps: 1 } }).catch((e) => e);
    expect(isEngineError(error, 'OPTIONS_INVALID')).toBe(true);
    expect(error.message).toContain('initImage');
  });
});
