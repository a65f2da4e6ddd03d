import type { ImageInputDetails, ImageInputErrorCode } from '../images/index.js';

/**
 * Every way a request to the job service can be refused, as a code and the numbers and names that make it
 * concrete. No sentences here: the bot layer (src/bots/shared/messages) turns details into words, so that
 * each platform, and each language later, renders them its own way.
 */
export interface OptionViolation {
  /** the option's key in stylizeOptionsSchema, or 'options' for the whole object */
  readonly option: string;
  /** what is wrong, e.g. "must be at most 5000 (got 9000)" */
  readonly message: string;
}

export type LimitKind = 'waiting' | 'userBudget' | 'serverBudget' | 'presets';

export type ShareCodeProblem = 'malformed' | 'version' | 'checksum' | 'content';

/** Which picture of a job: the content, a style (1-based `index` of `count`), or a follow-up's start. */
export interface PictureRef {
  readonly role: 'content' | 'style' | 'init';
  readonly index: number;
  readonly count: number;
}

export type InputProblem =
  | { readonly problem: 'noStyle' }
  | { readonly problem: 'tooManyStyles'; readonly max: number; readonly got: number }
  /** the image layer refused a picture: its code and numbers */
  | {
      readonly problem: 'image';
      readonly picture: PictureRef | null;
      readonly imageCode: ImageInputErrorCode;
      readonly imageDetails: ImageInputDetails;
      /** the image layer's own label of the picture, when `picture` is not known (a failure inside the pipeline) */
      readonly subject?: string;
    };

/** What would fit the memory budget with the other options unchanged; null when nothing would. */
export interface MemoryFit {
  readonly size: number | null;
  /** only for L-BFGS: the largest history at the requested size */
  readonly lbfgsHistory: number | null;
}

export type JobErrorDetails =
  | { readonly code: 'INVALID_OPTIONS'; readonly violations: readonly OptionViolation[]; readonly source: string }
  | ({ readonly code: 'INVALID_INPUT' } & InputProblem)
  | { readonly code: 'INVALID_PRESET_NAME'; readonly name: string }
  | { readonly code: 'PRESET_NOT_FOUND'; readonly name: string }
  | { readonly code: 'PRESET_EXISTS'; readonly name: string }
  | { readonly code: 'INVALID_SHARE_CODE'; readonly problem: ShareCodeProblem; readonly violations: readonly OptionViolation[] }
  | { readonly code: 'LIMIT_REACHED'; readonly limit: LimitKind; readonly max: number; readonly retryAt: Date | null }
  | { readonly code: 'JOB_TOO_LARGE'; readonly estimatedSeconds: number; readonly budgetSeconds: number; readonly scope: 'user' | 'server' }
  | { readonly code: 'JOB_TOO_MUCH_MEMORY'; readonly neededBytes: number; readonly maxBytes: number; readonly fits: MemoryFit }
  | { readonly code: 'JOB_NOT_FOUND'; readonly jobId: string }
  | { readonly code: 'JOB_NOT_ACTIVE'; readonly jobId: string; readonly status: string }
  /** results asked for (or followed up on) before the job finished, or of a job that failed */
  | { readonly code: 'JOB_NOT_DONE'; readonly jobId: string; readonly status: string }
  /** retention removed the job's files: nothing to re-post or follow up on */
  | { readonly code: 'FILES_PURGED'; readonly jobId: string; readonly purgedAt: Date }
  /** a higher-resolution follow-up of a job already at the server's largest size */
  | { readonly code: 'FOLLOW_UP_AT_CAP'; readonly jobId: string; readonly size: number; readonly maxSize: number }
  | { readonly code: 'NOT_OWNER'; readonly jobId: string }
  | { readonly code: 'NOT_ADMIN' }
  | { readonly code: 'SHUTTING_DOWN' };

export type JobErrorCode = JobErrorDetails['code'];

/**
 * A refusal of the job service. `message` is for developers and logs (the code and its details); users
 * get `describeJobError(error.details, now)` from the bot layer.
 */
export class JobError extends Error {
  override readonly name = 'JobError';
  readonly code: JobErrorCode;

  constructor(
    readonly details: JobErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(developerText(details), options);
    this.code = details.code;
  }
}

export function isJobError<C extends JobErrorCode>(error: unknown, code?: C): error is JobError & { code: C; details: Extract<JobErrorDetails, { code: C }> } {
  return error instanceof JobError && (code === undefined || error.code === code);
}

function developerText(details: JobErrorDetails): string {
  const { code, ...rest } = details;
  const json = JSON.stringify(rest);
  return json === '{}' ? code : `${code} ${json.length > 300 ? `${json.slice(0, 299)}…` : json}`;
}
