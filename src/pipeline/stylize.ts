import {
  fromInterleavedRgb,
  planRun,
  tileSizeFor,
  toInterleavedRgb,
  type ProgressEvent,
  type RgbImage,
  type StyleImage,
} from '../engine/index.js';
import {
  decodeImage,
  DEFAULT_DECODE_LIMITS,
  DEFAULT_GIF_MAX_BYTES,
  FrameRecorder,
  preserveColors,
  resampleRgb8,
  type DecodedImage,
  type ImageHeader,
  type Size,
} from '../images/index.js';
import type { PipelineAdjustment, PipelineInput, PipelineRequest, PipelineResult, StylizeEngine } from './api.js';
import { DEFAULT_MAX_UPLOAD_BYTES, gifWithin, plotWithin, pngWithin } from './budget.js';
import { matchLuminance } from './luminance.js';
import { StylizeOptionsError } from './errors.js';
import { engineOptionsOf, parseStylizeOptions, type StylizeOptions } from './options.js';

/** GIF frames are at most this wide or high: larger runs are shown shrunk, which also keeps the file small. */
export const GIF_MAX_SIDE = 512;

/** Decoded, resized, validated inputs: everything the engine needs, before any compute is spent on it. */
export interface PreparedInputs {
  readonly options: StylizeOptions;
  /** the content at the working size */
  readonly content: RgbImage;
  /** the content as uploaded: size and format */
  readonly contentSource: ImageHeader;
  readonly styles: readonly StyleImage[];
  /** the picture to start from, at the working size (init 'image') */
  readonly initImage?: RgbImage;
  /** what differs from the request so far (a thin picture's grown size, coarse scales that cannot run, tiles) */
  readonly adjustments: readonly PipelineAdjustment[];
}

export interface RunOptions {
  readonly engine: StylizeEngine;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
  readonly gifMaxBytes?: number;
  readonly maxUploadBytes?: number;
}

/** The whole job: decode and check the pictures, run the engine, encode the result, its GIF and its plot. */
export async function stylizeImages(request: PipelineRequest): Promise<PipelineResult> {
  return runPrepared(await prepareInputs(request), request);
}

/**
 * The first half of stylizeImages, on its own so that a caller can refuse bad pictures or options before
 * it loads weights (the CLI downloads 80 MB otherwise). Throws StylizeOptionsError or ImageInputError.
 */
export async function prepareInputs(input: PipelineInput): Promise<PreparedInputs> {
  const parsed = parseStylizeOptions(input.options);
  if (parsed.init === 'image' && !input.initImage) {
    throw new StylizeOptionsError([{ key: 'init', message: "'image' needs a picture to start from (a result to continue)" }]);
  }
  // A given picture is what the run starts from; the options as run say so, for the card and for repeats.
  const options = input.initImage ? { ...parsed, init: 'image' as const } : parsed;
  if (input.styles.length === 0) throw new StylizeOptionsError([{ key: 'styles', message: 'give at least one style image' }]);
  const blend = options.styleBlend;
  if (blend !== undefined) {
    if (blend.length !== input.styles.length) {
      throw new StylizeOptionsError([
        { key: 'styleBlend', message: `${blend.length} weights for ${input.styles.length} style image${input.styles.length > 1 ? 's' : ''}: give one per style image` },
      ]);
    }
    if (!blend.some((w) => w > 0)) {
      throw new StylizeOptionsError([{ key: 'styleBlend', message: 'at least one weight must be above 0' }]);
    }
  }

  const limits = { ...DEFAULT_DECODE_LIMITS, ...input.limits };
  const styleSide = Math.max(limits.minSide, Math.round(options.size * options.styleScale));
  const one = input.styles.length === 1;
  const jobs: Array<Promise<DecodedImage>> = [
    decodeImage(input.content, { limits, longSide: options.size, subject: 'The content image' }),
    ...input.styles.map((bytes, i) =>
      decodeImage(bytes, { limits, longSide: styleSide, subject: one ? 'The style image' : `Style image ${i + 1}` }),
    ),
    ...(input.initImage ? [decodeImage(input.initImage, { limits, longSide: options.size, subject: 'The picture to start from' })] : []),
  ];
  // Every picture is checked; the first problem in the order the user gave them is the one reported.
  const settled = await Promise.allSettled(jobs);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
  const decoded = settled.map((s) => (s as PromiseFulfilledResult<DecodedImage>).value);
  const content = decoded[0]!;
  const styles = decoded.slice(1, 1 + input.styles.length);
  const initImage = input.initImage ? decoded.at(-1)!.image : undefined;
  return {
    options,
    content: content.image,
    contentSource: content.source,
    // With colour preservation only the luminance of the result is kept: the styles' luminance is matched
    // to the content's first, so that the style's brightness and contrast do not override the photo's.
    styles: styles.map((s, i) => ({
      image: options.preserveColors ? matchLuminance(s.image, content.image) : s.image,
      weight: blend?.[i] ?? 1,
    })),
    ...(initImage ? { initImage } : {}),
    adjustments: sizeAdjustments(options, content.image),
  };
}

