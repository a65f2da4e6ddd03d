import { afterEach, describe, expect, it } from 'vitest';
import { Engine, isEngineError } from '../../src/engine/index.js';
import { loadContentAndStyle } from '../helpers/engine-images.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.release();
});

const images = () => loadContentAndStyle(24);

describe('cancelling before the first step', () => {
  it('refuses an already aborted signal without loading weights or compiling', async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
    const { content, style } = await images();
    const error = await engine.stylize({ content, styles: [{ image: style }], signal: AbortSignal.abort() }).catch((e) => e);
    expect(isEngineError(error, 'CANCELLED')).toBe(true);
    expect(engine.cachedModelCount).toBe(0);
  });

  it('rejects while weights load and models compile, without waiting for them; the next run reuses them', async () => {
    engine = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
    const { content, style } = await images();
    const controller = new AbortController();
    const steps: number[] = [];
    const run = engine.stylize({ content, styles: [{ image: style }], options: { steps: 2 }, signal: controller.signal, onProgress: (e) => steps.push(e.step) });
    controller.abort();
    const error = await run.catch((e) => e);
    expect(isEngineError(error, 'CANCELLED')).toBe(true);
    // Answered before the compilation finished: it goes on in the background and is cached.
    expect(engine.compiledModelCount).toBe(0);
    expect(engine.cachedModelCount).toBe(1);
    expect(steps).toEqual([]);
    const next = await engine.stylize({ content, styles: [{ image: style }], options: { steps: 1 } });
    expect(next.history).toHaveLength(2);
    expect(engine.compiledModelCount).toBe(1);
  });
});
