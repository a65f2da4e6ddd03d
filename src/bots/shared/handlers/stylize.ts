import { parseRawOptions } from '../../../pipeline/index.js';
import type { Attachment, Reply } from '../contract.js';
import { optionProblems, pictureSubject, privateProblem, queuedStatus, startedStatus, TEXT, threadTitle, TITLES } from '../messages/index.js';
import type { Handler, HandlerDeps } from './context.js';
import { requesterOf } from './context.js';
import { downloadPicture, type PictureDownload } from './download.js';

export const MAX_STYLES = 8;

/**
 * A new job from pictures and typed options. Everything that can be refused is checked at once (options,
 * each attachment's declared size and type, its download, its header), so a user fixes all in one go.
 */
export const stylize: Handler<'stylize'> = async (command, actor, deps) => {
  if (command.deliveryId === undefined) return submitStylize(command, actor, deps);
  // a platform retry (Slack's X-Slack-Retry-Num, a redelivered interaction) gets the first answer
  const key = `${actor.platform}:${command.deliveryId}`;
  const earlier = deps.deliveries.get(key);
  if (earlier) return earlier;
  const reply = submitStylize(command, actor, deps);
  deps.deliveries.set(key, reply);
  // an unexpected failure may be retried for real
  reply.catch(() => deps.deliveries.delete(key));
  return reply;
};

const submitStylize: Handler<'stylize'> = async (command, actor, deps) => {
  const fieldErrors: Record<string, string> = {};
  const lines: string[] = [];
  const { patch, violations } = parseRawOptions(command.options);
  if (violations.length > 0) {
    for (const v of violations) fieldErrors[v.name] = v.message;
    lines.push(TEXT.optionsInvalid(optionProblems(violations)));
  }
  if (command.styles.length === 0) {
    fieldErrors.style = TEXT.noStyle;
    lines.push(TEXT.noStyle);
  } else if (command.styles.length > MAX_STYLES) {
    fieldErrors.style = TEXT.tooManyStyles(MAX_STYLES, command.styles.length);
    lines.push(fieldErrors.style);
  }
  const fields: Array<[string, Attachment]> = [['content', command.content], ...command.styles.slice(0, MAX_STYLES).map((s, i): [string, Attachment] => [i === 0 ? 'style' : `style${i + 1}`, s])];
  const downloads = await Promise.all(fields.map(([field, attachment]) => download(field, attachment, command.styles.length, deps)));
  for (const d of downloads) {
    if ('problem' in d) {
      fieldErrors[d.field] = d.problem;
      lines.push(d.problem);
    }
  }
  if (lines.length > 0) return privateProblem(TITLES.cannotStart, lines.join('\n'), fieldErrors);

  const pictures = downloads.map((d) => (d as { bytes: Uint8Array }).bytes);
  const position = await deps.jobs.submit({
    ...requesterOf(actor),
    channelId: actor.channelId,
    threadId: actor.threadId,
    content: pictures[0]!,
    styles: pictures.slice(1),
    options: patch,
    ...(command.preset !== undefined && command.preset.trim() !== '' ? { presetName: command.preset } : {}),
    replyRef: command.replyRef,
    ...(actor.uploadLimitBytes !== undefined ? { uploadLimitBytes: actor.uploadLimitBytes } : {}),
  });
  deps.expectBind(position.job.id, command.replyRef);
  return acceptedReply(position.job, position.position, position.etaSeconds, command.content.name);
};

/** `subject`: what the thread's name says the job is (threadTitle) */
export function acceptedReply(job: Parameters<typeof queuedStatus>[0], position: number | null, etaSeconds: number | null, subject?: string): Reply {
  // position 0: a free worker took it at once
  const message = position === 0 ? startedStatus(job, etaSeconds) : queuedStatus(job, Math.max(1, position ?? 1), etaSeconds ?? 0);
  return { visibility: 'public', message, jobId: job.id, threadTitle: threadTitle(job, subject) };
}

type Download = { readonly field: string } & PictureDownload;

async function download(field: string, attachment: Attachment, styleCount: number, deps: HandlerDeps): Promise<Download> {
  return { field, ...(await downloadPicture(attachment, pictureSubject(field, styleCount), deps)) };
}
