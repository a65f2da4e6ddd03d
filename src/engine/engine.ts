import path from 'node:path';
import type { LossTerms, ProgressEvent, StepRecord, StylizeRequest, StylizeResult } from './api.js';
import { raceAbort, throwIfAborted } from './abort.js';
import { EngineError } from './errors.js';
import { createImage, MIN_IMAGE_SIDE, type RgbImage } from './image.js';
import { initialImage } from './init.js';
import { lastLayer, layerStructureKey, parseLayerSpec, type LayerSelection } from './layers.js';
import { checkOptimizerMemory, DEFAULT_MAX_OPTIMIZER_BYTES } from './memory.js';
import { ModelCache, type CompiledModels } from './model-cache.js';
import { WholeImageEvaluator, type Evaluator, type LossWeights } from './evaluator.js';
import { buildLossGradModel, buildTargetsModel, usedNetwork, type ModelSpec } from './model/models.js';
import { buildTileForwardModel, buildTileGradModel } from './model/tiled.js';
import { TiledEvaluator, tiledFeatures, type TileModels } from './tiles/evaluator.js';
import { planTiles, type TileGrid } from './tiles/layout.js';
import { tileSizeFor } from './tiles/policy.js';
import { assembleNetwork, type Pooling } from './model/network.js';
import { engineOptionsSchema, type EngineOptions } from './options.js';
import { Adam } from './optim/adam.js';
import { Lbfgs } from './optim/lbfgs.js';
import type { PixelOptimizer } from './optim/optimizer.js';
import { planRun, styleSizeAt, type RunPlan } from './plan.js';
import { randomSeed, seededRandom } from './random.js';
import { resizeImage } from './resize.js';
import { OrtModel, type Provider, type TensorData } from './runtime/ort-session.js';
import { providerCandidates, startFirst, type ProviderChoice, type ProviderDecision } from './runtime/provider.js';
import { blendGrams, contentTargets, wholeImageGrams, type Targets } from './targets.js';
import { vgg19Until, type ConvSpec } from './vgg19.js';
import { loadVggWeights, type ConvWeights } from './weights/index.js';

export type { ProviderChoice } from './runtime/provider.js';

export interface EngineConfig {
  /** a Keras "notop" VGG19 HDF5 file holding at least the layers a run uses (see weights/resolve.ts) */
  readonly weightsFile?: string;
  /** weights already in memory, by layer name (benchmarks and tests); used instead of `weightsFile` */
  readonly weights?: ReadonlyMap<string, ConvWeights>;
  /**
   * 'auto' (default): CUDA when its provider is installed and starts, else WebGPU when an adapter is found,
   * else the CPU. An explicit choice is used or fails; it never falls back.
   */
  readonly provider?: ProviderChoice;
  /** intra-op threads for the CPU provider; default 0: ONNX Runtime uses every physical core */
  readonly threads?: number;
  /** compiled layer sets kept, least recently used evicted first; default 3 */
  readonly modelCacheSize?: number;
  /** the most L-BFGS history a run may keep (history x pixels x 4 bytes x 2); default 4 GiB */
  readonly maxOptimizerBytes?: number;
  /**
   * Told once per engine when 'auto' had to fall back (a CUDA library that did not start, say). The engine
   * does not log; the composition root passes its logger here.
   */
  readonly onWarning?: (message: string, details: Readonly<Record<string, unknown>>) => void;
  /** overrides the detection of ONNX Runtime's CUDA library (tests make a CUDA start fail on purpose) */
  readonly cudaInstalled?: boolean;
  /**
   * A folder for ONNX Runtime's profile of every style-transfer session, one file each, written when the
   * session is released: which provider ran each node (the GPU checks look for heavy nodes on the CPU).
   */
  readonly profileDir?: string;
}

/**
 * A style-transfer engine: weights loaded on first use, compiled ONNX models cached per layer structure and
 * pooling. Create with `Engine.create`, call `stylize` as often as wanted, then `release` the native memory.
 */
