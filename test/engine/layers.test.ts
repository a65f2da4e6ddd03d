import { describe, expect, it } from 'vitest';
import { isEngineError, parseLayerSpec } from '../../src/engine/index.js';
import { lastLayer } from '../../src/engine/layers.js';

describe('parseLayerSpec', () => {
  it("reads the chapter's map of convolution numbers", () => {
    const s = parseLayerSpec("{1:'s', 2:'s', 3:'s', 4:'sc', 5:'s'}");
    expect(s.style.map((x) => x.layer)).toEqual(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1']);
    expect(s.content).toEqual(['conv2_2']);
    expect(lastLayer(s)).toBe('conv3_1');
  });

  it('knows the presets seed and gatys', () => {
    expect(parseLayerSpec('seed')).toEqual(parseLayerSpec("{1:'s', 2:'s', 3:'s', 4:'sc', 5:'s'}"));
    const gatys = parseLayerSpec('gatys');
    expect(gatys.style.map((x) => x.layer)).toEqual(['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1']);
    expect(gatys.content).toEqual(['conv4_2']);
    expect(lastLayer(gatys)).toBe('conv5_1');
  });

  it('reads names with per-layer style weights, in any order, separated by spaces or semicolons', () => {
    const s = parseLayerSpec('content=conv4_2; style=conv3_1:0.5,conv1_1');
    expect(s.style).toEqual([
      { layer: 'conv1_1', weight: 1 },
      { layer: 'conv3_1', weight: 0.5 },
    ]);
    expect(s.content).toEqual(['conv4_2']);
  });

  it.each([
    ['{1:s, 17:c}', /1 to 16, not 17/],
    ['style=conv9_1', /unknown layer 'conv9_1'/],
    ['colour=conv1_1', /unknown role/],
    ['style=conv1_1:-2', /not a weight/],
    ['{}', /selects no layer/],
    ['{1:s', /must end with/],
  ])('refuses %s with a reason', (spec, reason) => {
    try {
      parseLayerSpec(spec);
      expect.unreachable();
    } catch (error) {
      expect(isEngineError(error, 'LAYER_SPEC_INVALID')).toBe(true);
      expect((error as Error).message).toMatch(reason);
    }
  });
});
