import { encodeAction } from '../actions.js';
import { jobLine, TEXT } from '../messages/index.js';
import type { Handler } from './context.js';
import { ownerOf } from './context.js';

/** The actor's jobs across servers, newest first, a page at a time (`cursor` from the previous page). */
export const history: Handler<'history'> = async (command, actor, deps) => {
  const page = await deps.jobs.history(ownerOf(actor), { limit: deps.historyPageSize, ...(command.cursor ? { cursor: command.cursor } : {}) });
  const lines = page.jobs.map((j) => jobLine(j));
  const body = lines.length > 0 ? [...lines, ...(page.nextCursor === null && command.cursor ? [TEXT.historyEnd] : [])].join('\n') : command.cursor ? TEXT.historyEnd : TEXT.historyEmpty(actor.platform);
  return {
    visibility: 'private',
    message: {
      tone: 'info',
      title: 'Your jobs',
      body,
      // a card button per job shown (at most one row's worth on Discord is the adapter's to lay out)
      actions: page.jobs.filter((j) => j.status === 'done').slice(0, 5).map((j) => ({ id: encodeAction('card', j.id), label: `Card ${j.id}`, style: 'secondary' as const })),
    },
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
};
