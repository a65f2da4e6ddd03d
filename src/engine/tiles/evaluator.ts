import type { Evaluation, Evaluator, LossWeights } from '../evaluator.js';
import { scalar } from '../evaluator.js';
import type { RgbImage } from '../image.js';
import { TILE_IO } from '../model/tiled.js';
import type { ModelSpec } from '../model/models.js';
import { convLevels, type ConvLevel } from '../model/network.js';
import type { OrtModel, TensorData } from '../runtime/ort-session.js';
import type { Targets } from '../targets.js';
import { addPlanar, cropPlanar, setPlanar, type Rect, type Tile, type TileGrid } from './layout.js';
import { addTotalVariation } from './tv.js';

/** The two compiled tile models of a layer set. */
export interface TileModels {
  readonly forward: OrtModel;
  readonly grad: OrtModel;
}


/** A rectangle of image pixels at a pooling level. Bounds are on the pooling grid or the image's end, so floor is exact. */
function atLevel(r: Rect, level: number): Rect {
  const f = 2 ** level;
  return { x0: Math.floor(r.x0 / f), y0: Math.floor(r.y0 / f), x1: Math.floor(r.x1 / f), y1: Math.floor(r.y1 / f) };
}

/** The core, relative to its window, as the tile models' `owned` input: y0, x0, y1, x1. */
function ownedFeed(tile: Tile): TensorData {
  const { core, window } = tile;
  return { data: Float32Array.of(core.y0 - window.y0, core.x0 - window.x0, core.y1 - window.y0, core.x1 - window.x0), dims: [4] };
}

function windowTensor(image: RgbImage, r: Rect, into?: Float32Array): TensorData {
  return { data: cropPlanar(image.data, 3, image.width, image.height, r, into), dims: [1, 3, r.y1 - r.y0, r.x1 - r.x0] };
}

/**
 * Crop buffers reused from step to step, one per purpose and length (tiles come in a few shapes): fresh
 * ones would be tens of megabytes of garbage per tile and step, which the collector lets pile up to
 * hundreds of megabytes before it frees them. Each is filled just before the run that reads it.
 */
class Buffers {
  private readonly free = new Map<string, Float32Array>();

  get(purpose: string, length: number): Float32Array {
    const key = `${purpose}:${length}`;
    let buffer = this.free.get(key);
    if (!buffer) {
      buffer = new Float32Array(length);
      this.free.set(key, buffer);
    }
    return buffer;
  }
}

function area(r: Rect): number {
  return (r.x1 - r.x0) * (r.y1 - r.y0);
}

function mapSize(layer: ConvLevel, width: number, height: number): { w: number; h: number } {
  const f = 2 ** layer.level;
  return { w: Math.floor(width / f), h: Math.floor(height / f) };
}

/**
 * A picture's Gram matrices (divided by C x H x W, as the whole-image model divides them) and, if asked,
 * its content maps, evaluated tile by tile: the Gram sums of the tiles' owned features add up to the
 * whole picture's, and the owned parts of the content maps tile the whole maps.
 */
export async function tiledFeatures(
  model: OrtModel,
  spec: ModelSpec,
  image: RgbImage,
  grid: TileGrid,
  want: { content: boolean; grams: boolean },
  buffers?: Buffers,
): Promise<{ content: Map<string, TensorData>; grams: Map<string, TensorData> }> {
  const info = convLevels(spec.layers);
  const styleLayers = want.grams ? spec.selection.style.map((s) => s.layer) : [];
  const contentLayers = want.content ? spec.selection.content : [];
  const content = new Map<string, TensorData>();
  for (const layer of contentLayers) {
    const l = info.get(layer)!;
    const { w, h } = mapSize(l, image.width, image.height);
    content.set(layer, { data: new Float32Array(l.channels * w * h), dims: [1, l.channels, h, w] });
  }
  const sums = new Map(styleLayers.map((layer) => [layer, new Float64Array(info.get(layer)!.channels ** 2)]));
  const outputs = [...contentLayers.map(TILE_IO.contentOwned), ...styleLayers.map(TILE_IO.gramSum)];
  if (outputs.length > 0) {
    for (const tile of grid.tiles) {
      const into = buffers?.get('window', 3 * area(tile.window));
      const out = await model.run({ [TILE_IO.image]: windowTensor(image, tile.window, into), [TILE_IO.owned]: ownedFeed(tile) }, outputs);
      for (const layer of contentLayers) {
        const l = info.get(layer)!;
        const full = content.get(layer)!;
        const { w, h } = mapSize(l, image.width, image.height);
        setPlanar(full.data, l.channels, w, h, atLevel(tile.core, l.level), out[TILE_IO.contentOwned(layer)]!.data);
      }
      for (const layer of styleLayers) {
        const sum = sums.get(layer)!;
        const part = out[TILE_IO.gramSum(layer)]!.data;
        for (let i = 0; i < sum.length; i++) sum[i]! += part[i]!;
      }
    }
  }
  const grams = new Map<string, TensorData>();
  for (const [layer, sum] of sums) {
    const l = info.get(layer)!;
    const { w, h } = mapSize(l, image.width, image.height);
    const count = l.channels * w * h;
    grams.set(layer, { data: Float32Array.from(sum, (v) => v / count), dims: [l.channels, l.channels] });
  }
  return { content, grams };
}

