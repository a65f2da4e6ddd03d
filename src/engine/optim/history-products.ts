import { GraphBuilder, type Dim } from '../onnx/graph-builder.js';
import { OrtModel } from '../runtime/ort-session.js';

/**
 * The two products over the whole L-BFGS history that a compact-form step needs, run by ONNX Runtime's
 * vectorised kernels instead of JavaScript loops. The history is stored pixel-major,
 * `[n, columns]` (one column per stored vector), because both products then have shapes that ONNX Runtime
 * runs without repacking the history: `g^T H` (every stored vector's dot product with g) and `H w` (the
 * weighted sum of the stored vectors). Measured at 512 px with 40 columns: 7 and 6 ms, against 31 ms for the
 * dot products alone in JavaScript, and 10-13 ms for the weighted sum with the history stored row-major.
 */
export interface HistoryProducts {
  /** g^T H: [columns] */
  dots(vector: Float32Array, history: Float32Array, n: number, columns: number): Promise<Float32Array>;
  /** H w: [n] */
  combine(history: Float32Array, weights: Float32Array, n: number, columns: number): Promise<Float32Array>;
}

let shared: Promise<HistoryProducts> | undefined;

/**
 * Below this many history values (n x columns) the products stay in JavaScript. ONNX Runtime was quicker
 * from the smallest scale the product runs up: 0.11 ms against 0.3-0.5 ms for both products at 32 x 24 px,
 * 0.12 against 1.2 at 64 x 48 (history 20); only histories of test size are left here.
 */
const SMALL = 1 << 14;

export const smallHistoryProducts: HistoryProducts = {
  async dots(vector, history, n, columns) {
    const out = new Float64Array(columns);
    for (let i = 0, at = 0; i < n; i++, at += columns) {
      const v = vector[i]!;
      for (let c = 0; c < columns; c++) out[c]! += v * history[at + c]!;
    }
    return Float32Array.from(out);
  },
  async combine(history, weights, n, columns) {
    const out = new Float32Array(n);
    for (let i = 0, at = 0; i < n; i++, at += columns) {
      let s = 0;
      for (let c = 0; c < columns; c++) s += history[at + c]! * weights[c]!;
      out[i] = s;
    }
    return out;
  },
};

/**
 * One pair of sessions per process, made on first use: they hold no weights, and a memory arena would keep
 * the largest output ever made (n floats) for the process's life, so it is off.
 */
export function historyProducts(): Promise<HistoryProducts> {
  shared ??= create();
  shared.catch(() => (shared = undefined));
  return shared;
}

async function create(): Promise<HistoryProducts> {
  // One thread: a second intra-op pool beside the loss model's made the two spin against each other on 2
  // cores (a 256 px run took 19 s instead of 13); these products are bound by memory, not arithmetic.
  const config = { provider: 'cpu' as const, threads: 1, memoryArena: false };
  const matMul = (name: string, a: Dim[], b: Dim[]) => {
    const g = new GraphBuilder(name);
    g.output(g.op('MatMul', [g.input('a', a), g.input('b', b)]), 'y');
    return OrtModel.create(g.encode(), config);
  };
  const [dots, combine] = await Promise.all([matMul('lbfgs_dots', [1, 'n'], ['n', 'columns']), matMul('lbfgs_combine', ['n', 'columns'], ['columns', 1])]);
  return {
    async dots(vector, history, n, columns) {
      if (n * columns <= SMALL) return smallHistoryProducts.dots(vector, history, n, columns);
      const out = await dots.run({ a: { data: vector, dims: [1, n] }, b: { data: history, dims: [n, columns] } });
      return out.y!.data;
    },
    async combine(history, weights, n, columns) {
      if (n * columns <= SMALL) return smallHistoryProducts.combine(history, weights, n, columns);
      const out = await combine.run({ a: { data: history, dims: [n, columns] }, b: { data: weights, dims: [columns, 1] } });
      return out.y!.data;
    },
  };
}
