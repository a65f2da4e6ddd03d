import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type StylizeResult } from '../../src/engine/index.js';
import { lastLayer, parseLayerSpec } from '../../src/engine/layers.js';
import { buildLossGradModel, IO, type ModelSpec } from '../../src/engine/model/models.js';
import { assembleNetwork, type Pooling } from '../../src/engine/model/network.js';
import { GraphBuilder } from '../../src/engine/onnx/graph-builder.js';
import { OrtModel, webgpuMayWork } from '../../src/engine/runtime/ort-session.js';
import { providerCandidates } from '../../src/engine/runtime/provider.js';
import { vgg19Until, type ConvSpec } from '../../src/engine/vgg19.js';
import { loadVggWeights } from '../../src/engine/weights/index.js';
import { parseStylizeOptions } from '../../src/pipeline/index.js';
import { createWorkerRunner } from '../../src/worker/index.js';
import { loadContentAndStyle } from '../helpers/engine-images.js';
import { lossFeeds } from '../helpers/loss-feeds.js';
import { REAL_WEIGHTS, sharedImage } from '../helpers/paths.js';
import { placementsIn } from '../helpers/placement.js';
import { relativeError } from '../helpers/relative-error.js';

/**
 * ONNX Runtime's WebGPU provider, for real, on whatever adapter Dawn finds: in CI that is Mesa's software
 * Vulkan driver (lavapipe), which .ci/run installs and then sets STYLEBOT_TEST_WEBGPU=1, so that a missing
 * adapter fails these tests there instead of skipping them. Slow (a software GPU), so the pictures are small.
 * What it checks is what a GPU host depends on and a software adapter shows as well as a real one: the
 * same numbers as the CPU, and no heavy node left on the CPU.
 */
const required = process.env.STYLEBOT_TEST_WEBGPU === '1';
const available = await webgpuStarts();

async function webgpuStarts(): Promise<boolean> {
  const g = new GraphBuilder('probe');
  g.output(g.op('Relu', [g.input('x', [1])]), 'y');
  try {
    const model = await OrtModel.create(g.encode(), { provider: 'webgpu', threads: 0, logSeverity: 3 });
    await model.release();
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!available && !required)('the WebGPU provider', () => {
  let profileDir: string;
  let gpu: Engine;
  let cpu: Engine;
  beforeAll(async () => {
    profileDir = await mkdtemp(path.join(os.tmpdir(), 'stylebot-webgpu-'));
    gpu = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'webgpu', profileDir });
    cpu = await Engine.create({ weightsFile: REAL_WEIGHTS, provider: 'cpu' });
  });
  afterAll(async () => {
    await gpu?.release();
    await cpu?.release();
    await rm(profileDir, { recursive: true, force: true });
  });

  it.each<[string, Pooling]>([
    ['seed', 'avg'],
    ['style=conv1_1,conv2_1,conv3_1;content=conv2_2', 'max'],
  ])('computes the loss and gradient of the real network (%s, %s pooling) as the CPU does', async (layers, pooling) => {
    const selection = parseLayerSpec(layers);
    const specs = vgg19Until(lastLayer(selection));
    const weights = await loadVggWeights(REAL_WEIGHTS, specs.filter((s): s is ConvSpec => s.kind === 'conv'));
    const spec: ModelSpec = { layers: assembleNetwork(specs, weights, REAL_WEIGHTS), selection, pooling };
    // Odd sides: the pools drop a row and a column, which the backward pass must pad back.
    const feeds = lossFeeds(spec, 45, 37);
    const run = async (provider: 'cpu' | 'webgpu') => {
      const model = await OrtModel.create(buildLossGradModel(spec), { provider, threads: 0 });
      try {
        return await model.run(feeds);
      } finally {
        await model.release();
      }
    };
    const [reference, out] = [await run('cpu'), await run('webgpu')];
    for (const term of [IO.total, IO.style, IO.content, IO.tv]) {
      expect(Math.abs(out[term]!.data[0]! - reference[term]!.data[0]!)).toBeLessThan(1e-5 * Math.abs(reference[IO.total]!.data[0]!));
    }
    expect(relativeError(out[IO.gradient]!.data, reference[IO.gradient]!.data)).toBeLessThan(1e-4);
  });

  it('paints the picture the CPU paints, over two scales with L-BFGS', async () => {
    const { content, style } = await loadContentAndStyle(64, 80);
    const options = { optimizer: 'lbfgs' as const, octaves: 1, coarseSteps: 3, steps: 3, seed: 5 };
    const [onCpu, onGpu] = [await cpu.stylize({ content, styles: [{ image: style }], options }), await gpu.stylize({ content, styles: [{ image: style }], options })];
    expect(onGpu.provider).toBe('webgpu');
    expect(onGpu.providerReason).toBe('webgpu requested');
    expectSameRun(onGpu, onCpu);
  });

  it('paints the same picture in tiles, and keeps every heavy node of every model on the GPU, with no copies to the host', async () => {
    const { content, style } = await loadContentAndStyle(112, 136);
    const options = { optimizer: 'adam' as const, lr: 0.02, steps: 3, octaves: 0, tileSize: 64, seed: 3 };
    const onCpu = await cpu.stylize({ content, styles: [{ image: style }], options });
    const onGpu = await gpu.stylize({ content, styles: [{ image: style }], options });
    expectSameRun(onGpu, onCpu);
    // The profiles are written when the sessions are released: the whole-image models of the test above
    // and the tile models of this one.
    await gpu.release();
    const placements = placementsIn(profileDir);
    expect(placements.map((p) => p.session.split('-webgpu-')[0]).sort()).toEqual(['loss', 'targets', 'tile-forward', 'tile-grad']);
    for (const p of placements) {
      expect(p.runs.WebGpuExecutionProvider, p.session).toBeGreaterThan(0);
      expect(p.heavyOnCpu, p.session).toEqual([]);
      expect(p.transfers, p.session).toEqual([]);
    }
  });

  it("runs a job in the bot's engine worker thread, and the worker ends", async () => {
    const runner = createWorkerRunner({ workers: 1, engine: { weightsFile: REAL_WEIGHTS, provider: 'webgpu' } });
    try {
      const [content, style] = await Promise.all([readFile(sharedImage('content/chelsea_cat.jpg')), readFile(sharedImage('style/vangogh_starry_night.jpg'))]);
      const result = await runner.run(
        { id: 'webgpu-1', content, styles: [style], options: parseStylizeOptions({ size: 48, steps: 2, octaves: 0, seed: 1 }) },
        { signal: new AbortController().signal, onProgress: () => undefined },
      );
      expect(result.summary).toMatchObject({ steps: 2, provider: 'webgpu', providerReason: 'webgpu requested' });
    } finally {
      await runner.close();
    }
    expect(runner.threadIds).toEqual([]);
  });
});

