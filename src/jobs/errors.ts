/**
 * Every way a request to the job service can be refused, with its user-facing text written once here.
 * Each message says what is wrong and what to do next; adapters may render `details` their own way
 * (relative times, option names as their platform spells them) but need not.
 */
export interface OptionViolation {
  /** the option's key in stylizeOptionsSchema, or 'options' for the whole object */
  readonly option: string;
  /** what is wrong, e.g. "must be at most 5000 (got 9000)" */
  readonly message: string;
}

export type LimitKind = 'waiting' | 'userBudget' | 'serverBudget' | 'presets';

export type ShareCodeProblem = 'malformed' | 'version' | 'checksum' | 'content';

export type JobErrorDetails =
  | { readonly code: 'INVALID_OPTIONS'; readonly violations: readonly OptionViolation[]; readonly source: string }
  | { readonly code: 'INVALID_INPUT'; readonly reason: string }
  | { readonly code: 'INVALID_PRESET_NAME'; readonly name: string }
  | { readonly code: 'PRESET_NOT_FOUND'; readonly name: string }
  | { readonly code: 'PRESET_EXISTS'; readonly name: string }
  | { readonly code: 'INVALID_SHARE_CODE'; readonly problem: ShareCodeProblem; readonly violations: readonly OptionViolation[] }
  | { readonly code: 'LIMIT_REACHED'; readonly limit: LimitKind; readonly max: number; readonly retryAt: Date | null }
  | { readonly code: 'JOB_TOO_LARGE'; readonly estimatedSeconds: number; readonly budgetSeconds: number; readonly scope: 'user' | 'server' }
  | { readonly code: 'JOB_NOT_FOUND'; readonly jobId: string }
  | { readonly code: 'JOB_NOT_ACTIVE'; readonly jobId: string; readonly status: string }
  | { readonly code: 'NOT_OWNER'; readonly jobId: string }
  | { readonly code: 'NOT_ADMIN' }
  | { readonly code: 'SHUTTING_DOWN' };

export type JobErrorCode = JobErrorDetails['code'];

export class JobError extends Error {
  override readonly name = 'JobError';
  readonly code: JobErrorCode;

  /** `now` turns retry times into "in 12 minutes"; the text is fixed when the error is made. */
  constructor(
    readonly details: JobErrorDetails,
    now: number = Date.now(),
    options?: { cause?: unknown },
  ) {
    super(messageFor(details, now), options);
    this.code = details.code;
  }
}

export function isJobError<C extends JobErrorCode>(error: unknown, code?: C): error is JobError & { code: C; details: Extract<JobErrorDetails, { code: C }> } {
  return error instanceof JobError && (code === undefined || error.code === code);
}

const LIMIT_TEXT: Record<LimitKind, (max: number) => string> = {
  waiting: (max) => `You already have ${max} ${max === 1 ? 'job' : 'jobs'} waiting in this server, the most allowed.`,
  userBudget: () => `You have used your compute time for this hour in this server.`,
  serverBudget: () => `This server has used its compute time for this hour.`,
  presets: (max) => `You have ${max} presets, the most allowed: delete one first.`,
};

function messageFor(details: JobErrorDetails, now: number): string {
  switch (details.code) {
    case 'INVALID_OPTIONS':
      return `${details.source === 'options' ? 'Some options are not valid' : `The ${details.source} has options that are not valid`}:\n${listViolations(details.violations)}`;
    case 'INVALID_INPUT':
      return details.reason;
    case 'INVALID_PRESET_NAME':
      return `"${details.name}" cannot be a preset name: use 1 to 32 letters, digits, - or _, starting with a letter or digit.`;
    case 'PRESET_NOT_FOUND':
      return `You have no preset named "${details.name}": list yours to see the names.`;
    case 'PRESET_EXISTS':
      return `You already have a preset named "${details.name}": import under another name, or delete yours first.`;
    case 'INVALID_SHARE_CODE':
      return shareCodeText(details.problem, details.violations);
    case 'LIMIT_REACHED': {
      if (details.limit === 'waiting' && details.max === 0) return 'This server takes jobs only when the worker is free, and it is busy: try again in a few minutes.';
      const when = details.retryAt ? ` Try again ${relative(details.retryAt.getTime() - now)}.` : details.limit === 'presets' ? '' : ' Try again when your jobs in the queue have finished.';
      return `${LIMIT_TEXT[details.limit](details.max)}${when}`;
    }
    case 'JOB_TOO_LARGE':
      return (
        `This job needs about ${duration(details.estimatedSeconds)} of compute, more than the ${duration(details.budgetSeconds)} ` +
        `${details.scope === 'user' ? 'each user' : 'this server'} may use per hour: use fewer steps or a smaller size.`
      );
    case 'JOB_NOT_FOUND':
      return `There is no job ${details.jobId} here: check the id in the bot's reply.`;
    case 'JOB_NOT_ACTIVE':
      return `Job ${details.jobId} has already ${details.status === 'done' ? 'finished' : details.status === 'failed' ? 'failed' : 'been cancelled'}.`;
    case 'NOT_OWNER':
      return `Job ${details.jobId} is someone else's: only its owner or a server admin can cancel it.`;
    case 'NOT_ADMIN':
      return `Only a server admin can change this server's settings.`;
    case 'SHUTTING_DOWN':
      return `The bot is restarting: send the job again in a minute.`;
  }
}

function shareCodeText(problem: ShareCodeProblem, violations: readonly OptionViolation[]): string {
  switch (problem) {
    case 'malformed':
      return 'That is not a preset share code: copy the whole code (it starts with sb1.) and try again.';
    case 'version':
      return 'That share code comes from a newer version of the bot: ask for a code from this one.';
    case 'checksum':
      return 'That share code was changed or cut off after it was made: copy the whole code again, exactly.';
    case 'content':
      return `That share code holds options this bot does not accept:\n${listViolations(violations)}`;
  }
}

function listViolations(violations: readonly OptionViolation[]): string {
  return violations.map((v) => `• ${v.option}: ${v.message}`).join('\n');
}

/** "in 45 seconds", "in 12 minutes", "in 1 hour 5 minutes" */
export function relative(ms: number): string {
  return ms <= 0 ? 'now' : `in ${duration(ms / 1000)}`;
}

export function duration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h} hour${h === 1 ? '' : 's'}${m ? ` ${m} minute${m === 1 ? '' : 's'}` : ''}`;
}
