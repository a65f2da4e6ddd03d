import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../../src/engine/index.js';

/** The read-only data beside the repository (../shared from the repository root). */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const SHARED_IMAGES = `${SHARED}images/`;
export const SHARED_WEIGHTS = `${SHARED}models/vgg19_imagenet_notop_block1-3.h5`;

export const readShared = (path: string): Buffer => readFileSync(SHARED_IMAGES + path);

/** Mean absolute difference per channel value, in [0, 1] units. */
export function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  if (a.data.length !== b.data.length) throw new RangeError(`sizes differ: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** The mean of one channel over a rectangle. */
export function regionMean(image: RgbImage, channel: number, x0: number, y0: number, x1: number, y1: number): number {
  const plane = image.width * image.height;
  let sum = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += image.data[channel * plane + y * image.width + x]!;
  return sum / ((x1 - x0) * (y1 - y0));
}
