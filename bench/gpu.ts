/**
 * `npm run bench -- --gpu-check` (bench/gpu-check.sh runs it): what a GPU machine needs checked, in one go.
 * 1. Provider detection: what ONNX Runtime bundles, whether CUDA is installed and a Vulkan loader found,
 *    and what 'auto' picks, with its reason.
 * 2. The loss and gradient of the real `seed` network on each GPU provider that starts, against the CPU.
 *    GPU convolutions sum in another order (and CUDA may use TF32): agreement to 1e-3 relative is expected,
 *    1e-2 or worse is a bug.
 * 3. With --verbose-placement, ONNX Runtime's verbose log of the WebGPU session goes to stderr: nodes it
 *    could not place on WebGPU show there as placed on the CPU.
 */
import * as fs from 'node:fs';
import { Engine } from '../src/engine/index.js';
import { parseLayerSpec, lastLayer } from '../src/engine/layers.js';
import { buildLossGradModel, IO, type ModelSpec } from '../src/engine/model/models.js';
import { assembleNetwork } from '../src/engine/model/network.js';
import { seededRandom } from '../src/engine/random.js';
import { cudaProviderInstalled, OrtModel, webgpuMayWork, type Provider, type TensorData } from '../src/engine/runtime/ort-session.js';
import { vgg19Until, type ConvSpec } from '../src/engine/vgg19.js';
import { loadVggWeights } from '../src/engine/weights/index.js';
import { relativeError } from '../test/helpers/relative-error.js';

export interface GpuCheck {
  readonly detection: Record<string, unknown>;
  readonly comparisons: ReadonlyArray<{ provider: Provider; started: boolean; error?: string; lossError?: number; gradientError?: number; msPerStep?: number; cpuMsPerStep?: number }>;
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
  const feeds = lossFeeds(spec, 512);

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
  return { detection, comparisons };
}

/** Feeds for one loss-and-gradient evaluation at `side` px, with targets of a second random picture. */
function lossFeeds(spec: ModelSpec, side: number): Record<string, TensorData> {
  const random = seededRandom(11);
  const image = (): TensorData => ({ data: Float32Array.from({ length: 3 * side * side }, random), dims: [1, 3, side, side] });
  const feeds: Record<string, TensorData> = {
    [IO.image]: image(),
    [IO.styleWeight]: { data: Float32Array.of(100), dims: [] },
    [IO.contentWeight]: { data: Float32Array.of(1), dims: [] },
    [IO.tvWeight]: { data: Float32Array.of(10), dims: [] },
  };
  const channels = (name: string) => (spec.layers.find((l) => l.name === name) as { outChannels: number }).outChannels;
  const shrink = (name: string) => 2 ** (Number(name[4]) - 1);
  for (const { layer, weight } of spec.selection.style) {
    const c = channels(layer);
    feeds[IO.styleLayerWeight(layer)] = { data: Float32Array.of(weight), dims: [] };
    feeds[IO.gramTarget(layer)] = { data: Float32Array.from({ length: c * c }, () => random() * 1e3), dims: [c, c] };
  }
  for (const layer of spec.selection.content) {
    const c = channels(layer);
    const s = Math.floor(side / shrink(layer));
    feeds[IO.contentTarget(layer)] = { data: Float32Array.from({ length: c * s * s }, () => random() * 50), dims: [1, c, s, s] };
  }
  return feeds;
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
