import { isEngineError } from '../engine/index.js';
import { isImageInputError } from '../images/index.js';
import { isStylizeOptionsError } from '../pipeline/index.js';

/** Why a job that was accepted did not produce a result. */
export type FailureCode =
  | 'INVALID_INPUT' // a picture the decoder refused
  | 'INVALID_OPTIONS' // options the pipeline or engine refused
  | 'ENGINE_UNAVAILABLE' // weights missing or unreadable: the operator's problem
  | 'INPUT_MISSING' // the stored input files are gone
  | 'INTERRUPTED' // restarts kept killing it
  | 'INTERNAL'; // anything else

export interface JobFailure {
  readonly code: FailureCode;
  /** user-facing: what happened and what to do */
  readonly reason: string;
  /** whether the operator should look at the logs */
  readonly operatorError: boolean;
}

/** The user-facing reason for a failed run, written once. */
export function describeFailure(error: unknown, jobId: string): JobFailure {
  if (isImageInputError(error)) return { code: 'INVALID_INPUT', reason: error.message, operatorError: false };
  if (isStylizeOptionsError(error)) {
    const issues = error.issues.map((i) => `${i.key}: ${i.message}`).join('; ');
    return { code: 'INVALID_OPTIONS', reason: `These options cannot run: ${issues}.`, operatorError: false };
  }
  if (isEngineError(error)) {
    switch (error.code) {
      case 'IMAGE_TOO_SMALL':
      case 'IMAGE_INVALID':
        return { code: 'INVALID_INPUT', reason: `${error.message} Send a larger picture or choose a larger size.`, operatorError: false };
      case 'LAYER_SPEC_INVALID':
      case 'OPTIONS_INVALID':
        return { code: 'INVALID_OPTIONS', reason: error.message, operatorError: false };
      case 'WEIGHTS_NOT_FOUND':
      case 'WEIGHTS_INVALID':
      case 'WEIGHTS_DOWNLOAD_FAILED':
        return { code: 'ENGINE_UNAVAILABLE', reason: `The bot cannot load its neural network right now, so job ${jobId} could not run. The operator has the details; try again later.`, operatorError: true };
      default:
        break;
    }
  }
  return { code: 'INTERNAL', reason: `Something went wrong while stylising job ${jobId}. Try again; if it fails again, try a smaller size or fewer steps.`, operatorError: true };
}

export function interruptedFailure(jobId: string, attempts: number): JobFailure {
  return {
    code: 'INTERRUPTED',
    reason: `Job ${jobId} was interrupted by a bot restart ${attempts} times, so it was stopped. Try a smaller size or fewer steps.`,
    operatorError: true,
  };
}

export function missingInputFailure(jobId: string): JobFailure {
  return { code: 'INPUT_MISSING', reason: `The pictures of job ${jobId} are no longer stored: send them again.`, operatorError: true };
}
