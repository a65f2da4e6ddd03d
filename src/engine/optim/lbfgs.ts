import { historyProducts, type HistoryProducts } from './history-products.js';
import type { PixelOptimizer } from './optimizer.js';

export interface LbfgsOptions {
  /** how many (s, y) pairs shape the curvature estimate */
  readonly history: number;
  /** step length; 1 is the natural step of a quasi-Newton direction */
  readonly lr?: number;
  /**
   * a curvature estimate (the initial inverse-Hessian diagonal) to start from instead of a first step of
   * 1 / sum|g|: a multi-scale run passes the previous scale's, rescaled, so a new scale does not begin with a
   * tiny step (see Engine: `carryCurvature`)
   */
  readonly initialHDiag?: number;
  /**
   * the most any pixel may move in one step (pixels are in [0, 1]); longer steps are shortened along the
   * same direction. Without a line search, a step early in a run, when the curvature estimate rests on one
   * or two pairs, can overshoot far: the loss then rose 100x before recovering. Default: no limit.
   */
  readonly maxStep?: number;
  /**
   * the most pairs this optimiser will be given (a scale of k steps makes at most k - 1); the history's buffer
   * is allocated for min(history, maxPairs) pairs at once, so a short run does not pay for a long history
   */
  readonly maxPairs?: number;
}

/**
 * Limited-memory BFGS with one function evaluation per step and no line search, like torch.optim.LBFGS with
 * line_search_fn=None (and jcjohnson/neural-style's default): the first step is scaled to the gradient's
 * size, later steps trust the curvature estimate. After each step pixels are clamped to [0, 1]; the curvature
 * pair uses the step actually taken, so clamping does not poison the history. The pairs are stored in
 * float32: history 100 at 512 px is then 630 MB instead of 1.26 GB.
 *
 * The direction is the two-loop recursion's, computed in the compact form of Byrd, Nocedal and Schnabel
 * (1994): H g = γ g + S p − γ Y u, with u and p from k x k triangular solves over the pairs' dot products.
 * Over the pixels that is two matrix products, g^T [S Y] and [S Y] w, which ONNX Runtime runs vectorised
 * (history-products.ts), instead of 4k passes of scalar JavaScript. The
 * dot products the solves need come from the first product alone: s_i . y_new = s_i . g - s_i . g_prev,
 * and the same for y_i, with the previous step's products kept. At 512 px with history 20 an update fell
 * from 75-150 ms to 25-35, at 256 px from 18 to about 8 (docs/cli.md, "Time to quality").
 */
export class Lbfgs implements PixelOptimizer {
  /** [n, 2 * capacity], pixel-major: column 2j is s of slot j, 2j + 1 its y (zero until used) */
  private pairs?: Float32Array;
  private readonly capacity: number;
  private previousPixels?: Float32Array;
  private previousGradient?: Float32Array;
  private count = 0;
  /** the slot of the oldest pair (where the next one goes once the history is full) */
  private oldest = 0;
  /** s_i . y_j and y_i . y_j by slot (capacity x capacity), float64, filled as pairs arrive */
  private readonly sy: Float64Array;
  private readonly yy: Float64Array;
  /** by column: the last step's g . s_i and g . y_i */
  private previousDots?: Float32Array;
  private readonly weights: Float32Array;
  private hDiag: number;
  private started = false;

  constructor(
    private readonly options: LbfgsOptions,
    private readonly products: () => Promise<HistoryProducts> = historyProducts,
  ) {
    this.hDiag = options.initialHDiag ?? 1;
    this.capacity = Math.max(1, Math.min(options.history, options.maxPairs ?? options.history));
    const m = this.capacity;
    this.sy = new Float64Array(m * m);
    this.yy = new Float64Array(m * m);
    this.weights = new Float32Array(2 * m);
  }

  /** The current curvature estimate: ys / yy of the latest pair (1 before any). */
  get inverseCurvature(): number {
    return this.hDiag;
  }