export class Engine {
  private readonly weightCache = new Map<string, ConvWeights>();
  private readonly models: ModelCache;
  private decision?: Promise<ProviderDecision>;
  private decided?: ProviderDecision;
  private released = false;

  private constructor(private readonly config: EngineConfig) {
    this.models = new ModelCache(config.modelCacheSize ?? 3);
  }

  static async create(config: EngineConfig): Promise<Engine> {
    if (!config.weightsFile && !config.weights) {
      throw new EngineError('WEIGHTS_NOT_FOUND', 'The engine needs weights: pass weightsFile (a VGG19 .h5 file) or weights.');
    }
    return new Engine(config);
  }

  /** The execution provider runs use; before the first run, the first one 'auto' will try. */
  get executionProvider(): Provider {
    return this.decided?.provider ?? providerCandidates(this.config.provider ?? 'auto', this.config.cudaInstalled)[0]!.provider;
  }

  /** Why that provider runs (e.g. "auto: the CUDA provider is not installed; no WebGPU adapter"); known after the first run. */
  get providerReason(): string | undefined {
    return this.decided && describeDecision(this.decided);
  }

  /** Layer sets cached now, compiled or compiling (for tests and diagnostics). */
  get cachedModelCount(): number {
    return this.models.size;
  }

  /** Of those, the ones whose compilation has finished. */
  get compiledModelCount(): number {
    return this.models.readyCount;
  }

  async stylize(request: StylizeRequest): Promise<StylizeResult> {
    if (this.released) throw new EngineError('RUNTIME_FAILED', 'This engine was released; create a new one.');
    const started = performance.now();
    const { signal } = request;
    const options = parseOptions(request.options);
    const seed = options.seed ?? randomSeed();
    checkImage(request.content, 'content image');
    if (request.styles.length === 0) throw new EngineError('OPTIONS_INVALID', 'At least one style image is needed.');
    request.styles.forEach((s, i) => checkImage(s.image, request.styles.length > 1 ? `style image ${i + 1}` : 'style image'));
    if (options.init === 'image') {
      if (!request.initImage) throw new EngineError('OPTIONS_INVALID', "init 'image' needs an initImage on the request.");
      checkImage(request.initImage, 'init image');
    }
    const blend = request.styles.map((s) => s.weight ?? 1);
    if (blend.some((w) => !(w >= 0)) || blend.every((w) => w === 0)) {
      throw new EngineError('OPTIONS_INVALID', 'Style blend weights must be >= 0 and not all 0.');
    }
    const plan = planRun(options, request.content);
    checkOptimizerMemory(options, request.content, this.config.maxOptimizerBytes ?? DEFAULT_MAX_OPTIMIZER_BYTES);
    throwIfAborted(signal);

    const selection = parseLayerSpec(options.layers);
    const lease = this.models.acquire(`${layerStructureKey(selection)} pooling=${options.pooling}`, () =>
      this.compile(selection, options.pooling),
    );
    try {
      const models = await raceAbort(lease.models, signal);
      return await this.run(request, options, seed, selection, plan, models, started);
    } finally {
      lease.release();
    }
  }

