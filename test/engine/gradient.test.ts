import { afterAll, describe, expect, it } from 'vitest';
import type { LayerSelection } from '../../src/engine/layers.js';
import { buildLossGradModel, buildTargetsModel, IO, type ModelSpec } from '../../src/engine/model/models.js';
import type { NetworkLayer, Pooling } from '../../src/engine/model/network.js';
import { seededRandom } from '../../src/engine/random.js';
import { OrtModel } from '../../src/engine/runtime/ort-session.js';
import { blendedGramTargets, contentTargets } from '../../src/engine/targets.js';
import { randomConv, relativeError } from './small-network.js';
import { referenceFeatures, referenceGradient, referenceGram, referenceLoss, type ReferenceLossSpec } from './reference.js';

/**
 * The hand-written backward graph against central differences of a float64 reference.
 *
 * Tolerance: the graph computes in float32 (unit roundoff 6e-8) through four convolutions, Gram matrices
 * and their backward pass; measured relative errors of the whole gradient vector were 4e-8 to 1.3e-6 here.
 * We require 1e-5: ten times the worst seen, while a style factor off by 0.025% already fails (2.5e-4) and
 * real mistakes (a missing factor 2, an unflipped kernel, an off-by-one pad) are off by 1e-1 or more.
 * Loss values must agree to 1e-5 of the total.
 */
const H = 13;
const W = 11;
const TOLERANCE = 1e-5;


function smallNetwork(seed: number): NetworkLayer[] {
  const random = seededRandom(seed);
  return [
    randomConv('a', 3, 4, random),
    randomConv('b', 4, 5, random),
    { kind: 'pool', name: 'p1' },
    randomConv('c', 5, 6, random),
    { kind: 'pool', name: 'p2' },
    randomConv('d', 6, 4, random),
  ];
}

function randomImage(random: () => number): Float32Array {
  return Float32Array.from({ length: 3 * H * W }, () => random());
}

const created: OrtModel[] = [];
afterAll(async () => {
  for (const m of created) await m.release();
});

async function check(pooling: Pooling, selection: LayerSelection, weights: { style: number; content: number; tv: number }, styleCount: number) {
  const random = seededRandom(42 + styleCount);
  const layers = smallNetwork(7);
  const spec: ModelSpec = { layers, selection, pooling };
  const config = { provider: 'cpu' as const, threads: 1 };
  const targetsModel = await OrtModel.create(buildTargetsModel(spec), config);
  const lossModel = await OrtModel.create(buildLossGradModel(spec), config);
  created.push(targetsModel, lossModel);

  const content = { width: W, height: H, data: randomImage(random) };
  const styles = Array.from({ length: styleCount }, (_, i) => ({
    image: { width: W, height: H, data: randomImage(random) },
    weight: i + 1,
  }));
  const contentFeatures = await contentTargets(targetsModel, spec, content);
  const grams = await blendedGramTargets(targetsModel, spec, styles);

  // The targets model itself against the reference.
  const refContent = referenceFeatures(Float64Array.from(content.data), H, W, layers, pooling);
  for (const layer of selection.content) {
    expect(relativeError(contentFeatures.get(layer)!.data, refContent.get(layer)!.data)).toBeLessThan(1e-5);
  }
  const weightSum = styles.reduce((s, x) => s + x.weight, 0);
  const refGrams = new Map<string, Float64Array>();
  for (const { layer } of selection.style) {
    const blended = new Float64Array(grams.get(layer)!.data.length);
    for (const s of styles) {
      const g = referenceGram(referenceFeatures(Float64Array.from(s.image.data), H, W, layers, pooling).get(layer)!);
      g.forEach((v, i) => (blended[i]! += (s.weight / weightSum) * v));
    }
    expect(relativeError(grams.get(layer)!.data, blended)).toBeLessThan(1e-5);
    refGrams.set(layer, blended);
  }

  // Loss and gradient at a fresh random image, with the float32 targets the engine would use.
  const image = randomImage(random);
  const feeds: Record<string, { data: Float32Array; dims: number[] }> = {
    [IO.image]: { data: image, dims: [1, 3, H, W] },
    [IO.styleWeight]: { data: Float32Array.of(weights.style), dims: [] },
    [IO.contentWeight]: { data: Float32Array.of(weights.content), dims: [] },
    [IO.tvWeight]: { data: Float32Array.of(weights.tv), dims: [] },
  };
  for (const { layer, weight } of selection.style) feeds[IO.styleLayerWeight(layer)] = { data: Float32Array.of(weight), dims: [] };
  for (const [layer, t] of contentFeatures) feeds[IO.contentTarget(layer)] = { data: t.data, dims: [...t.dims] };
  for (const [layer, t] of grams) feeds[IO.gramTarget(layer)] = { data: t.data, dims: [...t.dims] };
  const out = await lossModel.run(feeds);

  const refSpec: ReferenceLossSpec = {
    style: selection.style.map((s) => ({ ...s, target: Float64Array.from(grams.get(s.layer)!.data) })),
    content: selection.content.map((layer) => ({ layer, target: Float64Array.from(contentFeatures.get(layer)!.data) })),
    styleWeight: weights.style,
    contentWeight: weights.content,
    tvWeight: weights.tv,
  };
  const x64 = Float64Array.from(image);
  const refLoss = referenceLoss(x64, H, W, layers, pooling, refSpec);
  for (const term of ['total', 'style', 'content', 'tv'] as const) {
    expect(Math.abs(out[term]!.data[0]! - refLoss[term])).toBeLessThanOrEqual(1e-5 * Math.abs(refLoss.total) + 1e-12);
  }
  const refGrad = referenceGradient(x64, H, W, layers, pooling, refSpec);
  const err = relativeError(out[IO.gradient]!.data, refGrad);
  expect(err).toBeLessThan(TOLERANCE);
  return err;
}


const allTerms: LayerSelection = {
  style: [
    { layer: 'a', weight: 1 },
    { layer: 'c', weight: 0.5 },
    { layer: 'd', weight: 2 },
  ],
  content: ['b', 'd'],
};

describe('loss-and-gradient graph', () => {
  for (const pooling of ['avg', 'max'] as const) {
    it(`matches float64 central differences with every term (${pooling} pooling, two styles)`, async () => {
      await check(pooling, allTerms, { style: 1e3, content: 1, tv: 50 }, 2);
    });
    it(`isolates the style term (${pooling} pooling, three styles)`, async () => {
      await check(pooling, { style: allTerms.style, content: [] }, { style: 1e3, content: 0, tv: 0 }, 3);
    });
    it(`isolates the content term (${pooling} pooling)`, async () => {
      await check(pooling, { style: [], content: ['b', 'c'] }, { style: 0, content: 1, tv: 0 }, 1);
    });
  }
  it('isolates the total-variation term', async () => {
    await check('avg', { style: [], content: ['a'] }, { style: 0, content: 0, tv: 1 }, 1);
  });
});
