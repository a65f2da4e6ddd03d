/**
 * `npm run bench`: speed of one loss-and-gradient step of the engine, against a plain ONNX Runtime 3x3
 * convolution (64 -> 64 channels at the same size) as the roofline, measured in the same process in rounds
 * that alternate the two (3 unless `--rounds`).
 *
 * It runs as compiled JavaScript (tsc, then node), as production does: a TypeScript loader would add its own
 * memory (tsx transforming h5wasm's 4 MB module costs 600 MB) to the figures.
 *
 *   npm run bench                          every size x layer set, each in a fresh process (clean memory figures)
 *   npm run bench -- --size 256 --layers gatys [--steps N] [--rounds N] [--json]
 *   npm run bench -- --quality [--size 256,512] [--levers] [--rounds N] [--out DIR] [--json]   time to quality (quality.ts)
 *   npm run bench -- --gpu-check [--verbose-placement] [--out FILE]   GPU providers against the CPU (gpu.ts)
 *   npm run bench -- --memory [--json]      memory estimate against the measured peak (see memory.ts)
 *
 * Layers the real weights file lacks (conv4_1 and deeper) get generated weights of the right shape:
 * the arithmetic, and so the time, is the same.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/index.js';
import { lastLayer, parseLayerSpec } from '../src/engine/layers.js';
import { attr, GraphBuilder } from '../src/engine/onnx/graph-builder.js';
import { OrtModel } from '../src/engine/runtime/ort-session.js';
import { vgg19Until, type ConvSpec } from '../src/engine/vgg19.js';
import { generateVggWeights, loadVggWeights, type ConvWeights } from '../src/engine/weights/index.js';
import { gpuCheck, writeGpuCheck } from './gpu.js';
import { formatMemory, MEMORY_CASES, memoryCase, runMemoryCases, type MemoryCase } from './memory.js';
import { formatQuality, runQuality } from './quality.js';

const SIZES = [128, 256, 512];
/** roofline-then-engine rounds per configuration (`--rounds`) */
const DEFAULT_ROUNDS = 3;
const LAYER_SETS = ['seed', 'gatys'];
// npm runs scripts from the package root; the shared data sits beside the checkout.
const REAL_WEIGHTS = path.resolve(process.cwd(), '../shared/models/vgg19_imagenet_notop_block1-3.h5');

interface BenchResult {
  size: number;
  layers: string;
  msPerStep: number;
  convGflopPerStep: number;
  gflops: number;
  rooflineGflops: number;
  /** the median over rounds of each round's GFLOP/s against that round's roofline */
  ofRoofline: number;
  /** the lowest and highest of those rounds */
  ofRooflineRange: [number, number];
  /**
   * the same with the Gram products counted too (F F^T and its gradient (G - T) F per style layer, 4 C^2 HW
   * FLOPs each): arithmetic every step must do besides the convolutions, 18% on top of them with `seed`
   */
  ofRooflineWithGrams: number;
  maxRssMB: number;
  provider: string;
}

const { values } = parseArgs({
  options: {
    size: { type: 'string' },
    layers: { type: 'string' },
    steps: { type: 'string' },
    rounds: { type: 'string' },
    json: { type: 'boolean', default: false },
    quality: { type: 'boolean', default: false },
    levers: { type: 'boolean', default: false },
    memory: { type: 'boolean', default: false },
    out: { type: 'string' },
    'gpu-check': { type: 'boolean', default: false },
    'verbose-placement': { type: 'boolean', default: false },
    'memory-case': { type: 'string' },
  },
});

