// The messages between the job runner (main thread) and an engine worker, and how errors cross over:
// structured clone keeps an Error's message but not its class, and the job service branches on classes.
import { EngineError, type EngineErrorCode, type ProviderChoice } from '../engine/index.js';
import { ImageInputError, type DecodeLimits, type ImageInputDetails, type ImageInputErrorCode } from '../images/index.js';
import { PipelineOutputError, StylizeOptionsError, type OptionIssue, type PipelineOutput } from '../pipeline/index.js';
import type { RunnerJob, RunnerProgress, RunnerResult } from '../jobs/runner.js';

/** What a worker is started with (`workerData`). */
export interface WorkerSetup {
  readonly weightsFile: string;
  readonly provider?: ProviderChoice;
  /** CPU threads of the worker's engine; unset: every core */
  readonly threads?: number;
  readonly limits?: Partial<DecodeLimits>;
  readonly gifMaxBytes?: number;
}

export type ToWorker =
  | { readonly type: 'run'; readonly job: RunnerJob }
  | { readonly type: 'cancel'; readonly jobId: string }
  /** release the engine and end the thread */
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'progress'; readonly jobId: string; readonly progress: RunnerProgress }
  | { readonly type: 'result'; readonly jobId: string; readonly result: RunnerResult }
  | { readonly type: 'error'; readonly jobId: string; readonly error: WireError }
  /** the engine's own warning (e.g. a failed CUDA start fell back to the CPU), once per engine */
  | { readonly type: 'warning'; readonly jobId: null; readonly message: string; readonly details: Readonly<Record<string, unknown>> };

export type WireError =
  | { readonly kind: 'engine'; readonly code: EngineErrorCode; readonly message: string }
  | { readonly kind: 'image'; readonly code: ImageInputErrorCode; readonly details: ImageInputDetails; readonly subject: string }
  | { readonly kind: 'options'; readonly issues: readonly OptionIssue[] }
  | { readonly kind: 'output'; readonly output: PipelineOutput; readonly maxBytes: number }
  | { readonly kind: 'other'; readonly name: string; readonly message: string; readonly stack?: string; readonly code?: string };

export function toWire(error: unknown): WireError {
  if (error instanceof EngineError) return { kind: 'engine', code: error.code, message: error.message };
  if (error instanceof ImageInputError) return { kind: 'image', code: error.code, details: error.details, subject: error.subject };
  if (error instanceof StylizeOptionsError) return { kind: 'options', issues: error.issues };
  if (error instanceof PipelineOutputError) return { kind: 'output', output: error.output, maxBytes: error.maxBytes };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { kind: 'other', name: error.name, message: error.message, stack: error.stack, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { kind: 'other', name: 'Error', message: String(error) };
}

export function fromWire(wire: WireError): Error {
  switch (wire.kind) {
    case 'engine':
      return new EngineError(wire.code, wire.message);
    case 'image':
      return new ImageInputError(wire.code, wire.details, wire.subject);
    case 'options':
      return new StylizeOptionsError(wire.issues);
    case 'output':
      return new PipelineOutputError(wire.output, wire.maxBytes);
    case 'other': {
      const error = new Error(wire.message);
      error.name = wire.name;
      // the worker's stack says where it went wrong; this thread's would only show the message handler
      if (wire.stack) error.stack = wire.stack;
      if (wire.code) Object.assign(error, { code: wire.code });
      return error;
    }
  }
}

/**
 * A copy with an ArrayBuffer of its own, safe to transfer: sharp's Buffers may be views into a larger or
 * externally owned allocation, which cannot (or must not) be detached.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
