import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type RgbImage, type StylizeResult } from '../../src/engine/index.js';
import { loadContentAndStyle } from '../helpers/engine-images.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';

let engine: Engine;
let content: RgbImage;
let style: RgbImage;

beforeAll(async () => {
  engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
  ({ content, style } = await loadContentAndStyle(64));
});
afterAll(async () => {
  await engine.release();
});

const atScale = (r: StylizeResult, scale: number) => r.history.filter((h) => h.scale === scale);

describe('multi-scale runs', () => {
  it("put the content's detail back into the enlarged result, so the loss jumps less at the new scale", async () => {
    const run = (scaleDetail: boolean) =>
      engine.stylize({
        content,
        styles: [{ image: style }],
        options: { optimizer: 'lbfgs', steps: 8, scales: [32], styleWeight: 100, init: 'content', seed: 2, scaleDetail },
      });
    const [plain, detailed] = [await run(false), await run(true)];
    // Same coarse scale; the fine scale starts lower with the detail.
    expect(atScale(detailed, 0).at(-1)!.total).toBe(atScale(plain, 0).at(-1)!.total);
    expect(atScale(detailed, 1)[0]!.total).toBeLessThan(0.8 * atScale(plain, 1)[0]!.total);
  });
});
