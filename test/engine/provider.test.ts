import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.js';
import { providerCandidates, startFirst } from '../../src/engine/runtime/provider.js';
import { loadEngineImage } from '../helpers/engine-images.js';
import { REAL_WEIGHTS } from '../helpers/paths.js';

describe('provider choice', () => {
  it("'auto' tries CUDA when installed, then WebGPU, then the CPU; an explicit choice is the only candidate", () => {
    const vulkan = { possible: true };
    expect(providerCandidates('auto', true, vulkan).map((c) => c.provider)).toEqual(['cuda', 'webgpu', 'cpu']);
    expect(providerCandidates('auto', false, vulkan).map((c) => c.provider)).toEqual(['webgpu', 'cpu']);
    // Without a Vulkan loader WebGPU cannot start on Linux: not tried (it would only print to stderr).
    expect(providerCandidates('auto', false, { possible: false, why: 'no Vulkan driver' })).toEqual([
      { provider: 'cpu', reason: 'auto: the CUDA provider is not installed; no WebGPU: no Vulkan driver' },
    ]);
    expect(providerCandidates('webgpu', true).map((c) => c.provider)).toEqual(['webgpu']);
    expect(providerCandidates('cpu', true)).toEqual([{ provider: 'cpu', reason: 'cpu requested' }]);
  });

  it('reports the failures of the providers it passed over, and throws when the last one fails', async () => {
    const { value, decision } = await startFirst(providerCandidates('auto', true, { possible: true }), async (p) => {
      if (p !== 'cpu') throw new Error(`/onnxruntime_src/x.cc:12 check was false. no ${p} here`);
      return 7;
    });
    expect(value).toBe(7);
    expect(decision.failures).toEqual([
      { provider: 'cuda', error: 'no cuda here' },
      { provider: 'webgpu', error: 'no webgpu here' },
    ]);
    await expect(startFirst(providerCandidates('cuda'), () => Promise.reject(new Error('no GPU')))).rejects.toThrow('no GPU');
  });

  it('falls back to the CPU when CUDA does not start, warns once and says why on every result', async () => {
    const warnings: string[] = [];
    // The CUDA library is not installed here: pretending it is makes the CUDA start fail for real.
    const engine = await Engine.create({ weightsFile: REAL_WEIGHTS, cudaInstalled: true, onWarning: (m) => warnings.push(m) });
    try {
      const content = await loadEngineImage('content/tubingen_neckarfront.jpg', 24);
      const first = await engine.stylize({ content, styles: [{ image: content }], options: { steps: 1 } });
      const second = await engine.stylize({ content, styles: [{ image: content }], options: { steps: 1, layers: 'style=conv1_1' } });
      expect(first.provider).toBe('cpu');
      expect(first.providerReason).toMatch(/^auto: CUDA did not start; no WebGPU.* \(cuda: .+\)/);
      expect(second.providerReason).toBe(first.providerReason);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('cuda');
      expect(engine.executionProvider).toBe('cpu');
    } finally {
      await engine.release();
    }
  });
});
