import sharp from 'sharp';
import { toInterleavedRgb, type RgbImage } from '../engine/index.js';
import type { Size } from './geometry.js';

const rawInput = (image: RgbImage) =>
  sharp(toInterleavedRgb(image), { raw: { width: image.width, height: image.height, channels: 3 } });

/** The picture as PNG, optionally resized (Lanczos) to `size` first, e.g. back to the upload's size. */
export async function encodePng(image: RgbImage, size?: Size): Promise<Buffer> {
  let pipeline = rawInput(image);
  if (size && (size.width !== image.width || size.height !== image.height)) {
    pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' });
  }
  return pipeline.png({ compressionLevel: 9, adaptiveFiltering: true }).toBuffer();
}