function sizeAdjustments(options: StylizeOptions, working: Size): PipelineAdjustment[] {
  const adjustments: PipelineAdjustment[] = [];
  const used = Math.max(working.width, working.height);
  if (used > options.size) adjustments.push({ kind: 'size-grown', requested: options.size, used });
  for (const ignored of planRun(options, working).ignored) adjustments.push({ kind: 'scale-ignored', ...ignored });
  const tileSize = tileSizeFor(options.tileSize, working);
  if (tileSize !== undefined) adjustments.push({ kind: 'tiled', tileSize });
  return adjustments;
}

/** The second half: the engine run and the three outputs. */
export async function runPrepared(prepared: PreparedInputs, run: RunOptions): Promise<PipelineResult> {
  const started = performance.now();
  const { options, content } = prepared;
  const gifSize = fitWithin(content, GIF_MAX_SIDE);
  const gifContent = options.preserveColors ? resampledImage(content, gifSize) : undefined;
  const recorder = new FrameRecorder({
    size: gifSize,
    transform: gifContent && ((frame) => preserveColors(frame, gifContent)),
  });

  const result = await run.engine.stylize({
    content,
    styles: prepared.styles,
    options: engineOptionsOf(options),
    ...(prepared.initImage ? { initImage: prepared.initImage } : {}),
    signal: run.signal,
    onProgress: (event) => {
      if (event.frame) recorder.add(event.frame, event.step);
      run.onProgress?.(event);
    },
  });

  const lastStep = result.history.at(-1)?.step ?? 0;
  recorder.add(result.image, lastStep, true);
  const finalImage = options.preserveColors ? preserveColors(result.image, content) : result.image;
  const wanted: Size = options.upscale ? prepared.contentSource : finalImage;
  const maxBytes = run.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const [png, gif, plot] = await Promise.all([
    pngWithin(finalImage, { width: wanted.width, height: wanted.height }, maxBytes),
    gifWithin(recorder.frames, gifSize, Math.min(run.gifMaxBytes ?? DEFAULT_GIF_MAX_BYTES, maxBytes)),
    plotWithin(result.history, { scaleSizes: result.scales.map((s) => Math.max(s.width, s.height)), title: 'Loss per step' }, maxBytes),
  ]);
  const adjustments = [...prepared.adjustments];
  if (png.width !== wanted.width || png.height !== wanted.height) {
    adjustments.push({ kind: 'result-downsized', from: { width: wanted.width, height: wanted.height }, to: { width: png.width, height: png.height }, maxBytes });
  }

  return {
    png: png.png,
    gif,
    plot,
    history: result.history,
    options: { ...options, seed: result.options.seed },
    summary: {
      ...result.losses,
      steps: lastStep,
      seconds: (performance.now() - started) / 1000,
      width: png.width,
      height: png.height,
      seed: result.options.seed,
      provider: result.provider,
      providerReason: result.providerReason,
      working: { width: content.width, height: content.height },
      adjustments,
    },
  };
}

function fitWithin(size: Size, maxSide: number): Size {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

function resampledImage(image: RgbImage, size: Size): RgbImage {
  return fromInterleavedRgb(resampleRgb8(toInterleavedRgb(image), image, size), size.width, size.height);
}
