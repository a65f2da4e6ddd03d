/**
 * A float64 reference of the engine's network and losses in plain TypeScript, written from the chapter's
 * definitions independently of the ONNX graph. Slow, but exact enough that central differences with
 * eps = 1e-6 give the true gradient to about 1e-9 relative, so it can judge the float32 graph.
 */
import type { NetworkLayer, Pooling } from '../../src/engine/model/network.js';
import { IMAGENET_MEAN_BGR } from '../../src/engine/model/preprocess.js';

export interface Tensor64 {
  c: number;
  h: number;
  w: number;
  data: Float64Array;
}

export interface ReferenceLossSpec {
  style: Array<{ layer: string; weight: number; target: Float64Array }>;
  content: Array<{ layer: string; target: Float64Array }>;
  styleWeight: number;
  contentWeight: number;
  tvWeight: number;
}

function preprocess(image: Float64Array, h: number, w: number): Tensor64 {
  const plane = h * w;
  const out = new Float64Array(3 * plane);
  for (let o = 0; o < 3; o++) {
    for (let i = 0; i < plane; i++) out[o * plane + i] = 255 * image[(2 - o) * plane + i]! - IMAGENET_MEAN_BGR[o]!;
  }
  return { c: 3, h, w, data: out };
}

function conv3x3(x: Tensor64, kernel: Float32Array, bias: Float32Array, cout: number): Tensor64 {
  const { c: cin, h, w } = x;
  const out = new Float64Array(cout * h * w);
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let s = bias[o]!;
        for (let i = 0; i < cin; i++) {
          for (let ky = 0; ky < 3; ky++) {
            const yy = y + ky - 1;
            if (yy < 0 || yy >= h) continue;
            for (let kx = 0; kx < 3; kx++) {
              const x2 = xx + kx - 1;
              if (x2 < 0 || x2 >= w) continue;
              s += kernel[((o * cin + i) * 3 + ky) * 3 + kx]! * x.data[(i * h + yy) * w + x2]!;
            }
          }
        }
        out[(o * h + y) * w + xx] = s;
      }
    }
  }
  return { c: cout, h, w, data: out };
}

function relu(x: Tensor64): Tensor64 {
  return { ...x, data: x.data.map((v) => (v > 0 ? v : 0)) };
}

function pool(x: Tensor64, mode: Pooling): Tensor64 {
  const h = Math.floor(x.h / 2);
  const w = Math.floor(x.w / 2);
  const out = new Float64Array(x.c * h * w);
  for (let c = 0; c < x.c; c++) {
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const v = [0, 1, 2, 3].map((k) => x.data[(c * x.h + 2 * y + (k >> 1)) * x.w + 2 * xx + (k & 1)]!);
        out[(c * h + y) * w + xx] = mode === 'avg' ? (v[0]! + v[1]! + v[2]! + v[3]!) / 4 : Math.max(...v);
      }
    }
  }
  return { c: x.c, h, w, data: out };
}

/** Pre-activation outputs of every conv layer, by name. */
export function referenceFeatures(
  image: Float64Array,
  h: number,
  w: number,
  layers: readonly NetworkLayer[],
  pooling: Pooling,
): Map<string, Tensor64> {
  const features = new Map<string, Tensor64>();
  let x = preprocess(image, h, w);
  for (const layer of layers) {
    if (layer.kind === 'pool') {
      x = pool(x, pooling);
    } else {
      const z = conv3x3(x, layer.kernel, layer.bias, layer.outChannels);
      features.set(layer.name, z);
      x = relu(z);
    }
  }
  return features;
}

export function referenceGram(z: Tensor64): Float64Array {
  const n = z.h * z.w;
  const g = new Float64Array(z.c * z.c);
  for (let a = 0; a < z.c; a++) {
    for (let b = 0; b < z.c; b++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += z.data[a * n + k]! * z.data[b * n + k]!;
      g[a * z.c + b] = s / (z.c * n);
    }
  }
  return g;
}

function mse(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s / a.length;
}

function tv(image: Float64Array, h: number, w: number): number {
  let sh = 0;
  let sw = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = image[(c * h + y) * w + x]!;
        if (y + 1 < h) sh += (image[(c * h + y + 1) * w + x]! - v) ** 2;
        if (x + 1 < w) sw += (image[(c * h + y) * w + x + 1]! - v) ** 2;
      }
    }
  }
  return sh / (3 * (h - 1) * w) + sw / (3 * h * (w - 1));
}

export function referenceLoss(
  image: Float64Array,
  h: number,
  w: number,
  layers: readonly NetworkLayer[],
  pooling: Pooling,
  spec: ReferenceLossSpec,
): { total: number; style: number; content: number; tv: number } {
  const features = referenceFeatures(image, h, w, layers, pooling);
  let style = 0;
  for (const s of spec.style) style += s.weight * mse(referenceGram(features.get(s.layer)!), s.target);
  let content = 0;
  for (const c of spec.content) content += mse(features.get(c.layer)!.data, c.target);
  const terms = {
    style: spec.styleWeight * style,
    content: spec.contentWeight * content,
    tv: spec.tvWeight * tv(image, h, w),
  };
  return { total: terms.style + terms.content + terms.tv, ...terms };
}

/** Central differences of the total loss, one pixel at a time. */
export function referenceGradient(
  image: Float64Array,
  h: number,
  w: number,
  layers: readonly NetworkLayer[],
  pooling: Pooling,
  spec: ReferenceLossSpec,
  eps = 1e-6,
): Float64Array {
  const grad = new Float64Array(image.length);
  const x = Float64Array.from(image);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v + eps;
    const plus = referenceLoss(x, h, w, layers, pooling, spec).total;
    x[i] = v - eps;
    const minus = referenceLoss(x, h, w, layers, pooling, spec).total;
    x[i] = v;
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
}
