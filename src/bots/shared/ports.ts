import type { Logger } from 'pino';
import type { DecodeLimits } from '../../images/index.js';
import type {
  FollowUpRequest,
  HistoryPage,
  JobEventSource,
  JobResultFiles,
  SubmitRequest,
  JobPosition,
  JobView,
  PresetOwner,
  PresetView,
  Requester,
  ServerRef,
  ServerSettingsUpdate,
  ServerSettingsView,
} from './jobs-types.js';
import type { JobCard } from './jobs-types.js';
import type { ReplyRef } from './contract.js';
import type { HandlerTable } from './handlers/context.js';
import type { Timers } from './timers.js';

/** What the core submits: the job service's request (with the replyRef of the command's conversation). */
export type SubmitInput = SubmitRequest;
export type FollowUpInput = FollowUpRequest;
export type ResultFilesView = JobResultFiles;
export type { HistoryPage };

/**
 * The part of JobService the core uses, narrow so that tests can run the real service and adapters never
 * see more. The composition root passes the JobService itself.
 */
export interface JobsPort {
  readonly events: JobEventSource;
  readonly presets: {
    save(owner: PresetOwner, name: string, options: unknown): Promise<{ preset: PresetView; created: boolean }>;
    list(owner: PresetOwner): Promise<PresetView[]>;
    show(owner: PresetOwner, name: string): Promise<PresetView>;
    delete(owner: PresetOwner, name: string): Promise<void>;
    setDefault(owner: PresetOwner, name: string | null): Promise<void>;
    share(owner: PresetOwner, name: string): Promise<string>;
    import(owner: PresetOwner, code: string, name?: string): Promise<PresetView>;
  };
  readonly settings: {
    get(server: ServerRef): Promise<ServerSettingsView>;
    update(update: ServerSettingsUpdate): Promise<ServerSettingsView>;
  };
  submit(request: SubmitInput): Promise<JobPosition>;
  followUp(requester: Requester, request: FollowUpInput): Promise<JobPosition>;
  cancel(requester: Requester, jobId: string): Promise<{ job: JobView; wasRunning: boolean }>;
  status(requester: Requester, jobId: string): Promise<JobPosition>;
  details(requester: Requester, jobId: string): Promise<JobCard>;
  resultFiles(requester: Requester, jobId: string): Promise<ResultFilesView>;
  list(filter: { platform: string; serverId: string; userId?: string }): JobPosition[];
  history(owner: { platform: string; userId: string }, page: { limit?: number; cursor?: string | null }): Promise<HistoryPage>;
  /** persists where the job's messages are (status message, conversation), so edits survive a restart */
  setReplyRef(jobId: string, replyRef: unknown): Promise<void>;
}

export interface AttachmentLimits {
  /** per picture, default 25 MB (the decoder's limit) */
  readonly maxBytes?: number;
  /** per download, default 20 s */
  readonly timeoutMs?: number;
  /** header limits: pixel count, smallest side */
  readonly decode?: Partial<DecodeLimits>;
}

export interface BotCoreDeps {
  readonly jobs: JobsPort;
  readonly logger: Logger;
  /** clock and timers for ETAs, coalesced edits, retries and download limits; default the system's */
  readonly timers?: Timers;
  readonly attachments?: AttachmentLimits;
  /** at most one status edit per job per this many ms, default 5000 */
  readonly editIntervalMs?: number;
  /** how long a new job's updates wait for the adapter's `bind` before the command's replyRef is used, default 30 s */
  readonly bindWaitMs?: number;
  /** attempts per transport call for retryable errors, default 5 */
  readonly transportAttempts?: number;
  /** how many recent delivery ids are remembered against redelivery, default 1000 */
  readonly rememberDeliveries?: number;
  /** history page size, default 10 */
  readonly historyPageSize?: number;
  /** new error ids for unexpected failures (tests pin them) */
  readonly newErrorId?: () => string;
  /**
   * Handlers of features that plug into the core (challenges: `{ challenge: … }`), or replacements. A
   * handler gets the same deps as the built-in ones and may throw JobError for the core to word.
   */
  readonly handlers?: Partial<HandlerTable>;
  /** the core's `bindChallenge`, given by the feature that owns challenges */
  readonly bindChallenge?: (challengeId: string, conversation: ReplyRef) => Promise<void>;
}

export type { ReplyRef };
