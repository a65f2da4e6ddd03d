import type { LossTerms, RgbImage } from '../engine/index.js';
import { encodePng, type DecodeLimits, type Size } from '../images/index.js';
import { stylizeImages, type PipelineSummary, type StylizeEngine, type StylizeOptions } from '../pipeline/index.js';

/** A job as the runner sees it: the pictures and the resolved options, nothing about chat or storage. */
export interface RunnerJob {
  readonly id: string;
  readonly content: Uint8Array;
  readonly styles: readonly Uint8Array[];
  readonly options: StylizeOptions;
  /** encoded starting picture (a follow-up's parent result), when the options start from an image */
  readonly initImage?: Uint8Array;
  /** the platform's upload limit: every output is kept under it */
  readonly maxUploadBytes?: number;
}

export interface RunnerProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly losses: LossTerms;
  /**
   * a small PNG of a recent frame (long side at most PREVIEW_MAX_SIDE). Previews are encoded one at a
   * time off the step loop, so an event with a preview repeats the latest step rather than the frame's.
   */
  readonly preview?: Uint8Array;
}

export interface RunnerContext {
  readonly onProgress: (progress: RunnerProgress) => void;
  /** aborted on cancel or shutdown; the runner stops before its next step and rejects */
  readonly signal: AbortSignal;
}

export interface RunnerResult {
  /** the stylised picture, PNG */
  readonly png: Uint8Array;
  readonly gif: Uint8Array;
  /** the loss curve, PNG */
  readonly plot: Uint8Array;
  readonly summary: PipelineSummary;
}

/** Runs one job to its result. The queue calls it; tests pass a fake they drive step by step. */
export type JobRunner = (job: RunnerJob, context: RunnerContext) => Promise<RunnerResult>;

/** Previews are for a chat message's thumbnail: a larger one only costs encode time and upload bytes. */
export const PREVIEW_MAX_SIDE = 256;

export interface PipelineRunnerOptions {
  /**
   * One engine per worker slot: an Engine runs one stylisation at a time, so the queue's concurrency must
   * not exceed this count (a surplus job would wait here for a free engine).
   */
  readonly engines: readonly StylizeEngine[];
  readonly limits?: Partial<DecodeLimits>;
  readonly gifMaxBytes?: number;
  /** turns a frame into preview bytes; default a PNG shrunk to PREVIEW_MAX_SIDE */
  readonly encodePreview?: (frame: RgbImage) => Promise<Uint8Array>;
}

/** The default preview: the frame shrunk to fit PREVIEW_MAX_SIDE, as PNG. */
export function encodePreviewPng(frame: RgbImage): Promise<Uint8Array> {
  return encodePng(frame, fitWithin(frame, PREVIEW_MAX_SIDE));
}

/**
 * The production pipeline on a free engine (the engine worker runs it inside its thread; the CLI and
 * tests may run it in-process). Frames become previews through a LatestFramePreviews.
 */
export function createPipelineRunner(options: PipelineRunnerOptions): JobRunner {
  if (options.engines.length === 0) throw new RangeError('createPipelineRunner needs at least one engine');
  const free = [...options.engines];
  const waiting: Array<(engine: StylizeEngine) => void> = [];
  const acquire = () => new Promise<StylizeEngine>((resolve) => (free.length > 0 ? resolve(free.pop()!) : waiting.push(resolve)));
  const release = (engine: StylizeEngine) => (waiting.length > 0 ? waiting.shift()!(engine) : free.push(engine));
  const encode = options.encodePreview ?? encodePreviewPng;

  return async (job, context) => {
    const engine = await acquire();
    let latest: RunnerProgress | undefined;
    const previews = new LatestFramePreviews(encode, (preview) => {
      if (latest && !context.signal.aborted) context.onProgress({ ...latest, preview });
    });
    try {
      const result = await stylizeImages({
        content: job.content,
        styles: job.styles,
        options: job.options,
        engine,
        limits: options.limits,
        gifMaxBytes: options.gifMaxBytes,
        signal: context.signal,
        initImage: job.initImage,
        maxUploadBytes: job.maxUploadBytes,
        onProgress: (event) => {
          latest = { step: event.step, totalSteps: event.totalSteps, losses: event.losses };
          context.onProgress(latest);
          if (event.frame) previews.offer(event.frame);
        },
      });
      // no progress may follow the result
      await previews.idle();
      return { png: result.png, gif: result.gif, plot: result.plot, summary: result.summary };
    } finally {
      previews.stop();
      release(engine);
    }
  };
}

/**
 * Encodes previews one at a time, newest first: a frame that arrives while one is encoding replaces the
 * frame waiting behind it, so with `frameEvery` 1 at most two frames are held and one encode runs, however
 * fast the steps come. A failed encode only loses that preview.
 */
export class LatestFramePreviews {
  private waiting: RgbImage | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly encode: (frame: RgbImage) => Promise<Uint8Array>,
    private readonly deliver: (preview: Uint8Array) => void,
  ) {}

  offer(frame: RgbImage): void {
    if (this.stopped) return;
    this.waiting = frame;
    this.running ??= this.drain();
  }

  /** Resolves when no encode is running or waiting. */
  async idle(): Promise<void> {
    for (let running = this.running; running; running = this.running === running ? undefined : this.running) await running;
  }

  /** Frames offered from now on are dropped; a running encode is not delivered. */
  stop(): void {
    this.stopped = true;
    this.waiting = undefined;
  }

  private async drain(): Promise<void> {
    while (this.waiting && !this.stopped) {
      const frame = this.waiting;
      this.waiting = undefined;
      const preview = await this.encode(frame).catch(() => undefined);
      if (preview && !this.stopped) this.deliver(preview);
    }
    this.running = undefined;
  }
}

function fitWithin(size: Size, maxSide: number): Size {
  const scale = Math.min(1, maxSide / Math.max(size.width, size.height));
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}
