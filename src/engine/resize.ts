import { createImage, type RgbImage } from './image.js';

/**
 * Separable triangle-filter resampling: bilinear when enlarging, and area-weighted (antialiased) when
 * shrinking, since the filter's support widens with the scale factor. Used between scales of a multi-scale
 * run and to shrink inputs for coarse scales; the pipeline does its high-quality resizing with sharp.
 */
export function resizeImage(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return createImage(width, height, Float32Array.from(image.data));
  const horizontal = weights(image.width, width);
  const vertical = weights(image.height, height);
  const out = createImage(width, height);
  const row = new Float32Array(width * image.height);
  for (let c = 0; c < 3; c++) {
    const src = image.data.subarray(c * image.width * image.height, (c + 1) * image.width * image.height);
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < width; x++) {
        const { start, taps } = horizontal[x]!;
        let s = 0;
        for (let k = 0; k < taps.length; k++) s += taps[k]! * src[y * image.width + start + k]!;
        row[y * width + x] = s;
      }
    }
    const dst = out.data.subarray(c * width * height, (c + 1) * width * height);
    for (let y = 0; y < height; y++) {
      const { start, taps } = vertical[y]!;
      for (let x = 0; x < width; x++) {
        let s = 0;
        for (let k = 0; k < taps.length; k++) s += taps[k]! * row[(start + k) * width + x]!;
        dst[y * width + x] = s;
      }
    }
  }
  return out;
}

/** The size with the long side set to `longSide`, keeping the aspect ratio (each side at least 1). */
export function fitLongSide(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = longSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function weights(inSize: number, outSize: number): Array<{ start: number; taps: Float32Array }> {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  return Array.from({ length: outSize }, (_, i) => {
    const center = (i + 0.5) * scale - 0.5;
    const start = Math.max(0, Math.ceil(center - support));
    const end = Math.min(inSize - 1, Math.floor(center + support));
    const taps: number[] = [];
    for (let j = start; j <= end; j++) taps.push(Math.max(0, 1 - Math.abs(j - center) / support));
    const sum = taps.reduce((a, b) => a + b, 0);
    // A window can miss every positive tap only at an edge; fall back to the nearest pixel.
    if (sum === 0) return { start: Math.min(inSize - 1, Math.max(0, Math.round(center))), taps: Float32Array.of(1) };
    return { start, taps: Float32Array.from(taps, (t) => t / sum) };
  });
}
