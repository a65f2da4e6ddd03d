import type { RgbImage } from './image.js';
import type { EngineOptions, EngineOptionsInput } from './options.js';

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
  /** cancels between steps with EngineError code CANCELLED */
  readonly signal?: AbortSignal;
}

export interface StylizeResult {
  readonly image: RgbImage;
  /** one record per evaluated step, the final evaluation of the result included */
  readonly history: readonly StepRecord[];
  /** the sizes the run optimised at, coarse to fine; `StepRecord.scale` indexes this */
  readonly scales: ReadonlyArray<{ readonly width: number; readonly height: number }>;
  /** the final losses, of `image` */
  readonly losses: LossTerms;
  /** the options as run, seed included, so that the run can be repeated */
  readonly options: EngineOptions & { seed: number };
  readonly seconds: number;
  /** ONNX Runtime execution provider that ran the model: 'cpu' or 'cuda' */
  readonly provider: string;
}
