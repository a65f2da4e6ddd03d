import { EngineError } from './errors.js';
import { parseLayerSpec, usedLayers } from './layers.js';
import type { EngineOptions } from './options.js';
import { planRun, styleSizeAt, type Size } from './plan.js';
import { largestWindowPixels, planTiles } from './tiles/layout.js';
import { tileSizeFor } from './tiles/policy.js';
import { VGG19_CONVS, vgg19Until } from './vgg19.js';

/**
 * The options that change how much memory a run needs. The pipeline's options fit as they are. Without
 * the scale fields the run is taken to be one scale, without `tileSize` tiled automatically.
 */
export type MemoryOptions = Pick<EngineOptions, 'layers' | 'optimizer' | 'lbfgsHistory' | 'steps'> &
  Partial<Pick<EngineOptions, 'tileSize' | 'octaves' | 'scales' | 'coarseSteps'>>;

export interface MemoryBreakdown {
  /** the process before any model: Node, ONNX Runtime, the HDF5 reader */
  readonly base: number;
  /** the weights as the runs hold them: the engine's copy, each session's, the backward kernels */
  readonly weights: number;
  /** the weights while compiling, when more copies exist at once; the peak is the larger of this and the run */
  readonly compile: number;
  /**
   * one loss-and-gradient step: every feature map forward and back, at the largest scale evaluated whole,
   * plus, when a scale is tiled, at the largest tile window (each model keeps its own memory)
   */
  readonly step: number;
  /** the forward passes that make the targets (and a tiled step's first pass), likewise */
  readonly targets: number;
  /** a tiled run's content maps, held whole for the tiles to cut their targets from */
  readonly tiledContent: number;
  /** the optimiser's state: L-BFGS history (history x pixels x 4 bytes x 2) or Adam's two moments */
  readonly optimizer: number;
  /** pictures the engine holds: content, styles, the current image and a frame */
  readonly images: number;
  readonly total: number;
}

/*
 * Calibrated with `npm run bench -- --memory` (peak RSS of a fresh process running one stylisation, ONNX
 * Runtime 1.x on the CPU, 128 to 1024 px, `seed` and `gatys`, style scale 1 and 3); docs/cli.md has the table.
 * What the measurements showed:
 * - A step's peak comes during the backward pass through blocks 1 and 2, while their forward maps are still
 *   held: deeper layers' maps are freed by then and add almost nothing. So the bytes per pixel follow the
 *   feature floats of blocks 1 and 2 (64 + 64 + (128 + 128) / 4 = 192 per input pixel for any layer set
 *   reaching conv2_2), about 17 bytes per such float: 10.4 for the loss-and-gradient session at the content
 *   size and 6.8 for the forward-only targets session (its own arena) at the largest picture it sees.
 * - Compiling holds about 11 copies of the weights at once (the engine's, the backward kernels, the two
 *   encoded models, ONNX Runtime's parsed and pre-packed ones, and what the garbage collector has not yet
 *   freed: `gatys` at 256 px peaked at 738-853 MB in three runs); afterwards about 3 stay. For `gatys`
 *   (13 M parameters) the compile is the peak below ~400 px. (It was 13 copies, 832-1,025 MB, while
 *   protobufjs still wrote the weights through its growing buffers; see onnx/proto.ts.)
 */
const BASE_BYTES = 200e6;
const COMPILE_WEIGHT_COPIES = 11;
const RESIDENT_WEIGHT_COPIES = 3;
const STEP_BYTES_PER_FEATURE_FLOAT = 10.4;
const TARGET_BYTES_PER_FEATURE_FLOAT = 6.8;

/** The largest L-BFGS history share the engine accepts by default; see EngineConfig.maxOptimizerBytes. */
export const DEFAULT_MAX_OPTIMIZER_BYTES = 4 * 1024 ** 3;

/**
 * Peak memory of one run before it starts, in bytes: what job limits compare with the operator's budget.
 * `content` is the working size; `styleSizes` the style images as the engine gets them (default: the
 * content's size).
 */
export function estimateMemoryBytes(options: MemoryOptions, content: Size, styleSizes: readonly Size[] = [content]): number {
  return memoryBreakdown(options, content, styleSizes).total;
}

