import sharp from 'sharp';
import { fromInterleavedRgb, type RgbImage } from '../../src/engine/index.js';
import { sharedImage } from './paths.js';

/** A shared image scaled so its long side is `longSide`, as the engine's planar float RGB. */
export async function loadEngineImage(relative: string, longSide: number): Promise<RgbImage> {
  const { data, info } = await sharp(sharedImage(relative))
    .resize(longSide, longSide, { fit: 'inside' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return fromInterleavedRgb(data, info.width, info.height);
}