if (values['gpu-check']) {
  writeGpuCheck(await gpuCheck(process.env.STYLEBOT_WEIGHTS ?? REAL_WEIGHTS, values['verbose-placement']), values.out);
} else if (values['memory-case']) {
  const c = JSON.parse(values['memory-case']) as MemoryCase;
  const selection = parseLayerSpec(c.layers);
  const specs = vgg19Until(lastLayer(selection)).filter((l): l is ConvSpec => l.kind === 'conv');
  process.stdout.write(`${JSON.stringify(await memoryCase(c, await weightsFor(specs)))}\n`);
} else if (values.memory) {
  runMemoryCases(fileURLToPath(import.meta.url), MEMORY_CASES, (r) => process.stdout.write(values.json ? `${JSON.stringify(r)}\n` : formatMemory(r)));
} else if (values.quality) {
  const sizes = values.size ? values.size.split(',').map(Number) : [256, 512];
  const rounds = values.rounds ? Number(values.rounds) : 1;
  await runQuality(sizes, values.levers, (run) => process.stdout.write(values.json ? `${JSON.stringify(run)}\n` : formatQuality(run)), values.out, rounds);
} else if (values.size || values.layers) {
  const sizes = values.size ? [Number(values.size)] : SIZES;
  const sets = values.layers ? [values.layers] : LAYER_SETS;
  const rounds = values.rounds ? Number(values.rounds) : DEFAULT_ROUNDS;
  for (const layers of sets) for (const size of sizes) report(await benchOne(size, layers, values.steps ? Number(values.steps) : undefined, rounds));
} else {
  // One process per configuration, so each one's peak memory is its own.
  for (const layers of LAYER_SETS) {
    for (const size of SIZES) {
      const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--size', String(size), '--layers', layers, '--json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      report(JSON.parse(out.trim().split('\n').at(-1)!) as BenchResult);
    }
  }
}

function report(r: BenchResult): void {
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  process.stdout.write(
    `${r.layers.padEnd(6)} ${String(r.size).padStart(4)} px  ${r.msPerStep.toFixed(1).padStart(8)} ms/step  ` +
      `${r.convGflopPerStep.toFixed(1).padStart(6)} GFLOP/step  ${r.gflops.toFixed(0).padStart(4)} GFLOP/s  ` +
      `roofline ${r.rooflineGflops.toFixed(0).padStart(4)} GFLOP/s (${(100 * r.ofRoofline).toFixed(0)}%, rounds ${r.ofRooflineRange.map((v) => (100 * v).toFixed(0)).join('-')}%; ${(100 * r.ofRooflineWithGrams).toFixed(0)}% with the Grams)  ` +
      `peak RSS ${r.maxRssMB.toFixed(0)} MB  [${r.provider}]\n`,
  );
}

async function benchOne(size: number, layers: string, stepsOverride?: number, rounds = DEFAULT_ROUNDS): Promise<BenchResult> {
  const selection = parseLayerSpec(layers);
  const specs = vgg19Until(lastLayer(selection)).filter((l): l is ConvSpec => l.kind === 'conv');
  const weights = await weightsFor(specs);
  const warmup = 2;
  const steps = stepsOverride ?? (size <= 128 ? 21 : size <= 256 ? 9 : 5);
  const image = { width: size, height: size, data: Float32Array.from({ length: 3 * size * size }, (_, i) => (i % 251) / 251) };
  const convGflopPerStep = stepFlops(specs, size) / 1e9;
  const gramGflopPerStep = gramFlops(specs, selection.style.map((s) => s.layer), size) / 1e9;
  // Rounds of roofline-then-engine, each ratio within its round: this shared machine's speed drifts by
  // 10-20% over seconds to minutes, and one roofline measured before all the steps moved the ratio with it.
  // Each session is released before the next starts, so no pool's spinning workers share the cores with it.
  const measured: Array<{ roofline: number; msPerStep: number }> = [];
  let provider = '';
  for (let round = 0; round < rounds; round++) {
    const roofline = await convRoofline(size);
    const engine = await Engine.create({ weights });
    const at: number[] = [];
    await engine.stylize({
      content: image,
      styles: [{ image }],
      options: { layers, steps: warmup + steps, seed: 1 },
      onProgress: (e) => {
        at[e.step] = e.elapsedMs;
      },
    });
    provider = engine.executionProvider;
    await engine.release();
    // Medians, here and in the roofline: this shared 2-core machine has noisy neighbours.
    measured.push({ roofline, msPerStep: median(at.slice(warmup + 1).map((t, i) => t - at[warmup + i]!)) });
  }
  const ratios = measured.map((m) => convGflopPerStep / (m.msPerStep / 1000) / m.roofline);
  const msPerStep = median(measured.map((m) => m.msPerStep));
  return {
    size,
    layers,
    msPerStep,
    convGflopPerStep,
    gflops: convGflopPerStep / (msPerStep / 1000),
    rooflineGflops: median(measured.map((m) => m.roofline)),
    ofRoofline: median(ratios),
    ofRooflineRange: [Math.min(...ratios), Math.max(...ratios)],
    ofRooflineWithGrams: median(measured.map((m) => (convGflopPerStep + gramGflopPerStep) / (m.msPerStep / 1000) / m.roofline)),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    provider,
  };
}

