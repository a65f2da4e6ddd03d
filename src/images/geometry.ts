import { ImageInputError } from './errors.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** How far a thin picture may stretch the long side past the requested size to keep its short side. */
const MAX_LONG_SIDE_STRETCH = 4;

/**
 * The working size for a picture: long side = `longSide`, aspect ratio kept, both ways (small pictures
 * are enlarged so that every job runs at the size the user asked for). A very thin picture would end up
 * with a short side under `minSide`, which the network cannot use; it gets its short side raised to
 * `minSide` instead, and the long side grows with it, up to MAX_LONG_SIDE_STRETCH x `longSide` (64:1 at
 * the minimum sizes) — beyond that it is refused rather than run at a cost nobody asked for.
 */
export function fitLongSide(source: Size, longSide: number, minSide: number, subject?: string): Size {
  const long = Math.max(source.width, source.height);
  const short = Math.min(source.width, source.height);
  let scale = longSide / long;
  if (short * scale < minSide) scale = minSide / short;
  const targetLong = Math.round(long * scale);
  if (targetLong > Math.max(longSide, minSide) * MAX_LONG_SIDE_STRETCH) {
    throw new ImageInputError('EXTREME_ASPECT', { width: source.width, height: source.height }, subject);
  }
  const targetShort = Math.max(minSide, Math.round(short * scale));
  return source.width >= source.height
    ? { width: targetLong, height: targetShort }
    : { width: targetShort, height: targetLong };
}
