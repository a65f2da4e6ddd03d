/**
 * The VGG weights were trained on Caffe's input convention: BGR, 0-255, minus the ImageNet mean per channel.
 * The engine works in RGB [0, 1], so the graph starts with this affine map, written as a 1x1 convolution
 * (and its transpose in the backward pass).
 */
export const IMAGENET_MEAN_BGR = [103.939, 116.779, 123.68] as const;

/**
 * [3 out (BGR), 3 in (RGB), 1, 1]: out channel o reads input channel 2 - o, times 255. Swapping R and B is
 * its own transpose, so the backward pass uses this same kernel.
 */
export function preprocessKernel(): Float32Array {
  const k = new Float32Array(9);
  for (let o = 0; o < 3; o++) k[o * 3 + (2 - o)] = 255;
  return k;
}

export function preprocessBias(): Float32Array {
  return Float32Array.from(IMAGENET_MEAN_BGR, (m) => -m);
}
