// Every JobError and job failure in words, written once: what went wrong and what to do next. The job
// service and the store keep codes and details only; these functions render them when a reply is made
// (so stored failures of old jobs read as well as new ones). Self-contained: imports only from src/jobs.
import {
  IMAGE_INPUT_MESSAGES,
  type FailureCode,
  type FailureDetails,
  type InputProblem,
  type JobErrorDetails,
  type LimitKind,
  type MemoryFit,
  type OptionViolation,
  type PictureRef,
  type ShareCodeProblem,
} from '../../../jobs/index.js';

const LIMIT_TEXT: Record<LimitKind, (max: number) => string> = {
  waiting: (max) => `You already have ${max} ${max === 1 ? 'job' : 'jobs'} waiting in this server, the most allowed.`,
  userBudget: () => `You have used your compute time for this hour in this server.`,
  serverBudget: () => `This server has used its compute time for this hour.`,
  presets: (max) => `You have ${max} presets, the most allowed: delete one first.`,
};

/** The user-facing sentence of a refusal; `now` turns retry times into "in 12 minutes". */
export function describeJobError(details: JobErrorDetails, now: number): string {
  switch (details.code) {
    case 'INVALID_OPTIONS':
      return `${details.source === 'options' ? 'Some options are not valid' : `The ${details.source} has options that are not valid`}:\n${listViolations(details.violations)}`;
    case 'INVALID_INPUT':
      return inputProblemText(details);
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
      const retryAt = details.retryAt === null ? null : new Date(details.retryAt).getTime();
      const when = retryAt !== null ? ` Try again ${relative(retryAt - now)}.` : details.limit === 'presets' ? '' : ' Try again when your jobs in the queue have finished.';
      return `${LIMIT_TEXT[details.limit](details.max)}${when}`;
    }
    case 'JOB_TOO_LARGE':
      return (
        `This job needs about ${duration(details.estimatedSeconds)} of compute, more than the ${duration(details.budgetSeconds)} ` +
        `${details.scope === 'user' ? 'each user' : 'this server'} may use per hour: use fewer steps or a smaller size.`
      );
    case 'JOB_TOO_MUCH_MEMORY':
      return `This job needs about ${bytes(details.neededBytes)} of memory, more than the ${bytes(details.maxBytes)} a job may use here: ${memoryFitText(details.fits)}`;
    case 'JOB_NOT_FOUND':
      return `There is no job ${details.jobId} here: check the id in the bot's reply.`;
    case 'JOB_NOT_ACTIVE':
      if (details.status === 'running' || details.status === 'queued') return `Job ${details.jobId} is handled by another worker of this bot: try again in a minute.`;
      return `Job ${details.jobId} has already ${details.status === 'done' ? 'finished' : details.status === 'failed' ? 'failed' : 'been cancelled'}.`;
    case 'JOB_NOT_DONE':
      return details.status === 'queued' || details.status === 'running'
        ? `Job ${details.jobId} has not finished yet: its result comes in its thread when it is ready.`
        : `Job ${details.jobId} ${details.status === 'failed' ? 'failed' : 'was cancelled'}, so it has no result: start a new job instead.`;
    case 'FILES_PURGED':
      return `The pictures of job ${details.jobId} were deleted after the retention period, so they cannot be shown or used again: start a new job with the pictures.`;
    case 'FOLLOW_UP_AT_CAP':
      return `Job ${details.jobId} is already ${details.size} px, the largest size this server allows (${details.maxSize} px), so it cannot go higher.`;
    case 'NOT_OWNER':
      return `Job ${details.jobId} is someone else's: only its owner or a server admin can cancel it.`;
    case 'NOT_ADMIN':
      return `Only a server admin can change this server's settings.`;
    case 'SHUTTING_DOWN':
      return `The bot is restarting: send the job again in a minute.`;
  }
}

/** Why an accepted job produced no result, for its owner. */
export function describeFailure(code: FailureCode, details: FailureDetails | null | undefined): string {
  const jobId = details?.jobId ?? '';
  const job = jobId === '' ? 'this job' : `job ${jobId}`;
  if (!details || details.code !== code) return `Something went wrong while stylising ${job}. Try again; if it fails again, try a smaller size or fewer steps.`;
  switch (details.code) {
    case 'INVALID_INPUT':
      if (details.problem === 'engine') {
        return details.engineCode === 'IMAGE_TOO_SMALL'
          ? `A picture of ${job} is too small at this size. Send a larger picture or choose a larger size.`
          : `A picture of ${job} could not be used. Send it again as PNG or JPEG.`;
      }
      return inputProblemText(details);
    case 'INVALID_OPTIONS':
      return details.stored
        ? `Job ${jobId} was stored with options this version no longer accepts: send it again.\n${listViolations(details.violations)}`
        : `These options cannot run:\n${listViolations(details.violations)}`;
    case 'ENGINE_UNAVAILABLE':
      return `The bot cannot load its neural network right now, so ${job} could not run. The operator has the details; try again later.`;
    case 'INPUT_MISSING':
      return `The pictures of ${job} are no longer stored: send them again.`;
    case 'INTERRUPTED':
      return `Job ${jobId} was interrupted by a bot restart ${details.attempts} times, so it was stopped. Try a smaller size or fewer steps.`;
    case 'ENGINE_CRASHED':
      return `The engine stopped unexpectedly while running ${job} (probably out of memory): try a smaller size, fewer styles or a shorter L-BFGS history.`;
    case 'INTERNAL':
      return `Something went wrong while stylising ${job}. Try again; if it fails again, try a smaller size or fewer steps.`;
  }
}

function inputProblemText(problem: InputProblem): string {
  switch (problem.problem) {
    case 'noStyle':
      return 'Attach at least one style picture: the style to paint the content picture in.';
    case 'tooManyStyles':
      return `Attach at most ${problem.max} style pictures (you sent ${problem.got}).`;
    case 'image':
      return IMAGE_INPUT_MESSAGES[problem.imageCode](problem.picture === null && problem.subject ? problem.subject : pictureName(problem.picture), problem.imageDetails);
  }
}

function pictureName(picture: PictureRef | null): string {
  if (!picture) return 'A picture';
  if (picture.role === 'content') return 'The content picture';
  if (picture.role === 'init') return 'The starting picture';
  return picture.count === 1 ? 'The style picture' : `Style picture ${picture.index}`;
}

function memoryFitText(fits: MemoryFit): string {
  const parts: string[] = [];
  if (fits.size !== null) parts.push(`a size of at most ${fits.size} px`);
  if (fits.lbfgsHistory !== null) parts.push(`an L-BFGS history of at most ${fits.lbfgsHistory}`);
  if (parts.length === 0) return 'use a smaller size, a smaller style scale or the Adam optimizer.';
  return `with these options, ${parts.join(' or ')} fits.`;
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

function bytes(n: number): string {
  const gib = n / 2 ** 30;
  return gib >= 1 ? `${gib.toFixed(gib < 10 ? 1 : 0)} GB` : `${Math.max(1, Math.round(n / 2 ** 20))} MB`;
}
