import type { RgbImage } from './image.js';
import type { EngineOptions, EngineOptionsInput } from './options.js';
import type { IgnoredScale } from './plan.js';

/** The loss terms as the optimiser sees them: each already multiplied by its weight, total = the sum. */
export interface LossTerms {
  readonly total: number;
  readonly style: number;
  readonly content: number;
  readonly tv: number;
}

export interface StepRecord extends LossTerms {
  /** 0-based step over the whole run (all scales); step 0 is the initial image */
  readonly step: number;
  /** index into the run's scales */
  readonly scale: number;
}

export interface ProgressEvent {
  /** steps done so far over the whole run */
  readonly step: number;
  readonly totalSteps: number;
  readonly scale: number;
  readonly scaleCount: number;
  readonly width: number;
  readonly height: number;
  /** losses of the image before this step's update (for step === totalSteps: of the result) */
  readonly losses: LossTerms;
  readonly elapsedMs: number;
  /** the current image, present for step 0, every `frameEvery` steps and the last step */
  readonly frame?: RgbImage;
}

export interface StyleImage {
  readonly image: RgbImage;
  /** blend weight; weights are normalised to sum to 1. Default 1. */
  readonly weight?: number;
}

export interface StylizeRequest {
  /** the content image at the working size: the run ends at this size */
  readonly content: RgbImage;
  /** one or more style images, already scaled as the caller wants them matched */
  readonly styles: readonly StyleImage[];
  readonly options?: EngineOptionsInput;
  /** called after every step; keep it cheap (frames are copies, safe to keep) */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * the starting picture for init 'image' (e.g. an earlier result), any size: the engine resizes it to the
   * first scale's size
   */
  readonly initImage?: RgbImage;
  /**
   * cancels with EngineError code CANCELLED: between steps, and at once while weights load or models
   * compile (those finish in the background and stay cached)
   */
  readonly signal?: AbortSignal;
}

export interface StylizeResult {
  readonly image: RgbImage;
  /** one record per evaluated step, the final evaluation of the result included */
  readonly history: readonly StepRecord[];
  /** the sizes the run optimised at, coarse to fine; `StepRecord.scale` indexes this */
  readonly scales: ReadonlyArray<{ readonly width: number; readonly height: number }>;
  /** requested coarse scales that did not run, and why (see planRun) */
  readonly ignoredScales: readonly IgnoredScale[];
  /** the final losses, of `image` */
  readonly losses: LossTerms;
  /** the options as run, seed included, so that the run can be repeated */
  readonly options: EngineOptions & { seed: number };
  readonly seconds: number;
  /** ONNX Runtime execution provider that ran the model: 'cpu', 'cuda' or 'webgpu' */
  readonly provider: string;
  /** why this provider ran, e.g. "auto: the CUDA provider is not installed; no WebGPU adapter (...)" */
  readonly providerReason: string;
}