export function memoryBreakdown(options: MemoryOptions, content: Size, styleSizes: readonly Size[] = [content]): MemoryBreakdown {
  const selection = parseLayerSpec(options.layers);
  const layers = usedLayers(selection);
  const deepest = VGG19_CONVS.findIndex((c) => c.name === layers.at(-1));
  const convs = VGG19_CONVS.slice(0, deepest + 1);
  const params = convs.reduce((s, c) => s + c.outChannels * (9 * c.inChannels + 1), 0);
  const block = (name: string) => Number(name[4]);
  const featureFloats = convs.filter((c) => block(c.name) <= 2).reduce((s, c) => s + c.outChannels / 4 ** (block(c.name) - 1), 0);
  const pixels = content.width * content.height;
  const styleFloats = styleSizes.reduce((s, x) => s + 3 * x.width * x.height, 0);

  // The largest picture each model sees over the run's scales: whole-image models hold memory for their
  // largest whole picture, tile models for their largest window, and none gives memory back.
  const network = vgg19Until(layers.at(-1)!);
  const tileSize = options.tileSize ?? 0;
  const used = { wholeStep: 0, wholeTargets: 0, tileStep: 0, tileForward: 0, tiledContent: 0 };
  const window = (p: Size) => {
    const tile = tileSizeFor(tileSize, p);
    return tile === undefined ? undefined : largestWindowPixels(planTiles(p.width, p.height, tile, network));
  };
  const scales = planRun({ steps: options.steps, coarseSteps: options.coarseSteps, scales: options.scales, octaves: options.octaves }, content).scales;
  for (const scale of scales) {
    const factor = scale.width / content.width;
    const styles = factor === 1 ? styleSizes : styleSizes.map((s) => styleSizeAt(s, factor));
    const contentWindow = window(scale);
    if (contentWindow === undefined) used.wholeStep = Math.max(used.wholeStep, scale.width * scale.height);
    else {
      used.tileStep = Math.max(used.tileStep, contentWindow);
      used.tiledContent = Math.max(used.tiledContent, scale.width * scale.height);
    }
    for (const p of [scale, ...styles]) {
      const w = window(p);
      if (w === undefined) used.wholeTargets = Math.max(used.wholeTargets, p.width * p.height);
      else used.tileForward = Math.max(used.tileForward, w);
    }
  }
  const contentFloatsPerPixel = selection.content.reduce((s, name) => {
    const c = VGG19_CONVS.find((x) => x.name === name)!;
    return s + c.outChannels / 4 ** (block(c.name) - 1);
  }, 0);

  const base = BASE_BYTES;
  // The tile models are two more sessions with their own copy of the weights.
  const tiled = used.tileStep + used.tileForward > 0;
  const weights = (RESIDENT_WEIGHT_COPIES + (tiled ? 2 : 0)) * 4 * params;
  const compile = COMPILE_WEIGHT_COPIES * 4 * params;
  const step = STEP_BYTES_PER_FEATURE_FLOAT * featureFloats * (used.wholeStep + used.tileStep);
  const targets = TARGET_BYTES_PER_FEATURE_FLOAT * featureFloats * (used.wholeTargets + used.tileForward);
  const tiledContent = 4 * contentFloatsPerPixel * used.tiledContent;
  const optimizer = optimizerBytes(options, content);
  const images = 4 * (6 * 3 * pixels + styleFloats);
  const total = base + Math.max(compile, weights + step + targets) + tiledContent + optimizer + images;
  return { base, weights, compile, step, targets, tiledContent, optimizer, images, total };
}

/**
 * The optimiser's state at the working size (the largest scale): Adam keeps two moments; L-BFGS keeps
 * min(history, steps) pairs of float32 vectors (it is reset at each scale and cannot hold more pairs than
 * steps taken), plus the previous pixels and gradient and a float64 direction.
 */
export function optimizerBytes(options: Pick<MemoryOptions, 'optimizer' | 'lbfgsHistory' | 'steps'>, content: Size): number {
  const n = 3 * content.width * content.height;
  if (options.optimizer === 'adam') return 2 * 4 * n;
  return historyBytes(options, content) + (4 + 4 + 4 + 8) * n;
}

function historyBytes(options: Pick<MemoryOptions, 'lbfgsHistory' | 'steps'>, content: Size): number {
  return Math.min(options.lbfgsHistory, options.steps) * 3 * content.width * content.height * 4 * 2;
}

/** Refuses an L-BFGS history that would not fit in `maxBytes`, saying which history and which size would. */
export function checkOptimizerMemory(options: EngineOptions, content: Size, maxBytes: number): void {
  if (options.optimizer !== 'lbfgs') return;
  const needed = historyBytes(options, content);
  if (needed <= maxBytes) return;
  const perPair = 3 * content.width * content.height * 8;
  const history = Math.floor(maxBytes / perPair);
  const pairs = Math.min(options.lbfgsHistory, options.steps);
  const side = Math.floor(Math.sqrt(maxBytes / (pairs * 24)) * Math.sqrt(Math.max(content.width, content.height) / Math.min(content.width, content.height)));
  const fits = history >= 1 ? `history ${history} fits at this size, or size ${side} with history ${pairs}` : `size ${side} with history ${pairs} fits`;
  throw new EngineError(
    'MEMORY_LIMIT',
    `L-BFGS with history ${pairs} at ${content.width}x${content.height} px keeps ${gb(needed)} of history, ` +
      `over the ${gb(maxBytes)} this engine allows: ${fits}.`,
  );
}

function gb(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return bytes >= 1e6 ? `${Math.round(bytes / 1e6)} MB` : `${Math.round(bytes / 1e3)} kB`;
}