  private async run(
    request: StylizeRequest,
    options: EngineOptions,
    seed: number,
    selection: LayerSelection,
    plan: RunPlan,
    models: CompiledModels,
    started: number,
  ): Promise<StylizeResult> {
    const { signal } = request;
    const blend = request.styles.map((s) => s.weight ?? 1);
    const { scales: sizes, totalSteps } = plan;
    let offset = 0;
    const random = seededRandom(seed);
    const history: StepRecord[] = [];
    const weights: LossWeights = {
      style: options.styleWeight,
      content: options.contentWeight,
      tv: options.tvWeight,
      styleLayers: new Map(selection.style.map((s) => [s.layer, s.weight])),
    };

    let image: RgbImage | undefined;
    let losses: LossTerms | undefined;
    // L-BFGS's curvature estimate, carried to the next scale. The losses are means over pixels, so the
    // gradient per pixel, and the curvature with it, shrinks as the pixel count grows: the inverse curvature
    // is scaled by the ratio of pixel counts.
    let carried: number | undefined;
    let previousContent: RgbImage | undefined;
    // Every scale's targets before the first step: run between the loss model's runs, the targets model
    // shared the cores with the loss model's still-spinning worker at each scale (10-50 ms a scale at
    // 32-128 px, more at the full size). A scale's targets are dropped when its steps are done, as before.
    const scaleTargets: Array<ScaleTargets | undefined> = [];
    for (let scale = 0; scale < sizes.length; scale++) {
      const { width, height } = sizes[scale]!;
      const isLast = scale === sizes.length - 1;
      const content = isLast ? request.content : resizeImage(request.content, width, height);
      const factor = width / request.content.width;
      const styles = request.styles.map((s, i) => ({ image: isLast ? s.image : shrinkStyle(s.image, factor), weight: blend[i]! }));
      throwIfAborted(signal);
      scaleTargets.push(await targetsOf(models, content, styles, options.tileSize, signal));
    }
    for (let scale = 0; scale < sizes.length; scale++) {
      const { width, height } = sizes[scale]!;
      const isLast = scale === sizes.length - 1;
      const targets = scaleTargets[scale]!;
      scaleTargets[scale] = undefined;
      const { content } = targets;

      throwIfAborted(signal);
      const evaluator = await makeEvaluator(models, targets, weights, signal);

      image = image
        ? options.scaleDetail
          ? enlargeWithDetail(image, content, previousContent!)
          : resizeImage(image, width, height)
        : initialImage(options, content, random, request.initImage);
      previousContent = content;
      const steps = plan.stepsPerScale[scale]!;
      const optimizer = makeOptimizer(options, image.data.length, carried, steps);
      // Each scale evaluates its start and every update; the last also evaluates the result.
      const lastStep = isLast ? steps : steps - 1;
      for (let k = 0; k <= lastStep; k++) {
        throwIfAborted(signal);
        const step = offset + k;
        const evaluation = await evaluator.evaluate(image);
        losses = evaluation.losses;
        if (!Number.isFinite(losses.total)) {
          throw new EngineError('RUNTIME_FAILED', `The loss became ${losses.total} at step ${step}; try lower weights or learning rate.`);
        }
        history.push({ step, scale, ...losses });
        const isFrame = step % options.frameEvery === 0 || step === totalSteps;
        const event: ProgressEvent = {
          step,
          totalSteps,
          scale,
          scaleCount: sizes.length,
          width,
          height,
          losses,
          elapsedMs: performance.now() - started,
          ...(isFrame ? { frame: createImage(width, height, Float32Array.from(image.data)) } : {}),
        };
        request.onProgress?.(event);
        if (step < totalSteps) await optimizer.step(image.data, evaluation.gradient, losses.total);
      }
      offset += steps;
      if (optimizer instanceof Lbfgs && options.carryCurvature && !isLast) {
        const next = sizes[scale + 1]!;
        carried = (optimizer.inverseCurvature * (next.width * next.height)) / (width * height);
      }
    }

    const decision = this.decided!;
    return {
      image: image!,
      history,
      scales: sizes,
      ignoredScales: plan.ignored,
      losses: losses!,
      options: { ...options, seed },
      seconds: (performance.now() - started) / 1000,
      provider: decision.provider,
      providerReason: describeDecision(decision),
    };
  }

  async release(): Promise<void> {
    this.released = true;
    await this.models.clear();
    this.weightCache.clear();
  }

