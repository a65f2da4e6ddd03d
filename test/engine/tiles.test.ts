import { afterAll, describe, expect, it } from 'vitest';
import { WholeImageEvaluator, type LossWeights } from '../../src/engine/evaluator.js';
import type { LayerSelection } from '../../src/engine/layers.js';
import { buildLossGradModel, buildTargetsModel, type ModelSpec } from '../../src/engine/model/models.js';
import type { NetworkLayer, Pooling } from '../../src/engine/model/network.js';
import { buildTileForwardModel, buildTileGradModel } from '../../src/engine/model/tiled.js';
import { seededRandom } from '../../src/engine/random.js';
import { OrtModel } from '../../src/engine/runtime/ort-session.js';
import { blendedGramTargets, contentTargets } from '../../src/engine/targets.js';
import { TiledEvaluator, tiledFeatures } from '../../src/engine/tiles/evaluator.js';
import { planTiles, receptiveField } from '../../src/engine/tiles/layout.js';
import { VGG19_CONVS } from '../../src/engine/vgg19.js';
import { randomConv, relativeError } from './small-network.js';
import { referenceGradient, referenceLoss, type ReferenceLossSpec } from './reference.js';

/**
 * Tiled evaluation on a small random network, against the whole-image model and the float64 reference
 * (reference.ts, central differences) that gradient.test.ts judges the whole-image model with. The
 * targets must agree with the whole-image model's to float32 precision. Loss and gradient are compared
 * with the reference: where the Gram matrices nearly equal their targets, G - T loses digits to
 * cancellation in float32 in both evaluations alike, so neither is closer than ~1e-6 to the other. The
 * tiled error must stay as small as the whole-image one (1e-5, as in gradient.test.ts); a halo one grid
 * step short, or a gradient counted in two tiles, is off by more than 1e-3.
 */
const TOLERANCE = 1e-5;


/** Two pools, so cores sit on a 4-pixel grid, and features reach 8 pixels beyond their core. */
function network(): NetworkLayer[] {
  const random = seededRandom(11);
  return [randomConv('a', 3, 4, random), randomConv('b', 4, 6, random), { kind: 'pool', name: 'p1' }, randomConv('c', 6, 5, random), { kind: 'pool', name: 'p2' }, randomConv('d', 5, 7, random)];
}

const selection: LayerSelection = {
  style: [
    { layer: 'a', weight: 1 },
    { layer: 'b', weight: 0.7 },
    { layer: 'c', weight: 0.5 },
    { layer: 'd', weight: 2 },
  ],
  content: ['b', 'd'],
};

const created: OrtModel[] = [];
afterAll(async () => {
  for (const m of created) await m.release();
});

async function model(bytes: Uint8Array): Promise<OrtModel> {
  const m = await OrtModel.create(bytes, { provider: 'cpu', threads: 1 });
  created.push(m);
  return m;
}

function picture(width: number, height: number, random: () => number) {
  return { width, height, data: Float32Array.from({ length: 3 * width * height }, () => random()) };
}