describe('choosing WebGPU automatically', () => {
  it('passes over a host whose only Vulkan adapter can be a software one', () => {
    expect(webgpuMayWork({ vulkanLoader: true, gpuDevice: '/dev/dri/renderD128' })).toEqual({ possible: true, device: '/dev/dri/renderD128' });
    expect(providerCandidates('auto', false, webgpuMayWork({ vulkanLoader: true, gpuDevice: '/dev/nvidia0' }))[0]).toEqual({
      provider: 'webgpu',
      reason: 'auto: the CUDA provider is not installed; a WebGPU adapter was found (GPU device /dev/nvidia0)',
    });
    expect(webgpuMayWork({ vulkanLoader: true, gpuDevice: undefined })).toEqual({
      possible: false,
      why: 'a Vulkan driver but no GPU device (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg): only a software adapter, slower than the CPU',
    });
    expect(webgpuMayWork({ vulkanLoader: false, gpuDevice: '/dev/nvidia0' })).toEqual({ possible: false, why: 'no Vulkan driver (libvulkan.so.1 not found)' });
    // Not on Linux, only a session start can tell.
    expect(webgpuMayWork(null)).toEqual({ possible: true });
  });
});

function expectSameRun(actual: StylizeResult, expected: StylizeResult): void {
  expect(actual.history.length).toBe(expected.history.length);
  expected.history.forEach((record, i) => {
    expect(Math.abs(actual.history[i]!.total - record.total), `step ${i}`).toBeLessThan(1e-4 * record.total);
  });
  let maxDiff = 0;
  for (let i = 0; i < expected.image.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual.image.data[i]! - expected.image.data[i]!));
  expect(maxDiff).toBeLessThan(1e-3);
  // The run changed the picture, so the same picture means the same gradients.
  expect(expected.history.at(-1)!.total).toBeLessThan(0.8 * expected.history[0]!.total);
}
