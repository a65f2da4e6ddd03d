import type { ConvSpec } from '../vgg19.js';
import type { ConvWeights } from './types.js';

/**
 * Deterministic random weights of VGG19's shapes: He-normal kernels (std sqrt(2 / fan_in), which keeps
 * activations of a deep ReLU stack at a steady scale, so benchmarks see realistic magnitudes) and small
 * biases. Each layer draws from its own stream keyed by (seed, name), so asking for a subset gives the
 * same values for those layers as asking for all sixteen.
 */
export function generateVggWeights(layers: readonly ConvSpec[], seed = 1): Map<string, ConvWeights> {
  const weights = new Map<string, ConvWeights>();
  for (const { name, inChannels, outChannels } of layers) {
    const normal = normalStream(hashSeed(seed, name));
    const std = Math.sqrt(2 / (inChannels * 9));
    const kernel = new Float32Array(outChannels * inChannels * 9);
    for (let k = 0; k < kernel.length; k++) kernel[k] = normal() * std;
    const bias = new Float32Array(outChannels);
    for (let k = 0; k < bias.length; k++) bias[k] = normal() * 0.01;
    weights.set(name, { kernel, bias, inChannels, outChannels });
  }
  return weights;
}

// FNV-1a over the seed and layer name: cheap, stable across platforms and well spread for mulberry32.
function hashSeed(seed: number, name: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed >>> 0}:${name}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function normalStream(seed: number): () => number {
  let state = seed;
  const uniform = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
