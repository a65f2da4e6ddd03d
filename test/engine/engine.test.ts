import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage, Engine, isEngineError, type ProgressEvent, type RgbImage } from '../../src/engine/index.js';
import { loadContentAndStyle, loadEngineImage } from '../helpers/engine-images.js';
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

describe('Engine.stylize with the real VGG19 weights', () => {
  it("lowers the style term at least 100x in 60 Adam steps with the chapter's settings, reproducibly", async () => {
    const options = { layers: 'seed', steps: 60, lr: 0.1, styleWeight: 1e6, contentWeight: 1, init: 'noise' as const, seed: 7 };
    const first = await engine.stylize({ content, styles: [{ image: style }], options });
    const initial = first.history[0]!;
    expect(first.history).toHaveLength(61);
    const ratio = initial.style / first.losses.style;
    expect(ratio).toBeGreaterThanOrEqual(100);
    const { total, style: s, content: c, tv } = first.losses;
    expect(Math.abs(total - (s + c + tv)) / total).toBeLessThan(1e-6);
    expect(first.image.width).toBe(content.width);
    expect(first.options.seed).toBe(7);

    const second = await engine.stylize({ content, styles: [{ image: style }], options });
    expect(Buffer.from(second.image.data.buffer).equals(Buffer.from(first.image.data.buffer))).toBe(true);
  });

  it('reports progress every step with frames at step 0, every k steps and the end', async () => {
    const events: ProgressEvent[] = [];
    await engine.stylize({
      content,
      styles: [{ image: style }],
      options: { steps: 5, frameEvery: 2, seed: 1 },
      onProgress: (e) => events.push(e),
    });
    expect(events.map((e) => e.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(events.filter((e) => e.frame).map((e) => e.step)).toEqual([0, 2, 4, 5]);
    expect(events.at(-1)!.totalSteps).toBe(5);
  });

  it('runs L-BFGS, multi-scale and blended styles, ending at the content size', async () => {
    const second = await loadEngineImage('style/hokusai_great_wave.jpg', 48);
    const result = await engine.stylize({
      content,
      styles: [{ image: style, weight: 0.7 }, { image: second, weight: 0.3 }],
      options: { optimizer: 'lbfgs', steps: 8, scales: [32], tvWeight: 10, init: 'content', seed: 3 },
    });
    expect(result.history.map((h) => h.scale)).toEqual([...Array(8).fill(0), ...Array(9).fill(1)]);
    expect(result.scales).toEqual([{ width: 32, height: 24 }, { width: content.width, height: content.height }]);
    expect(result.image.width).toBe(content.width);
    expect(result.image.height).toBe(content.height);
    const atFinalScale = result.history.filter((h) => h.scale === 1);
    expect(atFinalScale.at(-1)!.total).toBeLessThan(atFinalScale[0]!.total);
    expect(result.image.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('stops between steps when the signal fires', async () => {
    const controller = new AbortController();
    const steps: number[] = [];
    const run = engine.stylize({
      content,
      styles: [{ image: style }],
      options: { steps: 50 },
      signal: controller.signal,
      onProgress: (e) => {
        steps.push(e.step);
        if (e.step === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(steps).toEqual([0, 1, 2]);
  });
});

describe('Engine errors', () => {
  it('names the missing layer and the file when the weights lack a layer the spec needs', async () => {
    const error = await engine.stylize({ content, styles: [{ image: style }], options: { layers: 'gatys', steps: 1 } }).catch((e) => e);
    expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
    expect(error.message).toContain('conv4_1');
    expect(error.message).toContain(path.basename(REAL_WEIGHTS));
  });

  it('refuses a corrupted weights file with WEIGHTS_INVALID', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stylebot-weights-'));
    const file = path.join(dir, 'broken.h5');
    await writeFile(file, Buffer.alloc(4096, 0x5a));
    const broken = await Engine.create({ weightsFile: file, provider: 'cpu' });
    try {
      const error = await broken.stylize({ content, styles: [{ image: style }], options: { steps: 1 } }).catch((e) => e);
      expect(isEngineError(error, 'WEIGHTS_INVALID')).toBe(true);
      expect(error.message).toContain(file);
    } finally {
      await broken.release();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses images smaller than 16 px on a side', async () => {
    const tiny = createImage(15, 40);
    const error = await engine.stylize({ content: tiny, styles: [{ image: style }] }).catch((e) => e);
    expect(isEngineError(error, 'IMAGE_TOO_SMALL')).toBe(true);
    expect(error.message).toContain('15x40');
  });

  it('reports every invalid option at once', async () => {
    const error = await engine
      .stylize({ content, styles: [{ image: style }], options: { steps: 0, layers: '{1:x}', lr: -1 } })
      .catch((e) => e);
    expect(isEngineError(error, 'OPTIONS_INVALID')).toBe(true);
    expect(error.message).toMatch(/steps/);
    expect(error.message).toMatch(/layers/);
    expect(error.message).toMatch(/lr/);
  });
});
