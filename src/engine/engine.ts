import type { LossTerms, ProgressEvent, StepRecord, StylizeRequest, StylizeResult } from './api.js';
import { EngineError } from './errors.js';
import { createImage, MIN_IMAGE_SIDE, type RgbImage } from './image.js';
import { lastLayer, layerSelectionKey, parseLayerSpec, type LayerSelection } from './layers.js';
import { buildLossGradModel, buildTargetsModel, IO, type ModelSpec } from './model/models.js';
import { assembleNetwork, type Pooling } from './model/network.js';
import { engineOptionsSchema, type EngineOptions } from './options.js';
import { Adam } from './optim/adam.js';
import { Lbfgs } from './optim/lbfgs.js';
import type { PixelOptimizer } from './optim/optimizer.js';
import { randomSeed, seededRandom } from './random.js';
import { fitLongSide, resizeImage } from './resize.js';
import { cudaProviderInstalled, OrtModel, type Provider, type TensorData } from './runtime/ort-session.js';
import { blendedGramTargets, contentTargets, imageTensor } from './targets.js';
import { vgg19Until, type ConvSpec } from './vgg19.js';
import { loadVggWeights, type ConvWeights } from './weights/index.js';

export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface EngineConfig {
  /** a Keras "notop" VGG19 HDF5 file holding at least the layers a run uses (see weights/resolve.ts) */
  readonly weightsFile?: string;
  /** weights already in memory, by layer name (benchmarks and tests); used instead of `weightsFile` */
  readonly weights?: ReadonlyMap<string, ConvWeights>;
  /** 'auto' (default) takes CUDA when ONNX Runtime's CUDA provider is installed and starts, else the CPU */
  readonly provider?: ProviderChoice;
  /** intra-op threads for the CPU provider; default 0: ONNX Runtime uses every physical core */
  readonly threads?: number;
}

interface CompiledModels {
  readonly spec: ModelSpec;
  readonly targets: OrtModel;
  readonly lossGrad: OrtModel;
}

/**
 * A style-transfer engine: weights loaded on first use, compiled ONNX models cached per layer set and
 * pooling. Create with `Engine.create`, call `stylize` as often as wanted, then `release` the native memory.
 */
export class Engine {
  private readonly weightCache = new Map<string, ConvWeights>();
  private readonly models = new Map<string, Promise<CompiledModels>>();
  private released = false;

  private constructor(
    private readonly config: EngineConfig,
    private provider: Provider,
  ) {}

  static async create(config: EngineConfig): Promise<Engine> {
    if (!config.weightsFile && !config.weights) {
      throw new EngineError('WEIGHTS_NOT_FOUND', 'The engine needs weights: pass weightsFile (a VGG19 .h5 file) or weights.');
    }
    const choice = config.provider ?? 'auto';
    const provider: Provider = choice === 'cuda' || (choice === 'auto' && cudaProviderInstalled()) ? 'cuda' : 'cpu';
    return new Engine(config, provider);
  }

  /** The execution provider runs use: 'cpu' or 'cuda'. */
  get executionProvider(): Provider {
    return this.provider;
  }

