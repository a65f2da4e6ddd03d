import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { loadContentAndStyle } from '../helpers/engine-images.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.release();
});

const images = () => loadContentAndStyle(24);

describe('compiled-model cache', () => {
  it('shares one session between layer specs that differ only in style-layer weights, and applies each weight', async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
    const { content, style } = await images();
    const run = (layers: string) => engine!.stylize({ content, styles: [{ image: style }], options: { layers, steps: 1, init: 'content', seed: 1 } });
    const half = await run('style=conv1_1:0.5 content=conv1_2');
    const more = await run('style=conv1_1:0.51 content=conv1_2');
    expect(engine.cachedModelCount).toBe(1);
    expect(more.history[0]!.style / half.history[0]!.style).toBeCloseTo(0.51 / 0.5, 5);
  });

  it('keeps at most modelCacheSize layer structures, least recently used evicted', async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu', modelCacheSize: 2 });
    const { content, style } = await images();
    for (const layers of ['style=conv1_1', 'style=conv1_2', 'style=conv2_1', 'style=conv1_1']) {
      const result = await engine.stylize({ content, styles: [{ image: style }], options: { layers, steps: 1, seed: 1 } });
      expect(result.losses.style).toBeGreaterThan(0);
    }
    expect(engine.cachedModelCount).toBe(2);
  });
});
