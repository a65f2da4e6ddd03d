import { describe, expect, it } from 'vitest';
import { Engine, estimateMemoryBytes, isEngineError, planRun } from '../../src/engine/index.js';
import { generateVggWeights } from '../../src/engine/weights/index.js';
import { vgg19Until, type ConvSpec } from '../../src/engine/vgg19.js';

describe('planRun', () => {
  it('runs the smaller requested sizes coarse to fine, then the working size, and reports the rest', () => {
    const plan = planRun({ steps: 10, scales: [512, 64, 128, 64, 8] }, { width: 256, height: 128 });
    expect(plan.scales).toEqual([
      { width: 64, height: 32 },
      { width: 128, height: 64 },
      { width: 256, height: 128 },
    ]);
    expect(plan.totalSteps).toBe(30);
    expect(plan.ignored).toEqual([
      { size: 8, reason: 'too-small' },
      { size: 512, reason: 'not-smaller' },
    ]);
  });

  it('drops a coarse scale whose short side would be under 16 px at a wide aspect, which a square guess keeps', () => {
    expect(planRun({ steps: 5, scales: [128], size: 512 }).totalSteps).toBe(10);
    const wide = planRun({ steps: 5, scales: [128] }, { width: 512, height: 32 });
    expect(wide.totalSteps).toBe(5);
    expect(wide.ignored).toEqual([{ size: 128, reason: 'too-small' }]);
  });
});

describe('planRun with octaves and coarse steps', () => {
  it('halves the working size octave by octave, stopping quietly at the minimum side; explicit scales win', () => {
    const plan = planRun({ steps: 20, coarseSteps: 30, scales: [], octaves: 3 }, { width: 256, height: 96 });
    expect(plan.scales).toEqual([
      { width: 64, height: 24 },
      { width: 128, height: 48 },
      { width: 256, height: 96 },
    ]);
    expect(plan.stepsPerScale).toEqual([30, 30, 20]);
    expect(plan.totalSteps).toBe(80);
    expect(plan.ignored).toEqual([]);
    expect(planRun({ steps: 20, scales: [100], octaves: 3 }, { width: 256, height: 96 }).scales.map((s) => s.width)).toEqual([100, 256]);
  });

  it('gives the coarse scale just before the working size its own step count, wherever the octaves stop', () => {
    const options = { steps: 18, coarseSteps: 30, lastCoarseSteps: 20, scales: [], octaves: 4 };
    // 512 x 384 takes four halvings; 256 x 192 only three (a fourth would be 16 x 12 px): the 20 stays next to the end.
    expect(planRun(options, { width: 512, height: 384 }).stepsPerScale).toEqual([30, 30, 30, 20, 18]);
    expect(planRun(options, { width: 256, height: 192 }).stepsPerScale).toEqual([30, 30, 20, 18]);
    expect(planRun({ ...options, scales: [128] }, { width: 256, height: 192 }).stepsPerScale).toEqual([20, 18]);
    expect(planRun(options, { width: 24, height: 20 }).stepsPerScale).toEqual([18]);
    expect(planRun({ ...options, lastCoarseSteps: undefined }, { width: 256, height: 192 }).stepsPerScale).toEqual([30, 30, 30, 18]);
  });

  it('numbers the steps of the engine run as the plan counts them', async () => {
    const weights = generateVggWeights(vgg19Until('conv1_1').filter((l): l is ConvSpec => l.kind === 'conv'));
    const engine = await Engine.create({ weights, provider: 'cpu' });
    try {
      const image = { width: 64, height: 40, data: new Float32Array(3 * 64 * 40).fill(0.5) };
      const options = { layers: 'style=conv1_1', optimizer: 'lbfgs' as const, steps: 2, coarseSteps: 3, octaves: 1 };
      const result = await engine.stylize({ content: image, styles: [{ image }], options });
      const plan = planRun(options, image);
      expect(result.history.map((h) => `${h.scale}:${h.step}`)).toEqual(['0:0', '0:1', '0:2', '1:3', '1:4', '1:5']);
      expect(result.history.at(-1)!.step).toBe(plan.totalSteps);
      expect(result.scales).toEqual(plan.scales);

      const larger = { width: 128, height: 80, data: new Float32Array(3 * 128 * 80).fill(0.5) };
      const tapered = { ...options, octaves: 2, lastCoarseSteps: 1 };
      const run = await engine.stylize({ content: larger, styles: [{ image: larger }], options: tapered });
      expect(run.history.map((h) => `${h.scale}:${h.step}`)).toEqual(['0:0', '0:1', '0:2', '1:3', '2:4', '2:5', '2:6']);
      expect(planRun(tapered, larger).stepsPerScale).toEqual([3, 1, 2]);
    } finally {
      await engine.release();
    }
  });
});

describe('optimiser memory', () => {
  const lbfgs = { layers: 'seed', optimizer: 'lbfgs' as const, steps: 500 };
  const size = { width: 1024, height: 1024 };

  it('counts the L-BFGS history (history x pixels x 4 bytes x 2) in the estimate, up to the steps taken', () => {
    const pair = 3 * 1024 * 1024 * 4 * 2;
    expect(estimateMemoryBytes({ ...lbfgs, lbfgsHistory: 500 }, size) - estimateMemoryBytes({ ...lbfgs, lbfgsHistory: 10 }, size)).toBe(490 * pair);
    const fewSteps = { ...lbfgs, steps: 20 };
    expect(estimateMemoryBytes({ ...fewSteps, lbfgsHistory: 500 }, size)).toBe(estimateMemoryBytes({ ...fewSteps, lbfgsHistory: 20 }, size));
  });

  it('refuses a history over the cap before compiling, saying what fits', async () => {
    const weights = generateVggWeights(vgg19Until('conv1_1').filter((l): l is ConvSpec => l.kind === 'conv'));
    const engine = await Engine.create({ weights, provider: 'cpu', maxOptimizerBytes: 200_000 });
    try {
      const image = { width: 32, height: 32, data: new Float32Array(3 * 32 * 32).fill(0.5) };
      const error = await engine
        .stylize({ content: image, styles: [{ image }], options: { layers: 'style=conv1_1', optimizer: 'lbfgs', lbfgsHistory: 20, steps: 20 } })
        .catch((e) => e);
      expect(isEngineError(error, 'MEMORY_LIMIT')).toBe(true);
      // 20 pairs x 3072 values x 8 bytes = 492 kB; 8 pairs (197 kB) fit.
      expect(error.message).toContain('history 20 at 32x32 px keeps 492 kB of history, over the 200 kB');
      expect(error.message).toContain('history 8 fits at this size');
      expect(engine.cachedModelCount).toBe(0);
    } finally {
      await engine.release();
    }
  });
});
