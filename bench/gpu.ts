/**
 * `npm run bench -- --gpu-check` (bench/gpu-check.sh runs it): what a GPU machine needs checked, in one go.
 * 1. Provider detection: what ONNX Runtime bundles, whether CUDA is installed and a Vulkan loader found,
 *    and what 'auto' picks, with its reason.
 * 2. The loss and gradient of the real `seed` network on each GPU provider that starts, against the CPU.
 *    GPU convolutions sum in another order (and CUDA may use TF32): agreement to 1e-3 relative is expected,
 *    1e-2 or worse is a bug.
 * 3. Where WebGPU ran each node of every model a run uses (whole picture and tiles), from ONNX Runtime's
 *    profiles: nodes left on the CPU that touch more than a shape's worth of numbers, and copies between
 *    the GPU and the host inside a graph. Both lists should be empty.
 *    With --verbose-placement, ONNX Runtime's verbose log of the WebGPU session also goes to stderr.
 */
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/engine/index.js';
import { parseLayerSpec, lastLayer } from '../src/engine/layers.js';
import { buildLossGradModel, IO, type ModelSpec } from '../src/engine/model/models.js';
import { assembleNetwork } from '../src/engine/model/network.js';
import { seededRandom } from '../src/engine/random.js';
import { cudaProviderInstalled, OrtModel, webgpuMayWork, type Provider, type TensorData } from '../src/engine/runtime/ort-session.js';
import { vgg19Until, type ConvSpec } from '../src/engine/vgg19.js';
import { loadVggWeights } from '../src/engine/weights/index.js';
import { lossFeeds } from '../test/helpers/loss-feeds.js';
import { placementsIn, type Placement } from '../test/helpers/placement.js';
import { relativeError } from '../test/helpers/relative-error.js';

export interface GpuCheck {
  readonly detection: Record<string, unknown>;
  readonly comparisons: ReadonlyArray<{ provider: Provider; started: boolean; error?: string; lossError?: number; gradientError?: number; msPerStep?: number; cpuMsPerStep?: number }>;
  /** WebGPU's placement per session of a whole-picture run and a tiled one; absent when WebGPU did not start */
  readonly webgpuPlacement?: readonly Placement[] | { readonly error: string };
}

export async function gpuCheck(weightsFile: string, verbosePlacement: boolean): Promise<GpuCheck> {
  const ort = await import('onnxruntime-node');
  const backends = (ort as unknown as { listSupportedBackends?: () => unknown }).listSupportedBackends?.();
  const engine = await Engine.create({ weightsFile });
  const side = 64;
  const picture = { width: side, height: side, data: Float32Array.from({ length: 3 * side * side }, seededRandom(3)) };
  let auto: { provider: string; reason: string } | { error: string };
  try {
    const r = await engine.stylize({ content: picture, styles: [{ image: picture }], options: { steps: 1 } });
    auto = { provider: r.provider, reason: r.providerReason };
  } catch (error) {
    auto = { error: String(error) };
  } finally {
    await engine.release();
  }
  const detection = { backends, cudaInstalled: cudaProviderInstalled(), webgpu: webgpuMayWork(), auto };

  const selection = parseLayerSpec('seed');
  const specs = vgg19Until(lastLayer(selection));
  const weights = await loadVggWeights(weightsFile, specs.filter((s): s is ConvSpec => s.kind === 'conv'));
  const spec: ModelSpec = { layers: assembleNetwork(specs, weights, weightsFile), selection, pooling: 'avg' };
  const model = buildLossGradModel(spec);
  const feeds = lossFeeds(spec, 512, 512);

  const cpu = await OrtModel.create(model, { provider: 'cpu', threads: 0 });
  const reference = await cpu.run(feeds);
  const cpuMsPerStep = await timeSteps(cpu, feeds);
  await cpu.release();

  const comparisons: GpuCheck['comparisons'][number][] = [];
  for (const provider of ['cuda', 'webgpu'] as const) {
    let gpu: OrtModel | undefined;
    try {
      gpu = await OrtModel.create(model, { provider, threads: 0, ...(verbosePlacement && provider === 'webgpu' ? { logSeverity: 0 as const } : {}) });
    } catch (error) {
      comparisons.push({ provider, started: false, error: String(error).split('\n')[0]!.slice(0, 300) });
      continue;
    }
    try {
      const out = await gpu.run(feeds);
      comparisons.push({
        provider,
        started: true,
        lossError: Math.abs(out[IO.total]!.data[0]! - reference[IO.total]!.data[0]!) / Math.abs(reference[IO.total]!.data[0]!),
        gradientError: relativeError(out[IO.gradient]!.data, reference[IO.gradient]!.data),
        msPerStep: await timeSteps(gpu, feeds),
        cpuMsPerStep,
      });
    } finally {
      await gpu.release();
    }
  }
  const webgpuStarted = comparisons.some((c) => c.provider === 'webgpu' && c.started);
  return { detection, comparisons, ...(webgpuStarted ? { webgpuPlacement: await webgpuPlacement(weightsFile) } : {}) };
}

async function webgpuPlacement(weightsFile: string): Promise<readonly Placement[] | { error: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stylebot-gpu-check-'));
  try {
    const engine = await Engine.create({ weightsFile, provider: 'webgpu', profileDir: dir });
    try {
      const side = 128;
      const picture = { width: side, height: side, data: Float32Array.from({ length: 3 * side * side }, seededRandom(4)) };
      const request = { content: picture, styles: [{ image: picture }] };
      await engine.stylize({ ...request, options: { steps: 2, octaves: 0, seed: 1 } });
      await engine.stylize({ ...request, options: { steps: 2, octaves: 0, seed: 1, tileSize: 64 } });
    } finally {
      // Releasing the sessions writes their profiles.
      await engine.release();
    }
    return placementsIn(dir);
  } catch (error) {
    return { error: String(error).split('\n')[0]!.slice(0, 300) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function timeSteps(model: OrtModel, feeds: Record<string, TensorData>): Promise<number> {
  await model.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await model.run(feeds);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2]!;
}

export function writeGpuCheck(result: GpuCheck, file?: string): void {
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (file) fs.writeFileSync(file, text);
  process.stdout.write(text);
}
