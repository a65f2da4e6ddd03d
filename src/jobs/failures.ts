import { isEngineError, type EngineErrorCode } from '../engine/index.js';
import { isImageInputError } from '../images/index.js';
import { isStylizeOptionsError } from '../pipeline/index.js';
import type { InputProblem, OptionViolation } from './errors.js';

/** Why a job that was accepted did not produce a result. */
export type FailureCode =
  | 'INVALID_INPUT' // a picture the decoder or the engine refused
  | 'INVALID_OPTIONS' // options the pipeline or engine refused, or stored ones this version refuses
  | 'ENGINE_UNAVAILABLE' // weights missing or unreadable: the operator's problem
  | 'INPUT_MISSING' // the stored input files are gone
  | 'INTERRUPTED' // restarts kept killing it
  | 'ENGINE_CRASHED' // the engine's worker thread died under it (out of memory, a native crash)
  | 'INTERNAL'; // anything else

/** The numbers and names of a failure, stored as JSON with the job and rendered into words when read. */
export type FailureDetails =
  | ({ readonly code: 'INVALID_INPUT'; readonly jobId: string } & (InputProblem | { readonly problem: 'engine'; readonly engineCode: EngineErrorCode }))
  | { readonly code: 'INVALID_OPTIONS'; readonly jobId: string; readonly violations: readonly OptionViolation[]; readonly stored: boolean }
  | { readonly code: 'ENGINE_UNAVAILABLE'; readonly jobId: string; readonly engineCode: EngineErrorCode }
  | { readonly code: 'INPUT_MISSING'; readonly jobId: string }
  | { readonly code: 'INTERRUPTED'; readonly jobId: string; readonly attempts: number }
  | { readonly code: 'ENGINE_CRASHED'; readonly jobId: string; readonly exitCode: number | null }
  | { readonly code: 'INTERNAL'; readonly jobId: string };

export interface JobFailure {
  readonly code: FailureCode;
  readonly details: FailureDetails;
  /** whether the operator should look at the logs */
  readonly operatorError: boolean;
}

const failure = (details: FailureDetails, operatorError: boolean): JobFailure => ({ code: details.code, details, operatorError });

/** What a run's error means for its owner: a code and its details, decided once here. */
export function classifyFailure(error: unknown, jobId: string): JobFailure {
  if (isImageInputError(error)) {
    return failure({ code: 'INVALID_INPUT', jobId, problem: 'image', picture: null, imageCode: error.code, imageDetails: error.details, subject: error.subject }, false);
  }
  if (isStylizeOptionsError(error)) {
    return failure({ code: 'INVALID_OPTIONS', jobId, violations: error.issues.map((i) => ({ option: i.key, message: i.message })), stored: false }, false);
  }
  if (isEngineError(error)) {
    switch (error.code) {
      case 'IMAGE_TOO_SMALL':
      case 'IMAGE_INVALID':
        return failure({ code: 'INVALID_INPUT', jobId, problem: 'engine', engineCode: error.code }, false);
      case 'LAYER_SPEC_INVALID':
      case 'OPTIONS_INVALID':
      case 'MEMORY_LIMIT':
        // the engine's own line names the option and the value; it is the closest thing to a detail it has
        return failure({ code: 'INVALID_OPTIONS', jobId, violations: [{ option: error.code === 'LAYER_SPEC_INVALID' ? 'layers' : error.code === 'MEMORY_LIMIT' ? 'size' : 'options', message: error.message }], stored: false }, false);
      case 'WEIGHTS_NOT_FOUND':
      case 'WEIGHTS_INVALID':
      case 'WEIGHTS_DOWNLOAD_FAILED':
        return failure({ code: 'ENGINE_UNAVAILABLE', jobId, engineCode: error.code }, true);
      default:
        break;
    }
  }
  if (isWorkerCrash(error)) return failure({ code: 'ENGINE_CRASHED', jobId, exitCode: error.exitCode }, true);
  return failure({ code: 'INTERNAL', jobId }, true);
}

/**
 * src/worker's EngineWorkerError, known by its code: the worker sits above the jobs (it imports their runner
 * types), so importing its class here would make the two depend on each other.
 */
function isWorkerCrash(error: unknown): error is { readonly exitCode: number | null } {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 'WORKER_CRASHED') return false;
  const exitCode = (error as { exitCode?: unknown }).exitCode;
  return exitCode === null || typeof exitCode === 'number';
}

export function interruptedFailure(jobId: string, attempts: number): JobFailure {
  return failure({ code: 'INTERRUPTED', jobId, attempts }, true);
}

export function missingInputFailure(jobId: string): JobFailure {
  return failure({ code: 'INPUT_MISSING', jobId }, true);
}

export function storedOptionsFailure(jobId: string, violations: readonly OptionViolation[]): JobFailure {
  return failure({ code: 'INVALID_OPTIONS', jobId, violations, stored: true }, false);
}
