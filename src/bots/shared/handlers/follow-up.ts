import { followUpSubject } from '../messages/index.js';
import type { Handler } from './context.js';
import { requesterOf } from './context.js';
import { acceptedReply } from './stylize.js';

/** New seed, more style, more content, higher resolution: a new job linked to its parent. */
export const followUp: Handler<'followUp'> = async (command, actor, deps) => {
  const position = await deps.jobs.followUp(requesterOf(actor), {
    parentId: command.jobId,
    action: command.action,
    channelId: actor.channelId,
    threadId: actor.threadId,
    replyRef: command.replyRef,
    ...(actor.uploadLimitBytes !== undefined ? { uploadLimitBytes: actor.uploadLimitBytes } : {}),
  });
  deps.expectBind(position.job.id, command.replyRef);
  return acceptedReply(position.job, position.position, position.etaSeconds, followUpSubject(command.action, command.jobId));
};
