// The stylisation pipeline: encoded pictures in, encoded result, GIF and loss plot out. Platform-neutral:
// the CLI, the job worker and the chat adapters all call it.
export type {
  DecodeLimits,
  PipelineAdjustment,
  PipelineInput,
  PipelineRequest,
  PipelineResult,
  PipelineSummary,
  StylizeEngine,
} from './api.js';
export { describeAdjustment, knownAdjustments } from './adjustments.js';
export { DEFAULT_MAX_UPLOAD_BYTES } from './budget.js';
export {
  isPipelineOutputError,
  isStylizeOptionsError,
  PipelineOutputError,
  StylizeOptionsError,
  type OptionIssue,
  type PipelineOutput,
} from './errors.js';
// The engine's plan and memory estimate, for job limits and ETAs: the same functions the engine runs by.
export { estimateMemoryBytes, planRun, type RunPlan } from '../engine/index.js';
export { estimateStylizeMemory, planStylize, workingSize } from './plan.js';
export {
  ENGINE_OPTION_KEYS,
  engineOptionsOf,
  parseStylizeOptions,
  STYLIZE_DEFAULTS,
  stylizeOptionsSchema,
  type StylizeOptionKey,
  type StylizeOptions,
  type StylizeOptionsInput,
} from './options.js';
export { GIF_MAX_SIDE, prepareInputs, runPrepared, stylizeImages, type PreparedInputs, type RunOptions } from './stylize.js';
export {
  descriptorsFor,
  findDescriptor,
  OPTION_DESCRIPTORS,
  parseRawOptions,
  SLASH_OPTION_LIMIT,
  type OptionDescriptor,
  type OptionKind,
  type OptionNames,
  type OptionSurface,
  type ParsedRawOptions,
  type RawOptionViolation,
} from './descriptors.js';
