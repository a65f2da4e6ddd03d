import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from '../../src/engine/index.js';
import { decodeImage, luminance, preserveColors } from '../../src/images/index.js';
import { meanAbsDiff, readShared } from './shared-files.js';

/** A deterministic picture with varied colours, values kept inside (0.1, 0.9) so no clamping happens. */
function pattern(width: number, height: number, phase: number): RgbImage {
  const image = createImage(width, height);
  const plane = width * height;
  for (let i = 0; i < plane; i++) {
    const x = i % width, y = Math.floor(i / width);
    image.data[i] = 0.5 + 0.4 * Math.sin(x * 0.3 + phase);
    image.data[plane + i] = 0.5 + 0.4 * Math.cos(y * 0.2 + 2 * phase);
    image.data[2 * plane + i] = 0.5 + 0.4 * Math.sin((x + y) * 0.1 - phase);
  }
  return image;
}

const chroma = (image: RgbImage) => {
  const plane = image.width * image.height;
  const d = image.data;
  const iq = new Float32Array(2 * plane);
  for (let p = 0; p < plane; p++) {
    const r = d[p]!, g = d[plane + p]!, b = d[2 * plane + p]!;
    iq[p] = 0.595716 * r - 0.274453 * g - 0.321263 * b;
    iq[plane + p] = 0.211456 * r - 0.522591 * g + 0.311135 * b;
  }
  return iq;
};

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('preserveColors (luminance transfer in YIQ)', () => {
  it('returns the content itself when the stylised picture is the content', () => {
    const content = pattern(23, 17, 0.3);
    expect(meanAbsDiff(preserveColors(content, content), content)).toBeLessThan(1e-6);
  });

  it("takes luminance from the stylised picture and chrominance from the content", () => {
    // Mild differences keep every pixel inside the RGB cube, so no clamping blurs the check.
    const content = pattern(31, 19, 0.2);
    const stylised = pattern(31, 19, 0.2);
    const plane = 31 * 19;
    for (let p = 0; p < plane; p++) {
      const shift = 0.05 * Math.sin(p * 0.7);
      for (let c = 0; c < 3; c++) stylised.data[c * plane + p] = Math.min(0.95, Math.max(0.05, stylised.data[c * plane + p]! + shift * (c + 1) * 0.5));
    }
    const out = preserveColors(stylised, content);
    expect(maxDiff(luminance(out), luminance(stylised))).toBeLessThan(1e-5);
    expect(maxDiff(chroma(out), chroma(content))).toBeLessThan(1e-5);
    // …and it did change something: the stylised picture's own colours are gone.
    expect(maxDiff(chroma(out), chroma(stylised))).toBeGreaterThan(0.01);
  });

  it('clamps to [0, 1] when bright luminance meets saturated colour', () => {
    const content = createImage(2, 1, Float32Array.of(1, 0, 0, 0, 0, 1));
    const white = createImage(2, 1, new Float32Array(6).fill(1));
    const out = preserveColors(white, content);
    expect(out.data.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('turns a stylised cat grey-blue back into cat colours on real pictures', async () => {
    const cat = (await decodeImage(readShared('content/chelsea_cat.jpg'), { longSide: 64 })).image;
    const gray = (await decodeImage(readShared('tricky/grayscale_kodim13.jpg'), { longSide: 64 })).image;
    // Any picture of the right size stands in for a stylised result: crop the wider one.
    const stand = createImage(cat.width, cat.height);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < cat.height; y++)
        for (let x = 0; x < cat.width; x++)
          stand.data[c * cat.width * cat.height + y * cat.width + x] = gray.data[c * gray.width * gray.height + y * gray.width + x]!;
    const out = preserveColors(stand, cat);
    expect(maxDiff(chroma(stand), new Float32Array(2 * cat.width * cat.height))).toBeLessThan(1e-5);
    expect(Math.max(...chroma(out).map(Math.abs))).toBeGreaterThan(0.05);
  });

  it('refuses pictures of different sizes', () => {
    expect(() => preserveColors(createImage(2, 2), createImage(2, 3))).toThrow(/equal sizes/);
  });
});
