/**
 * An optimiser over the image's pixels: given the current pixels and the gradient of the loss at them, it
 * updates the pixels in place. Pixels stay in [0, 1] after every step (projected: clamped after the update).
 */
export interface PixelOptimizer {
  /** may finish asynchronously (L-BFGS runs its products in ONNX Runtime): await it before reading the pixels */
  step(pixels: Float32Array, gradient: Float32Array, loss: number): void | Promise<void>;
}

export function clampUnit(pixels: Float32Array): void {
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i]!;
    if (v < 0) pixels[i] = 0;
    else if (v > 1) pixels[i] = 1;
  }
}
