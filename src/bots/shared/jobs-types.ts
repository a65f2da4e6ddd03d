// The job service's types the core uses, in one place, so that following the jobs module is one edit.
export type {
  FailureCode,
  FailureDetails,
  FollowUpAction,
  FollowUpRequest,
  HistoryPage,
  JobResultFiles,
  SubmitRequest,
  JobEventMap,
  JobEventSource,
  JobPosition,
  JobView,
  PresetOwner,
  PresetView,
  Requester,
  ServerLimitKey,
  ServerRef,
  ServerSettingsUpdate,
  ServerSettingsView,
} from '../../jobs/index.js';
export type { JobCard } from '../../jobs/index.js';
export type { StylizeOptionsInput } from '../../pipeline/index.js';