  async stylize(request: StylizeRequest): Promise<StylizeResult> {
    if (this.released) throw new EngineError('RUNTIME_FAILED', 'This engine was released; create a new one.');
    const started = performance.now();
    const options = parseOptions(request.options);
    const seed = options.seed ?? randomSeed();
    checkImage(request.content, 'content image');
    if (request.styles.length === 0) throw new EngineError('OPTIONS_INVALID', 'At least one style image is needed.');
    request.styles.forEach((s, i) => checkImage(s.image, request.styles.length > 1 ? `style image ${i + 1}` : 'style image'));
    const blend = request.styles.map((s) => s.weight ?? 1);
    if (blend.some((w) => !(w >= 0)) || blend.every((w) => w === 0)) {
      throw new EngineError('OPTIONS_INVALID', 'Style blend weights must be >= 0 and not all 0.');
    }

    const selection = parseLayerSpec(options.layers);
    const models = await this.compiled(selection, options.pooling);
    const sizes = planScales(request.content, options.scales);
    const totalSteps = options.steps * sizes.length;
    const random = seededRandom(seed);
    const history: StepRecord[] = [];
    const weightFeeds: Record<string, TensorData> = {
      [IO.styleWeight]: scalar(options.styleWeight),
      [IO.contentWeight]: scalar(options.contentWeight),
      [IO.tvWeight]: scalar(options.tvWeight),
    };

    let image: RgbImage | undefined;
    let losses: LossTerms | undefined;
    for (let scale = 0; scale < sizes.length; scale++) {
      const { width, height } = sizes[scale]!;
      const isLast = scale === sizes.length - 1;
      const content = isLast ? request.content : resizeImage(request.content, width, height);
      const factor = width / request.content.width;
      const styles = request.styles.map((s, i) => ({ image: isLast ? s.image : shrinkStyle(s.image, factor), weight: blend[i]! }));

      const feeds: Record<string, TensorData> = { ...weightFeeds };
      for (const [layer, t] of await contentTargets(models.targets, models.spec, content)) feeds[IO.contentTarget(layer)] = t;
      for (const [layer, t] of await blendedGramTargets(models.targets, models.spec, styles)) feeds[IO.gramTarget(layer)] = t;

      image = image ? resizeImage(image, width, height) : initialImage(options.init, content, random);
      const optimizer = makeOptimizer(options, image.data.length);
      const lastStep = isLast ? options.steps : options.steps - 1;
      for (let k = 0; k <= lastStep; k++) {
        if (request.signal?.aborted) throw new EngineError('CANCELLED', 'The style transfer was cancelled.');
        const step = scale * options.steps + k;
        const out = await models.lossGrad.run({ ...feeds, [IO.image]: imageTensor(image) });
        losses = {
          total: out[IO.total]!.data[0]!,
          style: out[IO.style]!.data[0]!,
          content: out[IO.content]!.data[0]!,
          tv: out[IO.tv]!.data[0]!,
        };
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
        if (step < totalSteps) optimizer.step(image.data, out[IO.gradient]!.data, losses.total);
      }
    }

    return {
      image: image!,
      history,
      scales: sizes,
      losses: losses!,
      options: { ...options, seed },
      seconds: (performance.now() - started) / 1000,
      provider: this.provider,
    };
  }

  async release(): Promise<void> {
    this.released = true;
    const compiled = [...this.models.values()];
    this.models.clear();
    for (const pending of compiled) {
      const models = await pending.catch(() => undefined);
      await models?.targets.release();
      await models?.lossGrad.release();
    }
    this.weightCache.clear();
  }

  private compiled(selection: LayerSelection, pooling: Pooling): Promise<CompiledModels> {
    const key = `${layerSelectionKey(selection)} pooling=${pooling}`;
    let pending = this.models.get(key);
    if (!pending) {
      pending = this.compile(selection, pooling);
      this.models.set(key, pending);
      pending.catch(() => this.models.delete(key));
    }
    return pending;
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
    const create = async (provider: Provider) => {
      const config = { provider, threads: this.config.threads ?? 0 };
      const targets = await OrtModel.create(buildTargetsModel(spec), config);
      try {
        return { spec, targets, lossGrad: await OrtModel.create(buildLossGradModel(spec), config) };
      } catch (error) {
        await targets.release();
        throw error;
      }
    };
    try {
      return await create(this.provider);
    } catch (error) {
      // 'auto' found the CUDA library but no usable GPU: the CPU always works.
      if (this.provider === 'cuda' && (this.config.provider ?? 'auto') === 'auto') {
        this.provider = 'cpu';
        return create('cpu');
      }
      throw error;
    }
  }
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

/** The sizes to optimise at, coarse to fine: the requested smaller long sides, then the content's own size. */
function planScales(content: RgbImage, scales: readonly number[]): Array<{ width: number; height: number }> {
  const longSide = Math.max(content.width, content.height);
  const coarse = [...new Set(scales)]
    .filter((s) => s < longSide)
    .sort((a, b) => a - b)
    .map((s) => fitLongSide(content.width, content.height, s))
    .filter((size) => Math.min(size.width, size.height) >= MIN_IMAGE_SIDE);
  return [...coarse, { width: content.width, height: content.height }];
}

/** A style image for a coarser scale: shrunk like the content, but never under the minimum side. */
function shrinkStyle(style: RgbImage, factor: number): RgbImage {
  const minSide = Math.min(style.width, style.height);
  const f = Math.min(1, Math.max(factor, MIN_IMAGE_SIDE / minSide));
  return resizeImage(style, Math.max(MIN_IMAGE_SIDE, Math.round(style.width * f)), Math.max(MIN_IMAGE_SIDE, Math.round(style.height * f)));
}

function initialImage(init: EngineOptions['init'], content: RgbImage, random: () => number): RgbImage {
  if (init === 'content') return createImage(content.width, content.height, Float32Array.from(content.data));
  return createImage(content.width, content.height, Float32Array.from({ length: content.data.length }, random));
}

function makeOptimizer(options: EngineOptions, size: number): PixelOptimizer {
  return options.optimizer === 'adam' ? new Adam(size, { lr: options.lr }) : new Lbfgs({ history: options.lbfgsHistory });
}

function scalar(value: number): TensorData {
  return { data: Float32Array.of(value), dims: [] };
}
