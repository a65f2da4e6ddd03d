import type { LossTerms, ProgressEvent, StepRecord, StylizeRequest, StylizeResult } from '../engine/index.js';
import type { DecodeLimits, Size } from '../images/index.js';
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
  /**
   * an encoded picture to start from (e.g. a parent job's result PNG), decoded and resized to the working
   * size; giving one makes the run start from it (`init` becomes 'image')
   */
  readonly initImage?: Uint8Array;
}

export interface PipelineRequest extends PipelineInput {
  readonly engine: StylizeEngine;
  /** the engine's progress, every step; `frame` present on frame steps */
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
  /** GIF byte budget, default 8 MB (Discord rejects bot uploads over 10 MiB); never above maxUploadBytes */
  readonly gifMaxBytes?: number;
  /**
   * the most bytes each output (result PNG, GIF, plot) may have, default 10 MiB: adapters pass their
   * platform's upload limit. Outputs over it are downsized (the PNG also with `upscale`).
   */
  readonly maxUploadBytes?: number;
}

/** Something the run did differently from what was asked, for the job card to say. */
export type PipelineAdjustment =
  /** a thin picture: the long side grew past `size` so that the short side reaches the network's minimum */
  | { readonly kind: 'size-grown'; readonly requested: number; readonly used: number }
  /** a coarse scale that did not run: not smaller than the working size, or too thin at this aspect */
  | { readonly kind: 'scale-ignored'; readonly size: number; readonly reason: 'not-smaller' | 'too-small' }
  /** the result PNG was downsized to fit the upload budget */
  | { readonly kind: 'result-downsized'; readonly from: Size; readonly to: Size; readonly maxBytes: number }
  /** the working size is evaluated in tiles (asked for, chosen by the engine for a large picture, or by the job limits to fit memory) */
  | { readonly kind: 'tiled'; readonly tileSize: number };

export interface PipelineSummary extends LossTerms {
  readonly steps: number;
  readonly seconds: number;
  /** size of `png`: the working size, or the upload's size with `upscale` */
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly provider: string;
  // The three below are always set by stylizeImages; optional so that stand-ins written before them still fit.
  /** why that provider ran (e.g. "auto: the CUDA provider is not installed; no WebGPU adapter") */
  readonly providerReason?: string;
  /** the size the engine optimised at */
  readonly working?: Size;
  readonly adjustments?: readonly PipelineAdjustment[];
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
