import { describe, expect, it } from 'vitest';
import { convByName, VGG19_CONVS, type ConvSpec } from '../../../src/engine/vgg19.js';
import { generateVggWeights } from '../../../src/engine/weights/generate.js';

const conv = (name: string): ConvSpec => convByName(name)!;

describe('generateVggWeights', () => {
  it('gives every requested layer OIHW-sized kernels and biases', () => {
    const layers = VGG19_CONVS.slice(0, 4);
    const weights = generateVggWeights(layers);
    expect([...weights.keys()]).toEqual(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2']);
    for (const spec of layers) {
      const w = weights.get(spec.name)!;
      expect(w.kernel.length).toBe(spec.outChannels * spec.inChannels * 9);
      expect(w.bias.length).toBe(spec.outChannels);
      expect([w.inChannels, w.outChannels]).toEqual([spec.inChannels, spec.outChannels]);
    }
  });

  it('is deterministic per seed, differs across seeds, and a subset matches the full set', () => {
    const specs = [conv('conv1_2'), conv('conv2_1')];
    const a = generateVggWeights(specs, 5).get('conv2_1')!;
    const again = generateVggWeights([conv('conv2_1')], 5).get('conv2_1')!;
    const other = generateVggWeights(specs, 6).get('conv2_1')!;
    expect(Array.from(again.kernel.subarray(0, 64))).toEqual(Array.from(a.kernel.subarray(0, 64)));
    expect(again.bias).toEqual(a.bias);
    expect(other.kernel[0]).not.toBe(a.kernel[0]);
    expect(generateVggWeights(specs, 5).get('conv1_2')!.kernel[0]).not.toBe(a.kernel[0]);
  });

  it('draws kernels with mean about 0 and He std sqrt(2 / (9 * in))', () => {
    const { kernel } = generateVggWeights([conv('conv2_1')], 11).get('conv2_1')!;
    let sum = 0;
    let squares = 0;
    for (const v of kernel) {
      sum += v;
      squares += v * v;
    }
    const mean = sum / kernel.length;
    const std = Math.sqrt(squares / kernel.length - mean * mean);
    const he = Math.sqrt(2 / (9 * 64));
    expect(Math.abs(mean)).toBeLessThan(he * 0.02);
    expect(std / he).toBeGreaterThan(0.98);
    expect(std / he).toBeLessThan(1.02);
  });
});
