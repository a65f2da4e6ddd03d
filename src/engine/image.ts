/**
 * The engine's picture type: RGB, float32, channel-planar (all R, then all G, then all B), values in [0, 1].
 * Planar because that is ONNX's NCHW layout, so a picture goes into a tensor without a copy.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** length 3 * width * height, index c * width * height + y * width + x */
  readonly data: Float32Array;
}

/** The smallest side the network accepts: below this, three pooling stages leave almost nothing to match. */
export const MIN_IMAGE_SIDE = 16;

export function createImage(width: number, height: number, data?: Float32Array): RgbImage {
  return { width, height, data: data ?? new Float32Array(3 * width * height) };
}

/** From interleaved 8-bit RGB (sharp's raw output) to the engine's planar float layout. */
export function fromInterleavedRgb(pixels: Uint8Array, width: number, height: number): RgbImage {
  const plane = width * height;
  if (pixels.length !== 3 * plane) {
    throw new RangeError(`expected ${3 * plane} bytes for ${width}x${height} RGB, got ${pixels.length}`);
  }
  const data = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    data[i] = pixels[3 * i]! / 255;
    data[plane + i] = pixels[3 * i + 1]! / 255;
    data[2 * plane + i] = pixels[3 * i + 2]! / 255;
  }
  return { width, height, data };
}

/** Back to interleaved 8-bit RGB, rounding and clamping to [0, 255]. */
export function toInterleavedRgb(image: RgbImage): Uint8Array {
  const plane = image.width * image.height;
  const out = new Uint8Array(3 * plane);
  const d = image.data;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.round(d[c * plane + i]! * 255);
      out[3 * i + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}
