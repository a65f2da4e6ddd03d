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

/** The engine tests' usual pair: the Tübingen photo and The Starry Night, long sides as given. */
export async function loadContentAndStyle(contentSide: number, styleSide = contentSide): Promise<{ content: RgbImage; style: RgbImage }> {
  const [content, style] = await Promise.all([
    loadEngineImage('content/tubingen_neckarfront.jpg', contentSide),
    loadEngineImage('style/vangogh_starry_night.jpg', styleSide),
  ]);
  return { content, style };
}
