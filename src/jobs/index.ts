// The job queue's public surface: what chat adapters, the bot core and the composition root use.
// the start-time storage check, beside the job files it protects
export { checkWritable, isStoreError, StoreError, type StoreErrorCode, type WritablePaths } from '../store/index.js';
export { IMAGE_INPUT_MESSAGES, type ImageInputDetails, type ImageInputErrorCode } from '../images/index.js';
export { mayCancel, maySee, type Requester } from './access.js';
export { BUDGET_WINDOW_MS, checkBudget, type BudgetInput, type BudgetVerdict } from './budget.js';
export { cardOfRecord, decodeCursor, encodeCursor, type JobCard } from './card.js';
export { systemClock, systemTimers, type Clock, type Timers } from './clock.js';
export {
  isJobError,
  JobError,
  type InputProblem,
  type JobErrorCode,
  type JobErrorDetails,
  type LimitKind,
  type MemoryFit,
  type OptionViolation,
  type PictureRef,
  type ShareCodeProblem,
} from './errors.js';
export { SpeedEstimator, speedKind, totalSteps, workUnits, type JobEstimator, type SpeedSample } from './estimator.js';
export {
  FOLLOW_UP_ACTIONS,
  isFollowUp,
  JOB_EVENT_NAMES,
  JobEvents,
  jobViewOfRecord,
  TERMINAL_EVENTS,
  type FollowUpAction,
  type JobEventListener,
  type JobEventMap,
  type JobEventName,
  type JobEventSource,
  type JobView,
} from './events.js';
export { classifyFailure, type FailureCode, type FailureDetails, type JobFailure } from './failures.js';
export { JobFiles, type ResultFiles, type StoredFile } from './files.js';
export { CAN_START_FROM_IMAGE, FOLLOW_UP_WEIGHT_FACTOR, followUpPlan, type FollowUpPlan } from './follow-up.js';
export { createImageInputCheck, type InputCheck } from './input-check.js';
export { capViolations, checkServerCaps, DEFAULT_SERVER_LIMITS, SERVER_LIMIT_KEYS, serverLimitsSchema, type ServerLimitKey, type ServerLimits } from './limits.js';
export { jobMemoryBytes, memoryFit, tileToFit } from './memory.js';
export { describeIssue, OPTION_KEYS, patchViolations, resolveOptions, validatePatch, type OptionLayers, type OptionsPatch } from './options.js';
export { presetName, PresetService, type PresetOwner, type PresetView } from './presets.js';
export type { JobQueue } from './queue.js';
export * from './runner.js';
export { FairQueue, type Forecast, type QueueEntry } from './scheduler.js';
export { MAX_STYLE_IMAGES, type Conversation, type FollowUpRequest, type HistoryPage, type JobPosition, type JobResultFiles, type SubmitRequest } from './requests.js';
export { createJobService, JobService, newJobId, type JobServiceDeps, type JobServiceOptions } from './service.js';
export { ServerSettingsService, type ServerRef, type ServerSettingsUpdate, type ServerSettingsView } from './settings.js';
export { decodeShareCode, encodeShareCode, SHARE_CODE_VERSION, type SharedPreset } from './share-code.js';
export { packageVersions, type PackageVersions } from './versions.js';
