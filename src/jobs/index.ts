// The job queue's public surface: what chat adapters and the composition root use.
export { mayCancel, maySee, type Requester } from './access.js';
export { BUDGET_WINDOW_MS, checkBudget, type BudgetInput, type BudgetVerdict } from './budget.js';
export { systemClock, type Clock } from './clock.js';
export { duration, isJobError, JobError, relative, type JobErrorCode, type JobErrorDetails, type LimitKind, type OptionViolation, type ShareCodeProblem } from './errors.js';
export { SpeedEstimator, totalSteps, workUnits } from './estimator.js';
export type { JobEventListener, JobEventMap, JobEventName, JobEventSource, JobView } from './events.js';
export { describeFailure, type FailureCode, type JobFailure } from './failures.js';
export { JobFiles, type ResultFiles, type StoredFile } from './files.js';
export { createImageInputCheck, type InputCheck } from './input-check.js';
export { checkServerCaps, DEFAULT_SERVER_LIMITS, SERVER_LIMIT_KEYS, serverLimitsSchema, type ServerLimitKey, type ServerLimits } from './limits.js';
export { describeIssue, OPTION_KEYS, patchViolations, resolveOptions, validatePatch, type OptionLayers, type OptionsPatch } from './options.js';
export { presetName, PresetService, type PresetOwner, type PresetView } from './presets.js';
export { createPipelineRunner, type JobRunner, type PipelineRunnerOptions, type RunnerContext, type RunnerJob, type RunnerProgress, type RunnerResult } from './runner.js';
export { FairQueue, type Forecast, type QueueEntry } from './scheduler.js';
export { JobService, MAX_STYLE_IMAGES, newJobId, type JobPosition, type JobServiceDeps, type SubmitRequest } from './service.js';
export { ServerSettingsService, type ServerRef, type ServerSettingsUpdate, type ServerSettingsView } from './settings.js';
export { decodeShareCode, encodeShareCode, SHARE_CODE_VERSION, type SharedPreset } from './share-code.js';