  private async compile(selection: LayerSelection, pooling: Pooling): Promise<CompiledModels> {
    const specs = vgg19Until(lastLayer(selection));
    const convs = specs.filter((s): s is ConvSpec => s.kind === 'conv');
    const source = this.config.weights ? 'in-memory weights' : this.config.weightsFile!;
    if (this.config.weights) {
      for (const c of convs) if (this.config.weights.has(c.name)) this.weightCache.set(c.name, this.config.weights.get(c.name)!);
    } else {
      const missing = convs.filter((c) => !this.weightCache.has(c.name));
      if (missing.length > 0) {
        for (const [name, w] of await loadVggWeights(this.config.weightsFile!, missing)) this.weightCache.set(name, w);
      }
    }
    const spec: ModelSpec = { layers: assembleNetwork(specs, this.weightCache, source), selection, pooling };
    const create = (provider: Provider) => createModels(spec, provider, this.config.threads ?? 0, this.config.profileDir);
    if (this.decision) return create((await this.decision).provider);

    // The first compile decides the provider for the engine's lifetime: later ones use what started.
    let first: CompiledModels | undefined;
    this.decision = startFirst(providerCandidates(this.config.provider ?? 'auto', this.config.cudaInstalled), create).then(({ value, decision }) => {
      first = value;
      this.decided = decision;
      // No WebGPU adapter is the normal case on a CPU machine, not worth a warning; anything else is.
      if (decision.failures.some((f) => !(f.provider === 'webgpu' && /adapter/i.test(f.error)))) {
        this.config.onWarning?.(`Running on ${decision.provider}: ${describeDecision(decision)}`, {
          provider: decision.provider,
          failures: decision.failures,
        });
      }
      return decision;
    });
    // A failed decision (no provider started at all) is retried by the next run.
    this.decision.catch(() => (this.decision = undefined));
    await this.decision;
    return first!;
  }
}

let profiled = 0;

async function createModels(spec: ModelSpec, provider: Provider, threads: number, profileDir?: string): Promise<CompiledModels> {
  // One prefix per session: ONNX Runtime names its files by the millisecond, and sessions are released together.
  const config = (name: string) => ({
    provider,
    threads,
    ...(profileDir ? { profilePrefix: path.join(profileDir, `${name}-${provider}-${++profiled}`) } : {}),
  });
  // The targets model runs twice per scale, between runs of the loss model. With its workers spinning, the
  // first loss-model run after it shared a core with them: 30-60 ms slower at 128-256 px, at every scale.
  const targets = await OrtModel.create(buildTargetsModel(spec), { ...config('targets'), spinning: false });
  let lossGrad: OrtModel;
  try {
    lossGrad = await OrtModel.create(buildLossGradModel(spec), config('loss'));
  } catch (error) {
    await targets.release();
    throw error;
  }
  let tiles: Promise<TileModels> | undefined;
  const compileTiles = async (): Promise<TileModels> => {
    const forward = await OrtModel.create(buildTileForwardModel(spec), config('tile-forward'));
    try {
      return { forward, grad: await OrtModel.create(buildTileGradModel(spec), config('tile-grad')) };
    } catch (error) {
      await forward.release();
      throw error;
    }
  };
  return {
    spec,
    targets,
    lossGrad,
    tiles: () => {
      tiles ??= compileTiles();
      // A failed compile is tried again by the next tiled run.
      tiles.catch(() => (tiles = undefined));
      return tiles;
    },
    release: async () => {
      await targets.release();
      await lossGrad.release();
      const compiled = await tiles?.catch(() => undefined);
      if (compiled) {
        await compiled.forward.release();
        await compiled.grad.release();
      }
    },
  };
}

function describeDecision(decision: ProviderDecision): string {
  const failed = decision.failures.map((f) => `${f.provider}: ${f.error}`).join('; ');
  return failed ? `${decision.reason} (${failed})` : decision.reason;
}

function parseOptions(input: StylizeRequest['options']): EngineOptions {
  const parsed = engineOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ');
    throw new EngineError('OPTIONS_INVALID', `Invalid style-transfer options: ${problems}.`);
  }
  return parsed.data;
}

function checkImage(image: RgbImage, what: string): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || data.length !== 3 * width * height) {
    throw new EngineError('IMAGE_INVALID', `The ${what} has ${data.length} values, not 3 x ${width} x ${height}.`);
  }
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    throw new EngineError(
      'IMAGE_TOO_SMALL',
      `The ${what} is ${width}x${height} px; each side must be at least ${MIN_IMAGE_SIDE} px. Use a larger image or size.`,
    );
  }
}

