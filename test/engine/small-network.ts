import { expect } from 'vitest';
import type { NetworkLayer } from '../../src/engine/model/network.js';
import { relativeError as vectorRelativeError } from '../helpers/relative-error.js';

/**
 * A random 3x3 convolution for the small test networks, scaled like He initialisation so that activations
 * stay near 1 through a few layers (inputs are ~0-255 at the first layer, after preprocessing).
 */
export function randomConv(name: string, cin: number, cout: number, random: () => number): NetworkLayer {
  const scale = Math.sqrt(2 / (9 * cin)) / 255;
  return {
    kind: 'conv',
    name,
    inChannels: cin,
    outChannels: cout,
    kernel: Float32Array.from({ length: cout * cin * 9 }, () => (random() * 2 - 1) * scale * (cin === 3 ? 1 : 255)),
    bias: Float32Array.from({ length: cout }, () => random() - 0.5),
  };
}

/** ||actual - expected|| / ||expected|| over whole vectors, which must be of equal length. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  return vectorRelativeError(actual, expected);
}
