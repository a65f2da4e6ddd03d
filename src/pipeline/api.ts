import type { Engine, LossTerms, ProgressEvent, StepRecord } from '../engine/index.js';
import type { StylizeOptions, StylizeOptionsInput } from './options.js';

/** Input limits checked from the file header before anything is decoded. */
export interface DecodeLimits {
  /** default 25 MB */
  readonly maxBytes: number;
  /** default 40 megapixels */
  readonly maxPixels: number;
  /** default 16 px (the engine's MIN_IMAGE_SIDE) */
  readonly minSide: number;
}

export interface PipelineRequest {
  /** the encoded content image as the user sent it (JPEG, PNG, WebP, GIF) */
  readonly content: Uint8Array;
  /** encoded style images, at least one */
  readonly styles: readonly Uint8Array[];
  readonly options?: StylizeOptionsInput;
  readonly engine: Engine;
  readonly limits?: Partial<DecodeLimits>;
  /** the engine's progress, every step; `frame` present on frame steps */
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
  /** GIF byte budget, default 8 MB (Discord rejects bot uploads over 10 MiB) */
  readonly gifMaxBytes?: number;
}

export interface PipelineSummary extends LossTerms {
  readonly steps: number;
  readonly seconds: number;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly provider: string;
}

export interface PipelineResult {
  /** the stylised picture as PNG */
  readonly png: Buffer;
  /** the progression GIF: the initial image, then a frame every `frameEvery` steps */
  readonly gif: Buffer;
  /** the loss curve as PNG */
  readonly plot: Buffer;
  readonly history: readonly StepRecord[];
  readonly summary: PipelineSummary;
  /** the options as run, defaults and seed filled in */
  readonly options: StylizeOptions & { seed: number };
}
