import { IO, type ModelSpec } from '../../src/engine/model/models.js';
import { seededRandom } from '../../src/engine/random.js';
import type { TensorData } from '../../src/engine/runtime/ort-session.js';

/**
 * Feeds for one loss-and-gradient evaluation of a `width` x `height` picture, with targets of random
 * numbers of about the real ones' size. Free of vitest: the GPU check (bench/gpu.ts) feeds the same.
 */
export function lossFeeds(spec: ModelSpec, width: number, height: number, seed = 11): Record<string, TensorData> {
  const random = seededRandom(seed);
  const feeds: Record<string, TensorData> = {
    [IO.image]: { data: Float32Array.from({ length: 3 * width * height }, random), dims: [1, 3, height, width] },
    [IO.styleWeight]: { data: Float32Array.of(100), dims: [] },
    [IO.contentWeight]: { data: Float32Array.of(1), dims: [] },
    [IO.tvWeight]: { data: Float32Array.of(10), dims: [] },
  };
  const channels = (name: string) => (spec.layers.find((l) => l.name === name) as { outChannels: number }).outChannels;
  const shrink = (name: string, side: number) => Math.floor(side / 2 ** (Number(name[4]) - 1));
  for (const { layer, weight } of spec.selection.style) {
    const c = channels(layer);
    feeds[IO.styleLayerWeight(layer)] = { data: Float32Array.of(weight), dims: [] };
    feeds[IO.gramTarget(layer)] = { data: Float32Array.from({ length: c * c }, () => random() * 1e3), dims: [c, c] };
  }
  for (const layer of spec.selection.content) {
    const c = channels(layer);
    const [h, w] = [shrink(layer, height), shrink(layer, width)];
    feeds[IO.contentTarget(layer)] = { data: Float32Array.from({ length: c * h * w }, () => random() * 50), dims: [1, c, h, w] };
  }
  return feeds;
}
