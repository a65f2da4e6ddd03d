import { TEXT } from '../messages/index.js';
import type { Handler } from './context.js';
import { requesterOf } from './context.js';

/** Its owner cancels a job, and so do the server's moderators and admins (Manage Messages on Discord). */
export const cancel: Handler<'cancel'> = async (command, actor, deps) => {
  const requester = { ...requesterOf(actor), isAdmin: actor.isAdmin || actor.isModerator };
  const { job, wasRunning } = await deps.jobs.cancel(requester, command.jobId);
  return {
    visibility: 'private',
    message: { tone: 'warning', title: 'Cancelled', body: wasRunning ? TEXT.cancelledRunning(job.id, job.progressStep, job.totalSteps) : TEXT.cancelledWaiting(job.id) },
    jobId: job.id,
  };
};
