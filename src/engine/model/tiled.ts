import { GraphBuilder, attr } from '../onnx/graph-builder.js';
import { DataType } from '../onnx/proto.js';
import { buildBackward } from './backward.js';
import { buildForward, type ForwardPass } from './forward.js';
import { IO, usedNetwork, type ModelSpec } from './models.js';
import { convLevels, type ConvLayer } from './network.js';

/**
 * Graph inputs and outputs of the tile models. A tile model runs on one window of the image and works only
 * on the features its tile owns (`owned`, in window pixels: y0, x0, y1, x1, on the pooling grid), so that
 * summing over the tiles gives the whole image's sums exactly.
 */
export const TILE_IO = {
  image: IO.image,
  owned: 'owned',
  /** sum over owned positions of F F^T (not divided by C x H x W: the whole image's count is not known here) */
  gramSum: (layer: string) => `gram_sum:${layer}`,
  /** the owned part of a content layer's map, to assemble the content target */
  contentOwned: (layer: string) => `content_owned:${layer}`,
  /** d(total)/dF = M F for a style layer: the C x C matrix M, from the whole image's Gram (see tiles/evaluator.ts) */
  gramGradient: (layer: string) => `gram_gradient:${layer}`,
  /** the content target's owned part, [1, C, h, w] */
  contentTarget: (layer: string) => `content_target:${layer}`,
  /** d(total)/d(F - P) / (F - P) for a content layer: 2 x content weight / (C x H x W) */
  contentScale: (layer: string) => `content_scale:${layer}`,
  /** sum over owned positions of (F - P)^2 */
  contentSquares: (layer: string) => `content_squares:${layer}`,
  gradient: IO.gradient,
} as const;

/** The owned region at each pooling level, and the ops that cut it out of a map and pad a map back. */
class Ownership {
  private readonly levels = new Map<number, { starts: string; ends: string }>();
  private readonly owned: string;

  constructor(private readonly g: GraphBuilder) {
    g.input(TILE_IO.owned, [4]);
    this.owned = g.op('Cast', [TILE_IO.owned], { to: attr.int(DataType.INT64) });
  }

  private at(level: number): { starts: string; ends: string } {
    let found = this.levels.get(level);
    if (!found) {
      const { g } = this;
      // Integer division floors here (non-negative values): a core's end that is the window's end gives
      // the floored map size, as floor-mode pooling does; every other bound is on the grid, so exact.
      const scaled = level === 0 ? this.owned : g.op('Div', [this.owned, g.constInt64([2 ** level])]);
      const part = (start: number, end: number) => g.op('Slice', [scaled, g.constInt64([start]), g.constInt64([end]), g.constInt64([0])]);
      found = { starts: part(0, 2), ends: part(2, 4) };
      this.levels.set(level, found);
    }
    return found;
  }

  crop(map: string, level: number): string {
    const { starts, ends } = this.at(level);
    return this.g.op('Slice', [map, starts, ends, this.g.constInt64([2, 3])]);
  }

  /** `owned` (the cropped shape) zero-padded back to `like`'s shape. */
  padBack(owned: string, like: string, level: number): string {
    const { g } = this;
    const { starts, ends } = this.at(level);
    const size = g.op('Slice', [g.op('Shape', [like]), g.constInt64([2]), g.constInt64([4]), g.constInt64([0])]);
    const pads = g.op('Concat', [g.constInt64([0, 0]), starts, g.constInt64([0, 0]), g.op('Sub', [size, ends])], { axis: attr.int(0) });
    return g.op('Pad', [owned, pads]);
  }
}

interface TileLayer {
  readonly layer: ConvLayer;
  /** pools before it: its map is the window's size / 2^level */
  readonly level: number;
  /** its pre-activation output in the forward pass */
  readonly output: string;
}

