import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { loadContentAndStyle } from '../helpers/engine-images.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';

/**
 * A whole run, tiled and not, with the real weights and pictures: the same seed must give the same
 * picture and losses. Tiles of 64 px on a 112 px picture give 4 windows; the larger style picture is tiled
 * for its targets too.
 */
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
});
afterAll(async () => {
  await engine.release();
});

describe('a tiled run', () => {
  it('paints the same picture as a whole-image run, every step', async () => {
    const { content, style } = await loadContentAndStyle(112, 136);
    const options = { layers: 'seed', optimizer: 'adam' as const, lr: 0.02, steps: 4, styleWeight: 100, tvWeight: 10, init: 'content' as const, seed: 3 };
    const whole = await engine.stylize({ content, styles: [{ image: style }], options: { ...options, tileSize: 0 } });
    const tiled = await engine.stylize({ content, styles: [{ image: style }], options: { ...options, tileSize: 64 } });
    expect(tiled.history.length).toBe(whole.history.length);
    whole.history.forEach((record, i) => {
      expect(Math.abs(tiled.history[i]!.total - record.total)).toBeLessThan(1e-4 * record.total);
      expect(Math.abs(tiled.history[i]!.style - record.style)).toBeLessThan(1e-4 * record.total);
    });
    let maxDiff = 0;
    for (let i = 0; i < whole.image.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.image.data[i]! - tiled.image.data[i]!));
    expect(maxDiff).toBeLessThan(1e-3);
    // The run did change the picture, so equal pictures mean equal gradients.
    expect(whole.history.at(-1)!.total).toBeLessThan(0.5 * whole.history[0]!.total);
  });
});
