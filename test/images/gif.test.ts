import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createImage } from '../../src/engine/index.js';
import { encodeProgressGif, evenlySpaced, FrameRecorder, type GifFrame } from '../../src/images/index.js';

/** Deterministic pseudo-random bytes: a fast, incompressible stand-in for the engine's early noise. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
}

/**
 * A synthetic run of `count` frames: noise that fades into a smooth pattern, the worst realistic case for
 * GIF size (the engine starts from uniform noise).
 */
function syntheticFrames(size: number, count: number): GifFrame[] {
  const next = lcg(7);
  const frames: GifFrame[] = [];
  const sx = new Float32Array(size * 3);
  const cy = new Float32Array(size);
  for (let f = 0; f < count; f++) {
    const t = Math.min(1, f / (count * 0.3));
    // Separable pattern: a table per row and per column keeps 300 frames of 512 px quick to make.
    for (let x = 0; x < size; x++) for (let c = 0; c < 3; c++) sx[x * 3 + c] = 100 * Math.sin(x / 17 + c + f * 0.05);
    for (let y = 0; y < size; y++) cy[y] = Math.cos(y / 23 - f * 0.02);
    const pixels = new Uint8Array(size * size * 3);
    for (let y = 0, i = 0; y < size; y++) {
      for (let xc = 0; xc < size * 3; xc++, i++) {
        const smooth = 128 + sx[xc]! * cy[y]!;
        pixels[i] = t < 1 ? (1 - t) * next() + t * smooth : smooth;
      }
    }
    frames.push({ step: f * 20, pixels });
  }
  return frames;
}

describe('encodeProgressGif', () => {
  it('keeps 300 frames of 512 px under the 8 MB budget', async () => {
    const frames = syntheticFrames(512, 300);
    const result = await encodeProgressGif(frames, { width: 512, height: 512 }, { maxBytes: 8_000_000 });
    expect(result.gif.length).toBeLessThanOrEqual(8_000_000);
    // Uncompressed this is 236 MB: the budget forced a cut, and the cut still leaves an animation.
    expect(result.frames).toBeLessThan(300);
    expect(result.frames).toBeGreaterThanOrEqual(2);
    const meta = await sharp(result.gif, { animated: true }).metadata();
    expect(meta.format).toBe('gif');
    expect(meta.pages).toBe(result.frames);
    expect(meta.width).toBe(result.width);
    expect(meta.loop).toBe(0);
  }, 120_000);

  it('keeps every frame at full size when they fit, and holds the last one', async () => {
    const frames = syntheticFrames(48, 10);
    const result = await encodeProgressGif(frames, { width: 48, height: 48 }, { holdLastMs: 2000 });
    expect(result).toMatchObject({ frames: 10, width: 48, height: 48, colours: 256 });
    const meta = await sharp(result.gif, { animated: true }).metadata();
    expect(meta.pages).toBe(10);
    expect(meta.delay?.at(-1)).toBe(2000);
    expect(meta.delay?.[0]).toBeLessThan(2000);
  });

  it('shrinks frames and palette when a tight budget leaves too few frames', async () => {
    const frames = syntheticFrames(128, 40);
    const result = await encodeProgressGif(frames, { width: 128, height: 128 }, { maxBytes: 60_000 });
    expect(result.gif.length).toBeLessThanOrEqual(60_000);
    expect(result.width * result.colours).toBeLessThan(128 * 256);
  });

  it('refuses an empty sequence', async () => {
    await expect(encodeProgressGif([], { width: 8, height: 8 })).rejects.toThrow(RangeError);
  });
});

describe('evenlySpaced', () => {
  it('keeps the first and the last', () => {
    expect(evenlySpaced(10, 4)).toEqual([0, 3, 6, 9]);
    expect(evenlySpaced(3, 5)).toEqual([0, 1, 2]);
    expect(evenlySpaced(7, 1)).toEqual([6]);
  });
});

describe('FrameRecorder', () => {
  const grey = (w: number, h: number, v: number) => createImage(w, h, new Float32Array(3 * w * h).fill(v));

  it('resamples every frame to its size and puts the result last', () => {
    const recorder = new FrameRecorder({ size: { width: 32, height: 24 } });
    recorder.add(grey(16, 12, 0.2), 0);
    recorder.add(grey(32, 24, 0.4), 20);
    recorder.add(grey(32, 24, 0.5), 40);
    recorder.add(grey(32, 24, 1), 40, true);
    const frames = recorder.frames;
    expect(frames.map((f) => f.step)).toEqual([0, 20, 40]);
    expect(frames.every((f) => f.pixels.length === 32 * 24 * 3)).toBe(true);
    expect(frames[0]!.pixels[100]).toBe(51);
    expect(frames[2]!.pixels[0]).toBe(255);
  });

  it('holds at most maxFrames, thinning evenly and keeping the first', () => {
    const recorder = new FrameRecorder({ size: { width: 4, height: 4 }, maxFrames: 10 });
    for (let step = 0; step < 100; step++) recorder.add(grey(4, 4, step / 100), step);
    recorder.add(grey(4, 4, 1), 100, true);
    const steps = recorder.frames.map((f) => f.step);
    expect(steps.length).toBeLessThanOrEqual(10);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(100);
    const gaps = new Set(steps.slice(1, -1).map((s, i) => s - steps[i]!));
    expect(gaps.size).toBe(1);
  });

  it('applies its transform to each frame', () => {
    const recorder = new FrameRecorder({ size: { width: 2, height: 2 }, transform: (f) => grey(f.width, f.height, 0) });
    recorder.add(grey(2, 2, 1), 0);
    expect([...recorder.frames[0]!.pixels]).toEqual(new Array(12).fill(0));
  });
});
