import { luminance } from '../images/index.js';
import type { RgbImage } from '../engine/index.js';

/**
 * The style picture with its luminance's mean and standard deviation set to the content's, colours kept:
 * Y' = (sd_c / sd_s) (Y - mean_s) + mean_c (Gatys et al. 2016, "Preserving color in neural artistic style
 * transfer", luminance-only transfer). With colour preservation the result keeps the content's chrominance
 * and the stylised luminance; a dark style on a bright photo would otherwise darken it. Adding the same
 * amount to R, G and B changes Y by that amount and leaves I and Q alone (their rows sum to 0), so the
 * shift is applied to all three; values are clamped to [0, 1].
 */
export function matchLuminance(style: RgbImage, content: RgbImage): RgbImage {
  const ys = luminance(style);
  const [meanS, sdS] = stats(ys);
  const [meanC, sdC] = stats(luminance(content));
  const gain = sdS > 1e-6 ? sdC / sdS : 1;
  const plane = style.width * style.height;
  const out = new Float32Array(style.data.length);
  for (let p = 0; p < plane; p++) {
    const shift = gain * (ys[p]! - meanS) + meanC - ys[p]!;
    for (let c = 0; c < 3; c++) {
      const v = style.data[c * plane + p]! + shift;
      out[c * plane + p] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return { width: style.width, height: style.height, data: out };
}

function stats(values: Float32Array): [number, number] {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return [mean, Math.sqrt(sq / values.length)];
}
