import { describeAdjustment, knownAdjustments, STYLIZE_DEFAULTS } from '../../../pipeline/index.js';
import type { MessageField, MessageParts } from '../contract.js';
import type { JobCard, JobPosition, JobView } from '../jobs-types.js';
import { about, code, shortDuration } from './format.js';
import { describeFailure } from './job-errors.js';
import { optionName } from './replies.js';
import { cancelButton, compactLoss, followUpButtons, jobFooter, queuedLine } from './status.js';

const STATUS_WORD: Record<JobView['status'], string> = { queued: 'waiting', running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' };

const when = (date: Date) => date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** One line of a queue or history list: "`abc12345` running — step 40/180, about 1 min left" */
export function jobLine(job: JobView, position?: Pick<JobPosition, 'position' | 'etaSeconds'>): string {
  const head = `${code(job.id)} ${job.options.size} px, ${job.totalSteps} steps`;
  if (job.status === 'queued' && position?.position) return `${head} — ${queuedLine(position.position, position.etaSeconds ?? 0).replace(/^Queued — /, 'waiting, ')}`;
  if (job.status === 'running') return `${head} — running, step ${job.progressStep}/${job.totalSteps}${position?.etaSeconds ? `, ${about(position.etaSeconds)} left` : ''}`;
  return `${head} — ${STATUS_WORD[job.status]}${job.finishedAt ? ` ${when(job.finishedAt)}` : ''}`;
}

/** What /job shows by default: where the job stands, with the buttons that fit its state. */
export function jobSummaryCard(p: JobPosition): MessageParts {
  const job = p.job;
  const actions = job.status === 'done' ? followUpButtons(job.id) : job.status === 'queued' || job.status === 'running' ? [cancelButton(job.id)] : [];
  return {
    tone: job.status === 'failed' ? 'error' : job.status === 'done' ? 'success' : 'info',
    title: `Job ${job.id}: ${STATUS_WORD[job.status]}`,
    body: jobLine(job, p),
    fields: optionFields(job),
    actions,
    footer: jobFooter(job.id),
  };
}

/** The options that differ from the built-in defaults, as users type them. */
function optionFields(job: JobView): MessageField[] {
  const fields: MessageField[] = [];
  for (const [key, value] of Object.entries(job.options)) {
    const fallback = (STYLIZE_DEFAULTS as Record<string, unknown>)[key];
    if (JSON.stringify(value) === JSON.stringify(fallback) && key !== 'size' && key !== 'steps') continue;
    fields.push({ name: optionName(key), value: Array.isArray(value) ? value.join(',') || 'none' : String(value), inline: true });
  }
  return fields;
}

/** The whole reproducibility card: everything needed to make the same picture again. */
export function fullCard(card: JobCard): MessageParts {
  const job = card.job;
  const fields: MessageField[] = [...optionFields({ ...job, options: card.options })];
  fields.push({ name: 'Seed used', value: card.seed === null ? 'not known' : String(card.seed), inline: true });
  if (card.result) fields.push({ name: 'Result', value: `${card.result.width}×${card.result.height}, ${card.result.steps} steps`, inline: true });
  const notes = knownAdjustments(card.adjustments).map(describeAdjustment);
  if (notes.length > 0) fields.push({ name: 'Adjustments', value: notes.join('\n') });
  if (card.losses) fields.push({ name: 'Final loss', value: `${compactLoss(card.losses.total)} (style ${compactLoss(card.losses.style)}, content ${compactLoss(card.losses.content)}, tv ${compactLoss(card.losses.tv)})` });
  for (const input of card.inputs) fields.push({ name: input.role === 'content' ? 'Content sha256' : input.role === 'init' ? 'Start sha256' : 'Style sha256', value: code(input.sha256) });
  fields.push({ name: 'Weights md5', value: card.weights.md5 ? code(card.weights.md5) : 'not recorded', inline: true });
  fields.push({ name: 'Provider', value: card.engine.provider ? `${card.engine.provider}${card.engine.reason ? ` (${card.engine.reason})` : ''}` : 'not recorded', inline: true });
  const versions = Object.entries(card.versions).filter(([, v]) => v);
  if (versions.length > 0) fields.push({ name: 'Versions', value: versions.map(([k, v]) => `${k} ${v}`).join(', '), inline: true });
  const t = card.timings;
  fields.push({
    name: 'Timings',
    value: [`queued ${when(t.queuedAt)}`, t.startedAt ? `started ${when(t.startedAt)}` : null, t.computeSeconds !== null ? `computed ${shortDuration(t.computeSeconds)}` : null, t.secondsPerStep ? `${t.secondsPerStep.toFixed(3)} s/step` : null]
      .filter(Boolean)
      .join(', '),
  });
  if (card.parentId) fields.push({ name: 'Follows up on', value: `${code(card.parentId)}${card.followUp ? ` (${card.followUp})` : ''}`, inline: true });
  fields.push({ name: 'Files', value: card.purged ? 'purged after the retention period' : card.files ? 'kept: result, GIF, loss plot' : 'none', inline: true });
  const body = card.failure ? describeFailure(card.failure.code, card.failure.details) : card.cancelledBy ? 'Cancelled.' : undefined;
  return {
    tone: card.failure ? 'error' : 'info',
    title: `Card of job ${job.id} (${STATUS_WORD[job.status]})`,
    ...(body ? { body } : {}),
    fields,
    actions: job.status === 'done' && !card.purged ? followUpButtons(job.id).filter((b) => !b.id.includes(':card:')) : [],
    footer: jobFooter(job.id),
  };
}
