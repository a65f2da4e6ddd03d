import { attr, type GraphBuilder } from '../onnx/graph-builder.js';

/**
 * Each loss term as the chapter defines it, with its gradient written out by hand:
 * the value is unweighted, the gradient already carries the term's weight (a scalar tensor).
 */
export interface LossPiece {
  readonly value: string;
  /** d(weight * value) / d(feature map), same shape as the feature map */
  readonly gradient: string;
}

/** Content: mean squared error of feature maps. d/dz = 2 (z - p) / N. */
export function contentLoss(g: GraphBuilder, features: string, target: string, weight: string): LossPiece {
  const diff = g.op('Sub', [features, target]);
  const value = g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: attr.int(0) });
  const scale = g.op('Div', [g.op('Mul', [weight, g.scalar(2)]), g.elementCount(features)]);
  return { value, gradient: g.op('Mul', [diff, scale]) };
}

/**
 * The Gram matrix of a [1, C, H, W] map, divided by C x H x W as the chapter does.
 * Returns the Gram and the [C, H*W] reshaped features it was made from.
 */
export function gram(g: GraphBuilder, features: string, channels: number): { gram: string; flat: string; count: string } {
  const flat = g.op('Reshape', [features, g.constInt64([channels, -1])]);
  const count = g.elementCount(features);
  const raw = g.op('Gemm', [flat, flat], { transB: attr.int(1) });
  return { gram: g.op('Div', [raw, count]), flat, count };
}

/**
 * Style: mean squared error between Gram matrices. With G = F F^T / N and E = sum((G - T)^2) / C^2,
 * dE/dF = 4 (G - T) F / (C^2 N) because G - T is symmetric.
 */
export function styleLoss(
  g: GraphBuilder,
  features: string,
  channels: number,
  target: string,
  weight: string,
): LossPiece {
  const { gram: G, flat, count } = gram(g, features, channels);
  const diff = g.op('Sub', [G, target]);
  const value = g.op('ReduceMean', [g.op('Mul', [diff, diff])], { keepdims: attr.int(0) });
  const scale = g.op('Div', [g.op('Mul', [weight, g.scalar(4 / (channels * channels))]), count]);
  const gradFlat = g.op('MatMul', [g.op('Mul', [diff, scale]), flat]);
  return { value, gradient: g.op('Reshape', [gradFlat, g.op('Shape', [features])]) };
}

/**
 * Total variation on the image: mean squared difference of vertical neighbours plus that of horizontal
 * neighbours. With d_h = x[h+1] - x[h], dTV/dx[h] = 2 (d_h[h-1] - d_h[h]) / n_h, written as two pads.
 */
export function totalVariation(g: GraphBuilder, image: string, weight: string): LossPiece {
  const along = (axis: 2 | 3) => {
    const slice = (start: number, end: number) =>
      g.op('Slice', [image, g.constInt64([start]), g.constInt64([end]), g.constInt64([axis])]);
    const d = g.op('Sub', [slice(1, 2 ** 31 - 1), slice(0, -1)]);
    const value = g.op('ReduceMean', [g.op('Mul', [d, d])], { keepdims: attr.int(0) });
    const padBefore = new Array<number>(8).fill(0);
    const padAfter = new Array<number>(8).fill(0);
    padBefore[axis] = 1;
    padAfter[axis + 4] = 1;
    const shifted = g.op('Sub', [g.op('Pad', [d, g.constInt64(padBefore)]), g.op('Pad', [d, g.constInt64(padAfter)])]);
    const scale = g.op('Div', [g.op('Mul', [weight, g.scalar(2)]), g.elementCount(d)]);
    return { value, gradient: g.op('Mul', [shifted, scale]) };
  };
  const h = along(2);
  const w = along(3);
  return { value: g.op('Add', [h.value, w.value]), gradient: g.op('Add', [h.gradient, w.gradient]) };
}
