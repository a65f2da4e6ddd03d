import type { Size } from './geometry.js';

/**
 * Resamples interleaved 8-bit RGB with a separable triangle (linear) filter whose support widens with the
 * reduction factor, so that downscaling averages (no aliasing on noisy early frames) and upscaling
 * interpolates. Synchronous and allocation-light on purpose: it runs inside the engine's progress
 * callback, where an await would let frames pile up.
 */
export function resampleRgb8(pixels: Uint8Array, from: Size, to: Size): Uint8Array {
  if (from.width === to.width && from.height === to.height) return pixels;
  const horizontal = filterWeights(from.width, to.width);
  const vertical = filterWeights(from.height, to.height);
  // Horizontal pass into floats (to.width x from.height), then the vertical pass into bytes.
  const mid = new Float32Array(to.width * from.height * 3);
  for (let y = 0; y < from.height; y++) {
    const rowIn = y * from.width * 3;
    const rowOut = y * to.width * 3;
    for (let x = 0; x < to.width; x++) {
      const { start, weights } = horizontal[x]!;
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < weights.length; k++) {
        const w = weights[k]!;
        const i = rowIn + (start + k) * 3;
        r += w * pixels[i]!;
        g += w * pixels[i + 1]!;
        b += w * pixels[i + 2]!;
      }
      mid[rowOut + x * 3] = r;
      mid[rowOut + x * 3 + 1] = g;
      mid[rowOut + x * 3 + 2] = b;
    }
  }
  const out = new Uint8Array(to.width * to.height * 3);
  const stride = to.width * 3;
  for (let y = 0; y < to.height; y++) {
    const { start, weights } = vertical[y]!;
    for (let i = 0; i < stride; i++) {
      let v = 0;
      for (let k = 0; k < weights.length; k++) v += weights[k]! * mid[(start + k) * stride + i]!;
      out[y * stride + i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

interface Taps {
  readonly start: number;
  readonly weights: Float32Array;
}

function filterWeights(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  const taps: Taps[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale - 0.5;
    const start = Math.max(0, Math.ceil(center - support));
    const end = Math.min(inSize - 1, Math.floor(center + support));
    const raw: number[] = [];
    let sum = 0;
    for (let i = start; i <= end; i++) {
      const w = Math.max(0, 1 - Math.abs(i - center) / support);
      raw.push(w);
      sum += w;
    }
    if (sum === 0) {
      // Only possible at an edge when the centre falls between the last input and the border.
      const nearest = Math.min(inSize - 1, Math.max(0, Math.round(center)));
      taps.push({ start: nearest, weights: Float32Array.of(1) });
    } else {
      taps.push({ start, weights: Float32Array.from(raw, (w) => w / sum) });
    }
  }
  return taps;
}
