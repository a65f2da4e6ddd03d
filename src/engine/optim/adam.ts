import { clampUnit, type PixelOptimizer } from './optimizer.js';

export interface AdamOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
}

/** Adam (Kingma & Ba) with bias correction, as torch.optim.Adam computes it, then clamped to [0, 1]. */
export class Adam implements PixelOptimizer {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;

  constructor(
    size: number,
    private readonly options: AdamOptions,
  ) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
  }

  step(pixels: Float32Array, gradient: Float32Array): void {
    const { m, v, beta1, beta2, eps } = this;
    this.t++;
    const stepSize = this.options.lr / (1 - beta1 ** this.t);
    const vCorrection = Math.sqrt(1 - beta2 ** this.t);
    for (let i = 0; i < pixels.length; i++) {
      const g = gradient[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const vi = beta2 * v[i]! + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      pixels[i]! -= (stepSize * mi) / (Math.sqrt(vi) / vCorrection + eps);
    }
    clampUnit(pixels);
  }
}
