import type { LossTerms, ProgressEvent, StepRecord, StylizeRequest, StylizeResult } from '../engine/index.js';
import type { DecodeLimits } from '../images/index.js';
import type { StylizeOptions, StylizeOptionsInput } from './options.js';

export type { DecodeLimits } from '../images/index.js';

/**
 * What the pipeline needs of an engine: one method. Structural, so tests and a future remote engine can
 * stand in for the ONNX one.
 */
export interface StylizeEngine {
  stylize(request: StylizeRequest): Promise<StylizeResult>;
}

export interface PipelineInput {
  /** the encoded content image as the user sent it (JPEG, PNG, WebP, GIF) */
  readonly content: Uint8Array;
  /** encoded style images, at least one */
  readonly styles: readonly Uint8Array[];
  readonly options?: StylizeOptionsInput;
  readonly limits?: Partial<DecodeLimits>;
}

export interface PipelineRequest extends PipelineInput {
  readonly engine: StylizeEngine;
  /** the engine's progress, every step; `frame` present on frame steps */
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
  /** GIF byte budget, default 8 MB (Discord rejects bot uploads over 10 MiB) */
  readonly gifMaxBytes?: number;
}

export interface PipelineSummary extends LossTerms {
  readonly steps: number;
  readonly seconds: number;
  /** size of `png`: the working size, or the upload's size with `upscale` */
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly provider: string;
}

export interface PipelineResult {
  /** the stylised picture as PNG */
  readonly png: Buffer;
  /** the progression GIF: the initial image, then a frame every `frameEvery` steps, the result last */
  readonly gif: Buffer;
  /** the loss curve as PNG */
  readonly plot: Buffer;
  readonly history: readonly StepRecord[];
  readonly summary: PipelineSummary;
  /** the options as run, defaults and seed filled in */
  readonly options: StylizeOptions & { seed: number };
}