/**
 * The loss and gradient of a picture too large to evaluate at once, exactly (to float32 rounding) as the
 * whole-image model computes them, with memory bounded by one window:
 * 1. forward over every tile, summing the Gram matrices of the owned features: the whole image's Grams;
 * 2. from them, for each style layer, M = style weight x layer weight x 4 (G - T) / (C^2 N), so that
 *    d(total)/dF = M F at every position (G - T is symmetric);
 * 3. forward and backward over every tile with M and the content target's owned part fed in, adding each
 *    window's gradient into the whole; the windows overlap by the receptive field, and each tile's share
 *    comes only from the features it owns, so the shares add up to the whole gradient;
 * 4. total variation over the whole picture (tiles cannot hold its neighbour pairs).
 * The price is the first pass: one more forward per step.
 */
export class TiledEvaluator implements Evaluator {
  private readonly info: Map<string, ConvLevel>;
  private readonly gradient: Float32Array;
  private readonly buffers = new Buffers();

  constructor(
    private readonly models: TileModels,
    private readonly spec: ModelSpec,
    private readonly grid: TileGrid,
    private readonly targets: Targets,
    private readonly weights: LossWeights,
  ) {
    this.info = convLevels(spec.layers);
    this.gradient = new Float32Array(3 * grid.width * grid.height);
  }

  /**
   * The content target's owned part of a tile. Cut at every step, not kept: a second copy of the content
   * maps would be 128 bytes per pixel with the `seed` layers (half a gigabyte at 2048 px), the cut is a copy
   * of a window.
   */
  private contentFeeds(tile: Tile): Record<string, TensorData> {
    const feeds: Record<string, TensorData> = {};
    for (const layer of this.spec.selection.content) {
      const l = this.info.get(layer)!;
      const target = this.targets.content.get(layer)!;
      const { w, h } = mapSize(l, this.grid.width, this.grid.height);
      const r = atLevel(tile.core, l.level);
      const into = this.buffers.get(`content ${layer}`, l.channels * (r.x1 - r.x0) * (r.y1 - r.y0));
      feeds[TILE_IO.contentTarget(layer)] = { data: cropPlanar(target.data, l.channels, w, h, r, into), dims: [1, l.channels, r.y1 - r.y0, r.x1 - r.x0] };
      feeds[TILE_IO.contentScale(layer)] = scalar((2 * this.weights.content) / (l.channels * w * h));
    }
    return feeds;
  }

  async evaluate(image: RgbImage): Promise<Evaluation> {
    const { spec, grid, weights, info } = this;
    if (image.width !== grid.width || image.height !== grid.height) {
      throw new Error(`internal: a ${image.width}x${image.height} picture on a ${grid.width}x${grid.height} tile grid`);
    }
    let style = 0;
    const gramFeeds: Record<string, TensorData> = {};
    if (spec.selection.style.length > 0) {
      const { grams } = await tiledFeatures(this.models.forward, spec, image, grid, { content: false, grams: true }, this.buffers);
      for (const { layer } of spec.selection.style) {
        const l = info.get(layer)!;
        const { w, h } = mapSize(l, grid.width, grid.height);
        const c = l.channels;
        const layerWeight = weights.styleLayers.get(layer) ?? 1;
        const g = grams.get(layer)!.data;
        const t = this.targets.grams.get(layer)!.data;
        const scale = (weights.style * layerWeight * 4) / (c * c * c * w * h);
        const m = new Float32Array(c * c);
        let squares = 0;
        for (let i = 0; i < m.length; i++) {
          const d = g[i]! - t[i]!;
          squares += d * d;
          m[i] = scale * d;
        }
        style += layerWeight * (squares / (c * c));
        gramFeeds[TILE_IO.gramGradient(layer)] = { data: m, dims: [c, c] };
      }
    }

    const gradient = this.gradient;
    gradient.fill(0);
    const contentSquares = new Map(spec.selection.content.map((layer) => [layer, 0]));
    const outputs = [TILE_IO.gradient, ...spec.selection.content.map(TILE_IO.contentSquares)];
    for (const tile of grid.tiles) {
      const out = await this.models.grad.run(
        {
          ...gramFeeds,
          ...this.contentFeeds(tile),
          [TILE_IO.image]: windowTensor(image, tile.window, this.buffers.get('window', 3 * area(tile.window))),
          [TILE_IO.owned]: ownedFeed(tile),
        },
        outputs,
      );
      addPlanar(gradient, 3, grid.width, grid.height, tile.window, out[TILE_IO.gradient]!.data);
      for (const layer of spec.selection.content) contentSquares.set(layer, contentSquares.get(layer)! + out[TILE_IO.contentSquares(layer)]!.data[0]!);
    }
    let content = 0;
    for (const [layer, squares] of contentSquares) {
      const l = info.get(layer)!;
      const { w, h } = mapSize(l, grid.width, grid.height);
      content += squares / (l.channels * w * h);
    }
    const tv = weights.tv === 0 ? 0 : addTotalVariation(image, weights.tv, gradient);
    const losses = { style: weights.style * style, content: weights.content * content, tv: weights.tv * tv };
    return { losses: { total: losses.style + losses.content + losses.tv, ...losses }, gradient };
  }
}
