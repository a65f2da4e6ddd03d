import type { LossTerms } from '../../../engine/index.js';
import type { FailureCode, FailureDetails, JobView } from '../../../jobs/index.js';
import { describeAdjustment, knownAdjustments, type PipelineSummary } from '../../../pipeline/index.js';
import { encodeAction } from '../actions.js';
import type { ActionButton, ImageRef, MessageParts } from '../contract.js';
import { about, shortDuration } from './format.js';
import { describeFailure } from './job-errors.js';

/** Small print under every message that shows a picture: the job and where the method comes from. */
export function jobFooter(jobId: string): string {
  return `Job ${jobId} · Stylebot · neural style transfer after Gatys, Ecker & Bethge (2015)`;
}

/** 1200 -> 1.2e3, 4.512 -> 4.5, 0.004 -> 4e-3: a status line has room for two digits. */
export function compactLoss(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) >= 1000 || Math.abs(value) < 0.01)) return value.toExponential(1).replace('e+', 'e').replace('.0e', 'e');
  return String(Number(value.toPrecision(2)));
}

/** "Queued — position 2, about 3 min" (the time until the result is ready) */
export function queuedLine(position: number, etaSeconds: number): string {
  return `Queued — ${position <= 1 ? 'next' : `position ${position}`}, ${about(etaSeconds)}`;
}

/** "step 40/180 · style 1.2e3 · content 4.5 · about 1 min left" */
export function progressLine(step: number, totalSteps: number, losses: Pick<LossTerms, 'style' | 'content'>, secondsLeft: number | null): string {
  const parts = [`step ${step}/${totalSteps}`, `style ${compactLoss(losses.style)}`, `content ${compactLoss(losses.content)}`];
  if (secondsLeft !== null && Number.isFinite(secondsLeft)) parts.push(`${about(secondsLeft)} left`);
  return parts.join(' · ');
}

export function cancelButton(jobId: string): ActionButton {
  return { id: encodeAction('cancel', jobId), label: 'Cancel', style: 'danger' };
}

/** The buttons under a finished job's result. */
export function followUpButtons(jobId: string): ActionButton[] {
  return [
    { id: encodeAction('seed', jobId), label: 'New seed', style: 'primary' },
    { id: encodeAction('style', jobId), label: 'More style', style: 'secondary' },
    { id: encodeAction('content', jobId), label: 'More content', style: 'secondary' },
    { id: encodeAction('upscale', jobId), label: 'Higher resolution', style: 'secondary' },
    { id: encodeAction('save', jobId), label: 'Save as preset', style: 'secondary', asksFor: { label: 'Preset name', placeholder: 'e.g. soft-waves', maxLength: 32 } },
    { id: encodeAction('card', jobId), label: 'Card', style: 'secondary' },
  ];
}

/** Discord's limit on a thread's name; the shortest of the platforms that name one */
const THREAD_TITLE_MAX = 100;

/**
 * The name of a job's thread: it outlives every status, so it says what the job is, not where it stands.
 * `subject` is the content picture's file name (a new job) or what a follow-up does; default 'stylize'.
 */
export function threadTitle(job: Pick<JobView, 'id'>, subject?: string): string {
  // a file name may carry line breaks or runs of spaces, which a thread name cannot show
  const what = subject?.replace(/\s+/g, ' ').trim() || 'stylize';
  const title = `Stylebot job ${job.id} — ${what}`;
  return title.length <= THREAD_TITLE_MAX ? title : `${title.slice(0, THREAD_TITLE_MAX - 1).trimEnd()}…`;
}

/** "new seed of abc12345": a follow-up's subject in its thread's name */
export function followUpSubject(action: 'seed' | 'style' | 'content' | 'upscale', parentId: string): string {
  const what = { seed: 'new seed', style: 'more style', content: 'more content', upscale: 'higher resolution' }[action];
  return `${what} of ${parentId}`;
}

const owner = (job: Pick<JobView, 'id'>) => `Job \`${job.id}\``;

export function queuedStatus(job: JobView, position: number, etaSeconds: number): MessageParts {
  return { tone: 'progress', title: queuedLine(position, etaSeconds), body: `${owner(job)} is waiting for the worker.`, actions: [cancelButton(job.id)], footer: jobFooter(job.id) };
}

export function startedStatus(job: JobView, etaSeconds: number | null): MessageParts {
  return {
    tone: 'progress',
    title: etaSeconds === null ? 'Running' : `Running — ${about(etaSeconds)} left`,
    body: `${owner(job)} has started: ${job.totalSteps} steps at ${job.options.size} px.`,
    actions: [cancelButton(job.id)],
    footer: jobFooter(job.id),
  };
}

export function progressStatus(job: JobView, step: number, totalSteps: number, losses: LossTerms, secondsLeft: number | null, preview?: Uint8Array): MessageParts {
  return {
    tone: 'progress',
    title: secondsLeft === null ? 'Running' : `Running — ${about(secondsLeft)} left`,
    body: progressLine(step, totalSteps, losses, secondsLeft),
    ...(preview ? { images: [previewImage(job.id, step, preview)] } : {}),
    actions: [cancelButton(job.id)],
    footer: jobFooter(job.id),
  };
}

