import type { LossTerms } from '../engine/index.js';
import { encodePng, type DecodeLimits } from '../images/index.js';
import { stylizeImages, type PipelineSummary, type StylizeEngine, type StylizeOptions } from '../pipeline/index.js';

/** A job as the runner sees it: the pictures and the resolved options, nothing about chat or storage. */
export interface RunnerJob {
  readonly id: string;
  readonly content: Uint8Array;
  readonly styles: readonly Uint8Array[];
  readonly options: StylizeOptions;
}

export interface RunnerProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly losses: LossTerms;
  /** the current picture as PNG, on frame steps only */
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

export interface PipelineRunnerOptions {
  /**
   * One engine per worker slot: an Engine runs one stylisation at a time, so the queue's concurrency must
   * not exceed this count (a surplus job would wait here for a free engine).
   */
  readonly engines: readonly StylizeEngine[];
  readonly limits?: Partial<DecodeLimits>;
  readonly gifMaxBytes?: number;
}

/** The production runner: stylizeImages on a free engine, frames turned into PNG previews. */
export function createPipelineRunner(options: PipelineRunnerOptions): JobRunner {
  if (options.engines.length === 0) throw new RangeError('createPipelineRunner needs at least one engine');
  const free = [...options.engines];
  const waiting: Array<(engine: StylizeEngine) => void> = [];
  const acquire = () => new Promise<StylizeEngine>((resolve) => (free.length > 0 ? resolve(free.pop()!) : waiting.push(resolve)));
  const release = (engine: StylizeEngine) => (waiting.length > 0 ? waiting.shift()!(engine) : free.push(engine));

  return async (job, context) => {
    const engine = await acquire();
    // Previews are encoded off the step loop; the chain keeps progress reports in step order.
    let reports = Promise.resolve();
    try {
      const result = await stylizeImages({
        content: job.content,
        styles: job.styles,
        options: job.options,
        engine,
        limits: options.limits,
        gifMaxBytes: options.gifMaxBytes,
        signal: context.signal,
        onProgress: (event) => {
          const progress = { step: event.step, totalSteps: event.totalSteps, losses: event.losses };
          const frame = event.frame;
          const preview = frame ? encodePng(frame).catch(() => undefined) : undefined;
          reports = reports.then(async () => {
            const png = await preview;
            context.onProgress(png ? { ...progress, preview: png } : progress);
          });
        },
      });
      await reports;
      return { png: result.png, gif: result.gif, plot: result.plot, summary: result.summary };
    } finally {
      release(engine);
    }
  };
}
