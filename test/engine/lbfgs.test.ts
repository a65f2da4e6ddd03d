import { describe, expect, it } from 'vitest';
import { historyProducts, smallHistoryProducts } from '../../src/engine/optim/history-products.js';
import { Lbfgs } from '../../src/engine/optim/lbfgs.js';
import { seededRandom } from '../../src/engine/random.js';

/** The textbook two-loop recursion (Nocedal & Wright, algorithm 7.4), unfused and in float64. */
function textbookStep(state: { s: number[][]; y: number[][]; x?: number[]; g?: number[]; h: number; first: boolean }, x: Float32Array, g: Float32Array, history: number): void {
  const n = x.length;
  if (state.x && state.g) {
    const s = Array.from(x, (v, i) => v - state.x![i]!);
    const y = Array.from(g, (v, i) => v - state.g![i]!);
    const ys = s.reduce((a, v, i) => a + v * y[i]!, 0);
    if (ys > 1e-10) {
      if (state.s.length === history) {
        state.s.shift();
        state.y.shift();
      }
      state.s.push(s);
      state.y.push(y);
      state.h = ys / y.reduce((a, v) => a + v * v, 0);
    }
  }
  const dot = (a: number[], b: number[]) => a.reduce((acc, v, i) => acc + v * b[i]!, 0);
  const q = Array.from(g, (v) => -v);
  const alpha: number[] = [];
  for (let k = state.s.length - 1; k >= 0; k--) {
    alpha[k] = dot(state.s[k]!, q) / dot(state.y[k]!, state.s[k]!);
    for (let i = 0; i < n; i++) q[i]! -= alpha[k]! * state.y[k]![i]!;
  }
  for (let i = 0; i < n; i++) q[i]! *= state.h;
  for (let k = 0; k < state.s.length; k++) {
    const beta = dot(state.y[k]!, q) / dot(state.y[k]!, state.s[k]!);
    for (let i = 0; i < n; i++) q[i]! += (alpha[k]! - beta) * state.s[k]![i]!;
  }
  const t = state.first ? Math.min(1, 1 / g.reduce((a, v) => a + Math.abs(v), 0)) : 1;
  state.first = false;
  state.x = Array.from(x);
  state.g = Array.from(g);
  for (let i = 0; i < n; i++) x[i] = Math.min(1, Math.max(0, x[i]! + t * q[i]!));
}

describe('L-BFGS', () => {
  it('takes the textbook two-loop step (computed in compact form, through ONNX Runtime) and converges on a quadratic', async () => {
    const random = seededRandom(9);
    const n = 64;
    const a = Float64Array.from({ length: n }, () => 0.5 + 4 * random());
    const c = Float64Array.from({ length: n }, () => 0.1 + 0.8 * random());
    const gradient = (x: Float32Array) => Float32Array.from(x, (v, i) => a[i]! * (v - c[i]!));
    const ours = Float32Array.from({ length: n }, () => random());
    const theirs = Float32Array.from(ours);
    const optimizer = new Lbfgs({ history: 3 });
    const state = { s: [], y: [], h: 1, first: true };
    for (let step = 0; step < 12; step++) {
      await optimizer.step(ours, gradient(ours));
      textbookStep(state, theirs, gradient(theirs), 3);
      for (let i = 0; i < n; i++) expect(ours[i]).toBeCloseTo(theirs[i]!, 5);
    }
    const error = Math.max(...Array.from(ours, (v, i) => Math.abs(v - c[i]!)));
    expect(error).toBeLessThan(1e-3);
  });

  it('shortens a step so that no pixel moves more than maxStep', async () => {
    const x = new Float32Array(8).fill(0.5);
    const g = Float32Array.from({ length: 8 }, (_, i) => (i % 2 ? 1 : -1) * (i + 1));
    const optimizer = new Lbfgs({ history: 5, maxStep: 0.01, initialHDiag: 10 });
    await optimizer.step(x, g);
    const moved = Math.max(...Array.from(x, (v) => Math.abs(v - 0.5)));
    expect(moved).toBeCloseTo(0.01, 6);
  });

  it('computes the history products in ONNX Runtime as in plain JavaScript (pixel-major history)', async () => {
    const random = seededRandom(3);
    const n = 30_000;
    const columns = 40; // above the size where the products leave JavaScript
    const history = Float32Array.from({ length: n * columns }, () => random() - 0.5);
    const vector = Float32Array.from({ length: n }, () => random() - 0.5);
    const weights = Float32Array.from({ length: columns }, () => random() - 0.5);
    const ort = await historyProducts();
    const [dots, expectedDots] = [await ort.dots(vector, history, n, columns), await smallHistoryProducts.dots(vector, history, n, columns)];
    const [sum, expectedSum] = [await ort.combine(history, weights, n, columns), await smallHistoryProducts.combine(history, weights, n, columns)];
    expect(dots.length).toBe(columns);
    for (let c = 0; c < columns; c++) expect(dots[c]).toBeCloseTo(expectedDots[c]!, 2);
    expect(sum.length).toBe(n);
    for (let i = 0; i < n; i += 997) expect(sum[i]).toBeCloseTo(expectedSum[i]!, 4);
  });

  it('keeps no pair without positive curvature', async () => {
    const x = Float32Array.from({ length: 16 }, (_, i) => 0.3 + 0.02 * i);
    const optimizer = new Lbfgs({ history: 2, initialHDiag: 0.5 });
    const before = Float32Array.from(x);
    const g1 = Float32Array.from(x, (v) => v - 0.5);
    await optimizer.step(x, g1);
    // the gradient fell where the step went: y = -s, so y . s < 0
    const g2 = Float32Array.from(x, (v, i) => g1[i]! - (v - before[i]!));
    await optimizer.step(x, g2);
    expect(optimizer.inverseCurvature).toBe(0.5);
    expect(x.every((v) => v >= 0 && v <= 1 && Number.isFinite(v))).toBe(true);
  });
});