/** Real weights where the shared file has them, generated ones of the same shape beyond. */
async function weightsFor(specs: ConvSpec[]): Promise<Map<string, ConvWeights>> {
  const generated = generateVggWeights(specs);
  if (!existsSync(REAL_WEIGHTS)) return generated;
  const realNames = new Set(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1', 'conv3_2', 'conv3_3', 'conv3_4']);
  const real = await loadVggWeights(REAL_WEIGHTS, specs.filter((s) => realNames.has(s.name)));
  return new Map([...generated, ...real]);
}

/** Convolution FLOPs of one step: every conv forward, and its backward-data conv of the same size. */
function stepFlops(specs: ConvSpec[], size: number): number {
  let flops = 0;
  let side = size;
  let block = 1;
  for (const c of specs) {
    const b = Number(c.name[4]);
    while (block < b) {
      side = Math.floor(side / 2);
      block++;
    }
    flops += 2 * 2 * 9 * c.inChannels * c.outChannels * side * side;
  }
  return flops;
}

/** FLOPs of the Gram products of one step: per style layer, F F^T and (G - T) F, each 2 C^2 HW. */
function gramFlops(specs: ConvSpec[], styleLayers: string[], size: number): number {
  return styleLayers.reduce((sum, name) => {
    const c = specs.find((s) => s.name === name)!;
    const side = Math.floor(size / 2 ** (Number(c.name[4]) - 1));
    return sum + 4 * c.outChannels * c.outChannels * side * side;
  }, 0);
}

/**
 * GFLOP/s of a plain 3x3, 64 -> 64 convolution at this size, with the engine's session settings. Measured
 * as a chain of four such convolutions: ONNX Runtime converts to and from its blocked layout at a graph's
 * edges, and with a single convolution that conversion, not the convolution, would set the figure.
 */
async function convRoofline(size: number): Promise<number> {
  const chain = 4;
  const g = new GraphBuilder('roofline');
  let x = g.input('x', [1, 64, size, size]);
  for (let i = 0; i < chain; i++) {
    const w = g.constFloat(Float32Array.from({ length: 64 * 64 * 9 }, (_, k) => (((k + i) % 17) - 8) / 300), [64, 64, 3, 3]);
    x = g.op('Conv', [x, w], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) });
  }
  g.output(x, 'y');
  const model = await OrtModel.create(g.encode(), { provider: 'cpu', threads: 0 });
  const input = { x: { data: Float32Array.from({ length: 64 * size * size }, (_, i) => (i % 13) / 13), dims: [1, 64, size, size] } };
  for (let i = 0; i < 2; i++) await model.run(input);
  const runs = size <= 128 ? 21 : size <= 256 ? 9 : 5;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await model.run(input);
    times.push(performance.now() - start);
  }
  const seconds = median(times) / 1000;
  await model.release();
  return (chain * 2 * 9 * 64 * 64 * size * size) / seconds / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