/** A style image for a coarser scale: shrunk like the content, but never under the minimum side. */
function shrinkStyle(style: RgbImage, factor: number): RgbImage {
  const { width, height } = styleSizeAt(style, factor);
  return resizeImage(style, width, height);
}

/**
 * The previous scale's result enlarged to the next size, with the content's detail that the coarser size
 * could not hold put back: x = up(result) + (content - up(coarse content)). An enlarged picture is blurred,
 * and the early layers' Gram matrices, which measure fine texture, are far from the style's: measured at
 * 128 -> 256 px, the style loss of the enlarged result was 20x its value at the end of the coarse scale,
 * and the content's detail alone cut that by 3x (docs/cli.md). A single-scale run starts from the content
 * with all its detail; this gives the fine scale the same start.
 */
function enlargeWithDetail(result: RgbImage, content: RgbImage, coarseContent: RgbImage): RgbImage {
  const { width, height } = content;
  const up = resizeImage(result, width, height);
  const blurred = resizeImage(coarseContent, width, height);
  const d = up.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]! + content.data[i]! - blurred.data[i]!;
    d[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return up;
}

function makeOptimizer(options: EngineOptions, size: number, initialHDiag: number | undefined, steps: number): PixelOptimizer {
  if (options.optimizer === 'adam') return new Adam(size, { lr: options.lr });
  return new Lbfgs({
    history: options.lbfgsHistory,
    // a scale of k updates makes at most k - 1 pairs: the history buffer is allocated for no more
    maxPairs: Math.max(1, steps - 1),
    ...(options.lbfgsMaxStep > 0 ? { maxStep: options.lbfgsMaxStep } : {}),
    ...(initialHDiag !== undefined ? { initialHDiag } : {}),
  });
}

/** One scale's content picture and targets, and the tile grid when the picture is evaluated in tiles. */
interface ScaleTargets {
  readonly content: RgbImage;
  readonly grid?: TileGrid;
  readonly targets: Targets;
}

/**
 * The targets of one scale: the whole image at once, or tiles when the picture is over the tiling
 * threshold (tiles/policy.ts). Each picture's targets are made the same way, by its own size: a large style
 * picture is tiled even when the content is not.
 */
async function targetsOf(
  models: CompiledModels,
  content: RgbImage,
  styles: ReadonlyArray<{ image: RgbImage; weight: number }>,
  tileSize: number,
  signal: AbortSignal | undefined,
): Promise<ScaleTargets> {
  const { spec } = models;
  const gridOf = (p: RgbImage) => {
    const size = tileSizeFor(tileSize, p);
    return size === undefined ? undefined : planTiles(p.width, p.height, size, usedNetwork(spec));
  };
  // Compiled on first use: only when some picture of this scale needs tiles.
  const tileModels = () => raceAbort(models.tiles(), signal);
  const grid = gridOf(content);
  const contentMaps = grid
    ? (await tiledFeatures((await tileModels()).forward, spec, content, grid, { content: true, grams: false })).content
    : await contentTargets(models.targets, spec, content);
  throwIfAborted(signal);
  const grams = await blendGrams(styles, async (image) => {
    const styleGrid = gridOf(image);
    return styleGrid
      ? (await tiledFeatures((await tileModels()).forward, spec, image, styleGrid, { content: false, grams: true })).grams
      : wholeImageGrams(models.targets, spec, image);
  });
  return { content, ...(grid ? { grid } : {}), targets: { content: contentMaps, grams } };
}

/** The evaluator of one scale: tile by tile when its targets were made on a tile grid, else the whole image. */
async function makeEvaluator(models: CompiledModels, scale: ScaleTargets, weights: LossWeights, signal: AbortSignal | undefined): Promise<Evaluator> {
  return scale.grid
    ? new TiledEvaluator(await raceAbort(models.tiles(), signal), models.spec, scale.grid, scale.targets, weights)
    : new WholeImageEvaluator(models.lossGrad, models.spec, scale.targets, weights);
}
