import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from '../../src/engine/index.js';
import { luminance } from '../../src/images/index.js';
import { prepareInputs } from '../../src/pipeline/index.js';
import { matchLuminance } from '../../src/pipeline/luminance.js';
import { readShared } from '../images/shared-files.js';

function stats(image: RgbImage): { mean: number; sd: number } {
  const y = luminance(image);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  return { mean, sd: Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length) };
}

describe('luminance matching for colour preservation', () => {
  it("gives the style the content's luminance mean and spread, keeping its colour differences", () => {
    const plane = 50;
    const style = createImage(10, 5, Float32Array.from({ length: 3 * plane }, (_, i) => 0.1 + 0.3 * ((i * 37) % 11) / 11));
    const content = createImage(5, 4, Float32Array.from({ length: 60 }, (_, i) => 0.4 + 0.2 * ((i * 13) % 7) / 7));
    const matched = matchLuminance(style, content);
    expect(stats(matched).mean).toBeCloseTo(stats(content).mean, 4);
    expect(stats(matched).sd).toBeCloseTo(stats(content).sd, 4);
    // Chrominance: R - G of each pixel is unchanged (the shift is the same on every channel).
    for (let p = 0; p < plane; p++) {
      expect(matched.data[p]! - matched.data[plane + p]!).toBeCloseTo(style.data[p]! - style.data[plane + p]!, 5);
    }
  });

  it('is applied to the styles the engine gets only with preserveColors', async () => {
    const content = readShared('content/chelsea_cat.jpg');
    const styles = [readShared('style/vangogh_starry_night.jpg')];
    const plain = await prepareInputs({ content, styles, options: { size: 48 } });
    const kept = await prepareInputs({ content, styles, options: { size: 48, preserveColors: true } });
    expect(Math.abs(stats(plain.styles[0]!.image).mean - stats(plain.content).mean)).toBeGreaterThan(0.05);
    expect(stats(kept.styles[0]!.image).mean).toBeCloseTo(stats(kept.content).mean, 2);
  });
});