  async step(pixels: Float32Array, gradient: Float32Array): Promise<void> {
    const n = pixels.length;
    const m = this.capacity;
    const columns = 2 * m;
    const previousPixels = (this.previousPixels ??= new Float32Array(n));
    const previousGradient = (this.previousGradient ??= new Float32Array(n));
    const added = this.started ? this.remember(pixels, gradient, previousPixels, previousGradient) : { slot: -1, ys: 0, yy: 0 };

    const k = this.count;
    const gamma = this.hDiag;
    // −S p + γ Y u, or nothing before the first pair; −γ g is added below, in the pass that finds the longest step.
    // (That pass replaced Float32Array.from with a map function, which took 95 ms at 512 x 384 px.)
    let direction: Float32Array;
    if (k === 0) {
      direction = new Float32Array(n);
    } else {
      const products = await this.products();
      const dots = await products.dots(gradient, this.pairs!, n, columns);
      const previous = this.previousDots;
      const j = added.slot;
      if (j >= 0) {
        for (let slot = 0; slot < m; slot++) {
          if (slot === j || !previous) continue;
          this.sy[slot * m + j] = dots[2 * slot]! - previous[2 * slot]!;
          const yiy = dots[2 * slot + 1]! - previous[2 * slot + 1]!;
          this.yy[slot * m + j] = yiy;
          this.yy[j * m + slot] = yiy;
        }
        this.sy[j * m + j] = added.ys;
        this.yy[j * m + j] = added.yy;
      }
      this.previousDots = dots;
      // Chronological order of the slots, oldest first.
      const order = Array.from({ length: k }, (_, i) => (this.oldest + i) % m);
      const r = (p: number, q: number) => this.sy[order[p]! * m + order[q]!]!;
      // R u = S^T g, R upper triangular with R_pq = s_p . y_q (p <= q).
      const u = new Float64Array(k);
      for (let p = k - 1; p >= 0; p--) {
        let v = dots[2 * order[p]!]!;
        for (let q = p + 1; q < k; q++) v -= r(p, q) * u[q]!;
        u[p] = v / r(p, p);
      }
      // R^T p = D u + γ Y^T Y u − γ Y^T g.
      const pp = new Float64Array(k);
      for (let q = 0; q < k; q++) {
        let v = r(q, q) * u[q]! - gamma * dots[2 * order[q]! + 1]!;
        for (let i = 0; i < k; i++) v += gamma * this.yy[order[q]! * m + order[i]!]! * u[i]!;
        for (let p = 0; p < q; p++) v -= r(p, q) * pp[p]!;
        pp[q] = v / r(q, q);
      }
      // −H g = −γ g − S p + γ Y u
      this.weights.fill(0);
      order.forEach((slot, i) => {
        this.weights[2 * slot] = -pp[i]!;
        this.weights[2 * slot + 1] = gamma * u[i]!;
      });
      direction = await products.combine(this.pairs!, this.weights, n, columns);
    }
    let longestStep = 0;
    for (let i = 0; i < n; i++) {
      const v = direction[i]! - gamma * gradient[i]!;
      direction[i] = v;
      const a = v < 0 ? -v : v;
      if (a > longestStep) longestStep = a;
    }

    const lr = this.options.lr ?? 1;
    const first = !this.started && this.options.initialHDiag === undefined;
    let t = first ? Math.min(1, 1 / sumAbs(gradient)) * lr : lr;
    if (this.options.maxStep !== undefined) {
      const longest = t * longestStep;
      if (longest > this.options.maxStep) t *= this.options.maxStep / longest;
    }
    previousPixels.set(pixels);
    previousGradient.set(gradient);
    this.started = true;
    // the step and the clamp to [0, 1] in one pass
    for (let i = 0; i < n; i++) {
      const v = pixels[i]! + t * direction[i]!;
      pixels[i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }

  /**
   * The pair of this step: s = x - x_prev, y = g - g_prev, written to the next slot (the oldest one's once
   * the history is full) in the same pass that sums its curvature ys. A pair without positive curvature
   * (it would make the implied Hessian indefinite) is not kept; if it overwrote the oldest pair, that pair is
   * dropped too, one pass cheaper than summing first (refusals are rare).
   */
  private remember(pixels: Float32Array, gradient: Float32Array, previousPixels: Float32Array, previousGradient: Float32Array): { slot: number; ys: number; yy: number } {
    const n = pixels.length;
    const m = this.capacity;
    const columns = 2 * m;
    const pairs = (this.pairs ??= new Float32Array(columns * n));
    const slot = (this.oldest + this.count) % m;
    let ys = 0;
    let yy = 0;
    for (let i = 0, at = 2 * slot; i < n; i++, at += columns) {
      const si = pixels[i]! - previousPixels[i]!;
      const yi = gradient[i]! - previousGradient[i]!;
      pairs[at] = si;
      pairs[at + 1] = yi;
      ys += yi * si;
      yy += yi * yi;
    }
    const full = this.count === m;
    if (!(ys > 1e-10)) {
      if (full) {
        this.count--;
        this.oldest = (this.oldest + 1) % m;
      }
      return { slot: -1, ys, yy };
    }
    if (full) this.oldest = (this.oldest + 1) % m;
    else this.count++;
    this.hDiag = ys / yy;
    return { slot, ys, yy };
  }
}

function sumAbs(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]!);
  return s || 1;
}
