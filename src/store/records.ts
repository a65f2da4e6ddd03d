/**
 * What the repositories hand out: plain data, no Prisma types, so that nothing outside src/store depends on
 * the generated client. JSON columns come back parsed but unvalidated (`unknown`): the module that owns
 * their shape (src/jobs) validates them.
 */
export type Platform = string;

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const ACTIVE_STATUSES: readonly JobStatus[] = ['queued', 'running'];

export interface JobInputRecord {
  /** 0: content; 1..: styles in order */
  readonly position: number;
  /** init: the starting picture of a follow-up (the parent's result) */
  readonly role: 'content' | 'style' | 'init';
  readonly hash: string;
  /** relative to the data directory */
  readonly path: string;
  readonly bytes: number;
}

export interface JobRecord {
  readonly id: string;
  readonly platform: Platform;
  readonly serverId: string;
  readonly channelId: string;
  readonly threadId: string | null;
  readonly userId: string;
  readonly status: JobStatus;
  readonly options: unknown;
  readonly presetName: string | null;
  readonly totalSteps: number;
  readonly progressStep: number;
  readonly attempts: number;
  readonly estimatedSeconds: number;
  readonly computeSeconds: number | null;
  readonly secondsPerStep: number | null;
  readonly resultPath: string | null;
  readonly gifPath: string | null;
  readonly plotPath: string | null;
  readonly summary: unknown;
  /** a failure code; with errorDetails, rendered into words by the bot layer */
  readonly errorCode: string | null;
  readonly errorDetails: unknown;
  readonly cancelledBy: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly filesPurgedAt: Date | null;
  readonly inputs: readonly JobInputRecord[];
  /** the adapter's opaque JSON pointer to the conversation; null when none was given */
  readonly replyRef: unknown;
  readonly uploadLimitBytes: number | null;
  readonly parentId: string | null;
  readonly followUp: string | null;
  /** the process running it, while it runs */
  readonly owner: string | null;
  readonly leaseUntil: Date | null;
}

/** What a new job row is made of: the record's identity, request and estimate, before any progress. */
export type NewJob = Pick<
  JobRecord,
  | 'id'
  | 'platform'
  | 'serverId'
  | 'channelId'
  | 'threadId'
  | 'userId'
  | 'options'
  | 'presetName'
  | 'totalSteps'
  | 'estimatedSeconds'
  | 'createdAt'
  | 'inputs'
  | 'replyRef'
  | 'uploadLimitBytes'
  | 'parentId'
  | 'followUp'
>;

/** A process's claim on a job it runs: it holds while the heartbeat keeps `leaseUntil` in the future. */
export interface JobClaim {
  readonly owner: string;
  readonly now: Date;
  readonly leaseUntil: Date;
}

/** A page of a user's jobs, newest first; `before` continues after the last job of the previous page. */
export interface HistoryQuery {
  readonly limit: number;
  readonly before?: { readonly createdAt: Date; readonly id: string };
}

export interface JobDone {
  readonly finishedAt: Date;
  readonly computeSeconds: number;
  readonly secondsPerStep: number;
  readonly progressStep: number;
  readonly resultPath: string;
  readonly gifPath: string;
  readonly plotPath: string;
  readonly summary: unknown;
}

export interface JobEnded {
  readonly finishedAt: Date;
  /** compute spent before it ended; null when it never ran */
  readonly computeSeconds: number | null;
  /** how far it got; absent keeps the stored value */
  readonly progressStep?: number;
}

/** A finished run as budgets and the estimator see it. */
export interface ComputeRecord {
  readonly finishedAt: Date;
  readonly computeSeconds: number;
}

export interface PresetRecord {
  readonly id: number;
  readonly platform: Platform;
  readonly userId: string;
  readonly name: string;
  readonly options: unknown;
  readonly isDefault: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ServerSettingsRecord {
  readonly platform: Platform;
  readonly serverId: string;
  readonly maxConcurrent: number | null;
  readonly maxRunningPerUser: number | null;
  readonly maxWaitingPerUser: number | null;
  readonly userHourlySeconds: number | null;
  readonly serverHourlySeconds: number | null;
  readonly maxSize: number | null;
  readonly maxSteps: number | null;
  readonly maxJobMemoryBytes: number | null;
  readonly defaults: unknown;
  readonly updatedAt: Date;
}

/** Fields of ServerSettingsRecord that can be changed; undefined keeps, null resets to the built-in default. */
export type ServerSettingsPatch = Partial<Omit<ServerSettingsRecord, 'platform' | 'serverId' | 'updatedAt'>>;