export function recoveredStatus(job: JobView, wasRunning: boolean): MessageParts {
  return {
    tone: 'info',
    title: 'Back in the queue after a restart',
    body: wasRunning ? `The bot restarted while ${owner(job)} was running: it starts again from the beginning.` : `The bot restarted; ${owner(job)} kept its place in the queue.`,
    actions: [cancelButton(job.id)],
    footer: jobFooter(job.id),
  };
}

export function cancelledStatus(job: JobView, wasRunning: boolean): MessageParts {
  return {
    tone: 'warning',
    title: 'Cancelled',
    body: wasRunning ? `${owner(job)} was stopped at step ${job.progressStep}/${job.totalSteps}.` : `${owner(job)} was cancelled before it started.`,
    footer: jobFooter(job.id),
  };
}

export function failedStatus(job: JobView, code: FailureCode, details: FailureDetails | null | undefined): MessageParts {
  return { tone: 'error', title: 'Failed', body: describeFailure(code, details), footer: jobFooter(job.id) };
}

export function doneStatus(job: JobView, seconds: number): MessageParts {
  return { tone: 'success', title: 'Done', body: `${owner(job)} finished in ${shortDuration(seconds)}: the result is below.`, footer: jobFooter(job.id) };
}

/*
 * The command's public reply ("Queued — position 2" with a Cancel button) once the story has moved to the
 * thread: a short line without buttons, so that it never shows a stale queue place or a Cancel that no
 * longer applies.
 */

export function replyRunning(job: Pick<JobView, 'id'>): MessageParts {
  return { tone: 'progress', title: 'Running — follow it in the thread', footer: jobFooter(job.id) };
}

export function replyDone(job: Pick<JobView, 'id'>): MessageParts {
  return { tone: 'success', title: 'Done — the result is in the thread', footer: jobFooter(job.id) };
}

export function replyCancelled(job: Pick<JobView, 'id'>): MessageParts {
  return { tone: 'warning', title: 'Cancelled', footer: jobFooter(job.id) };
}

/** the reason's first sentence: the whole sentence (and any list) is in the thread's status */
const REPLY_REASON_MAX = 150;

export function replyFailed(job: Pick<JobView, 'id'>, code: FailureCode, details: FailureDetails | null | undefined): MessageParts {
  const text = describeFailure(code, details).split('\n')[0]!.trim();
  const sentence = /^.*?[.!?:](?=\s|$)/.exec(text)?.[0] ?? text;
  const reason = sentence.replace(/:$/, '');
  const short = reason.length <= REPLY_REASON_MAX ? reason : `${reason.slice(0, REPLY_REASON_MAX - 1).trimEnd()}…`;
  return { tone: 'error', title: `Failed: ${short}`, footer: jobFooter(job.id) };
}

/** The card under a result: what it took to make it, and what to do next. */
export function resultCard(job: JobView, summary: PipelineSummary): MessageParts {
  const o = job.options;
  const fields = [
    { name: 'Size', value: `${summary.width}×${summary.height}`, inline: true },
    { name: 'Steps', value: `${summary.steps} (${o.optimizer})`, inline: true },
    { name: 'Seed', value: String(summary.seed), inline: true },
    { name: 'Style weight', value: String(o.styleWeight), inline: true },
    { name: 'Content weight', value: String(o.contentWeight), inline: true },
    { name: 'Time', value: `${shortDuration(summary.seconds)} on ${summary.provider}`, inline: true },
  ];
  if (job.presetName) fields.push({ name: 'Preset', value: job.presetName, inline: true });
  return {
    tone: 'success',
    title: `Result of job ${job.id}`,
    body: [
      `Final loss ${compactLoss(summary.total)} (style ${compactLoss(summary.style)}, content ${compactLoss(summary.content)}).`,
      ...knownAdjustments(summary.adjustments ?? []).map(describeAdjustment),
    ].join('\n'),
    fields,
    actions: followUpButtons(job.id),
    footer: jobFooter(job.id),
  };
}

export function resultImages(jobId: string, files: { readonly result: Uint8Array; readonly gif: Uint8Array; readonly plot: Uint8Array }): ImageRef[] {
  return [
    { role: 'result', name: `stylebot-${jobId}.png`, contentType: 'image/png', bytes: files.result, alt: `The stylised picture of job ${jobId}` },
    { role: 'gif', name: `stylebot-${jobId}-progress.gif`, contentType: 'image/gif', bytes: files.gif, alt: `How job ${jobId}'s picture changed, step by step` },
    { role: 'plot', name: `stylebot-${jobId}-losses.png`, contentType: 'image/png', bytes: files.plot, alt: `The loss curve of job ${jobId}` },
  ];
}

function previewImage(jobId: string, step: number, bytes: Uint8Array): ImageRef {
  return { role: 'preview', name: `stylebot-${jobId}-preview.png`, contentType: 'image/png', bytes, alt: `Job ${jobId} at step ${step}` };
}