/** The graph both tile models start with: the window's forward pass, its conv layers, the owned region. */
function tileGraph(name: string, spec: ModelSpec): { g: GraphBuilder; forward: ForwardPass; layers: Map<string, TileLayer>; own: Ownership } {
  const g = new GraphBuilder(name);
  const image = g.input(TILE_IO.image, [1, 3, 'height', 'width']);
  const network = usedNetwork(spec);
  const forward = buildForward(g, image, network, spec.pooling);
  const levels = convLevels(network);
  const layers = new Map<string, TileLayer>();
  for (const record of forward.records) {
    if (record.layer.kind === 'conv') layers.set(record.layer.name, { layer: record.layer, level: levels.get(record.layer.name)!.level, output: record.output });
  }
  return { g, forward, layers, own: new Ownership(g) };
}

/**
 * Forward only, on one window: the owned positions' Gram sums of the style layers and the owned part of
 * the content layers. Serves both the targets (on the content and style pictures) and the first pass of a
 * tiled step (the whole image's Gram matrices, before any gradient can be formed).
 */
export function buildTileForwardModel(spec: ModelSpec): Uint8Array {
  const { g, layers, own } = tileGraph('stylebot_tile_forward', spec);
  for (const name of spec.selection.content) {
    const t = layers.get(name)!;
    g.output(own.crop(t.output, t.level), TILE_IO.contentOwned(name), [1, t.layer.outChannels, `${name}_h`, `${name}_w`]);
  }
  for (const { layer: name } of spec.selection.style) {
    const t = layers.get(name)!;
    const c = t.layer.outChannels;
    const flat = g.op('Reshape', [own.crop(t.output, t.level), g.constInt64([c, -1])]);
    g.output(g.op('Gemm', [flat, flat], { transB: attr.int(1) }), TILE_IO.gramSum(name), [c, c]);
  }
  return g.encode();
}

/**
 * Forward and backward on one window, with the loss gradients fed in: each owned feature's gradient is
 * M F (style) plus scale x (F - P) (content), zero at positions other tiles own. The window gradient this
 * returns is the tile's exact share of d(total)/d(image); the shares of overlapping windows add up.
 */
export function buildTileGradModel(spec: ModelSpec): Uint8Array {
  const { g, forward, layers, own } = tileGraph('stylebot_tile_grad', spec);
  const owned = new Map<string, { crop: string; terms: string[] }>();
  const termsOf = (name: string) => {
    let entry = owned.get(name);
    if (!entry) {
      const t = layers.get(name)!;
      entry = { crop: own.crop(t.output, t.level), terms: [] };
      owned.set(name, entry);
    }
    return entry;
  };

  for (const name of spec.selection.content) {
    const t = layers.get(name)!;
    const entry = termsOf(name);
    const target = g.input(TILE_IO.contentTarget(name), [1, t.layer.outChannels, `${name}_h`, `${name}_w`]);
    const scale = g.input(TILE_IO.contentScale(name), []);
    const diff = g.op('Sub', [entry.crop, target]);
    g.output(g.op('ReduceSum', [g.op('Mul', [diff, diff])], { keepdims: attr.int(0) }), TILE_IO.contentSquares(name), []);
    entry.terms.push(g.op('Mul', [diff, scale]));
  }
  for (const { layer: name } of spec.selection.style) {
    const t = layers.get(name)!;
    const c = t.layer.outChannels;
    const entry = termsOf(name);
    const m = g.input(TILE_IO.gramGradient(name), [c, c]);
    const flat = g.op('Reshape', [entry.crop, g.constInt64([c, -1])]);
    entry.terms.push(g.op('Reshape', [g.op('MatMul', [m, flat]), g.op('Shape', [entry.crop])]));
  }

  const gradients = new Map<string, string[]>();
  for (const [name, entry] of owned) {
    const t = layers.get(name)!;
    const sum = entry.terms.reduce((a, b) => g.op('Add', [a, b]));
    gradients.set(name, [own.padBack(sum, t.output, t.level)]);
  }
  g.output(buildBackward(g, forward, spec.pooling, gradients), TILE_IO.gradient, [1, 3, 'height', 'width']);
  return g.encode();
}
