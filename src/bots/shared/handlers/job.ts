import type { ImageRef } from '../contract.js';
import { fullCard, jobSummaryCard, resultImages } from '../messages/index.js';
import type { Handler } from './context.js';
import { requesterOf } from './context.js';

/**
 * A job's card anywhere (as Midjourney's /show does): where it stands, with its buttons; a finished one with
 * its result again; `full` is the whole reproducibility card, privately.
 */
export const job: Handler<'job'> = async (command, actor, deps) => {
  const requester = requesterOf(actor);
  if (command.full) {
    const card = await deps.jobs.details(requester, command.jobId);
    return { visibility: 'private', message: fullCard(card), jobId: card.job.id };
  }
  const position = await deps.jobs.status(requester, command.jobId);
  let images: ImageRef[] = [];
  if (position.job.status === 'done') {
    // purged or unreadable files leave the card without pictures; the card says which
    images = await deps.jobs.resultFiles(requester, command.jobId).then(
      (files) => resultImages(position.job.id, { result: files.png, gif: files.gif, plot: files.plot }).filter((i) => i.role === 'result'),
      () => [],
    );
  }
  const message = jobSummaryCard(position);
  return { visibility: 'public', message: images.length > 0 ? { ...message, images } : message, jobId: position.job.id };
};
