import type { RgbImage } from '../image.js';

/**
 * Total variation as the loss-and-gradient model defines it (model/losses.ts), over the whole picture:
 * mean squared difference of vertical neighbours plus that of horizontal ones. Tiles cannot hold it (a
 * neighbour pair may straddle two cores), and it is one cheap pass, so tiled runs add it here. Adds
 * weight x d(TV)/d(pixel) into `gradient` and returns the unweighted value.
 */
export function addTotalVariation(image: RgbImage, weight: number, gradient: Float32Array): number {
  const { width: w, height: h, data } = image;
  const plane = w * h;
  const countV = 3 * (h - 1) * w;
  const countH = 3 * h * (w - 1);
  const sv = (2 * weight) / countV;
  const sh = (2 * weight) / countH;
  let sumV = 0;
  let sumH = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const row = c * plane + y * w;
      for (let x = 0; x < w; x++) {
        const i = row + x;
        const v = data[i]!;
        if (y + 1 < h) {
          const d = data[i + w]! - v;
          sumV += d * d;
          gradient[i]! -= sv * d;
          gradient[i + w]! += sv * d;
        }
        if (x + 1 < w) {
          const d = data[i + 1]! - v;
          sumH += d * d;
          gradient[i]! -= sh * d;
          gradient[i + 1]! += sh * d;
        }
      }
    }
  }
  return sumV / countV + sumH / countH;
}