async function compare(pooling: Pooling, width: number, height: number, tileSize: number) {
  const random = seededRandom(width * 31 + height);
  const spec: ModelSpec = { layers: network(), selection, pooling };
  const [targetsModel, lossModel, tileForward, tileGrad] = await Promise.all([
    model(buildTargetsModel(spec)),
    model(buildLossGradModel(spec)),
    model(buildTileForwardModel(spec)),
    model(buildTileGradModel(spec)),
  ]);
  const grid = planTiles(width, height, tileSize, spec.layers);
  const content = picture(width, height, random);
  const style = picture(width + 6, height - 5, random);

  const whole = { content: await contentTargets(targetsModel, spec, content), grams: await blendedGramTargets(targetsModel, spec, [{ image: style, weight: 1 }]) };
  const tiledContent = await tiledFeatures(tileForward, spec, content, grid, { content: true, grams: false });
  const styleGrid = planTiles(style.width, style.height, tileSize, spec.layers);
  const tiledStyle = await tiledFeatures(tileForward, spec, style, styleGrid, { content: false, grams: true });
  for (const layer of selection.content) {
    expect(tiledContent.content.get(layer)!.dims).toEqual(whole.content.get(layer)!.dims);
    expect(relativeError(tiledContent.content.get(layer)!.data, whole.content.get(layer)!.data)).toBeLessThan(TOLERANCE);
  }
  for (const { layer } of selection.style) {
    expect(relativeError(tiledStyle.grams.get(layer)!.data, whole.grams.get(layer)!.data)).toBeLessThan(TOLERANCE);
  }

  // Weights that make each term matter in the gradient (TV, computed outside the tiles, would hide the rest).
  const weights: LossWeights = { style: 1e6, content: 20, tv: 0.5, styleLayers: new Map(selection.style.map((s) => [s.layer, s.weight])) };
  const image = picture(width, height, random);
  const reference = await new WholeImageEvaluator(lossModel, spec, whole, weights).evaluate(image);
  const wholeGradient = Float32Array.from(reference.gradient);
  const tiled = await new TiledEvaluator({ forward: tileForward, grad: tileGrad }, spec, grid, whole, weights).evaluate(image);

  const refSpec: ReferenceLossSpec = {
    style: selection.style.map((s) => ({ ...s, target: Float64Array.from(whole.grams.get(s.layer)!.data) })),
    content: selection.content.map((layer) => ({ layer, target: Float64Array.from(whole.content.get(layer)!.data) })),
    styleWeight: weights.style,
    contentWeight: weights.content,
    tvWeight: weights.tv,
  };
  const x64 = Float64Array.from(image.data);
  const exact = referenceLoss(x64, height, width, spec.layers, pooling, refSpec);
  for (const term of ['total', 'style', 'content', 'tv'] as const) {
    expect(Math.abs(tiled.losses[term] - exact[term])).toBeLessThanOrEqual(TOLERANCE * exact.total);
    expect(Math.abs(reference.losses[term] - exact[term])).toBeLessThanOrEqual(TOLERANCE * exact.total);
  }
  const exactGradient = referenceGradient(x64, height, width, spec.layers, pooling, refSpec);
  expect(relativeError(wholeGradient, exactGradient)).toBeLessThan(TOLERANCE);
  expect(relativeError(tiled.gradient, exactGradient)).toBeLessThan(TOLERANCE);
  return grid;
}

describe('tiled evaluation', () => {
  it('gives the whole-image targets, loss and gradient (avg pooling, odd sizes, 12 tiles)', async () => {
    const grid = await compare('avg', 29, 26, 8);
    expect(grid.tiles.length).toBe(12);
  });

  it('gives the same with max pooling and uneven tiles', async () => {
    const grid = await compare('max', 25, 31, 12);
    expect(grid.tiles.length).toBe(6);
  });
});

describe('tile layout', () => {
  it('measures the receptive field of the network and of VGG19 up to conv3_1', () => {
    expect(receptiveField(network())).toEqual({ margin: 8, align: 4 });
    const seed = VGG19_CONVS.filter((c) => Number(c.name[4]) <= 2 || c.name === 'conv3_1');
    const layers = [seed[0], seed[1], { kind: 'pool', name: 'pool1' }, seed[2], seed[3], { kind: 'pool', name: 'pool2' }, seed[4]] as NetworkLayer[];
    expect(receptiveField(layers)).toEqual({ margin: 10, align: 4 });
  });

  it('partitions the image into cores on the pooling grid, with windows clipped to the image', () => {
    const grid = planTiles(203, 97, 64, network());
    const owner = new Uint8Array(203 * 97);
    for (const { core, window } of grid.tiles) {
      for (const v of [core.x0, core.y0, window.x0, window.y0]) expect(v % 4).toBe(0);
      expect(core.x1 === 203 || core.x1 % 4 === 0).toBe(true);
      expect(core.y1 === 97 || core.y1 % 4 === 0).toBe(true);
      expect(window.x0).toBe(Math.max(0, core.x0 - grid.halo));
      expect(window.x1).toBe(Math.min(203, core.x1 + grid.halo));
      for (let y = core.y0; y < core.y1; y++) for (let x = core.x0; x < core.x1; x++) owner[y * 203 + x]!++;
    }
    expect(owner.every((n) => n === 1)).toBe(true);
    expect(grid.halo).toBe(8);
  });
});
