import { jobLine, privateProblem, TEXT, TITLES } from '../messages/index.js';
import type { Handler } from './context.js';

/** The actor's running and waiting jobs in this server, or everyone's for moderators. */
export const queue: Handler<'queue'> = async (command, actor, deps) => {
  if (command.scope === 'server' && !actor.isModerator && !actor.isAdmin) return privateProblem(TITLES.notAllowed, TEXT.queueServerScope);
  const jobs = deps.jobs.list({ platform: actor.platform, serverId: actor.serverId, ...(command.scope === 'mine' ? { userId: actor.userId } : {}) });
  const lines = jobs.map((p) => (command.scope === 'server' ? `${jobLine(p.job, p)} (<@${p.job.userId}>)` : jobLine(p.job, p)));
  return {
    visibility: 'private',
    message: {
      tone: 'info',
      title: command.scope === 'mine' ? 'Your jobs here' : "This server's queue",
      body: lines.length > 0 ? lines.join('\n') : TEXT.queueEmpty(command.scope),
    },
  };
};
