import { isChallengeError } from '../../../challenges/index.js';
import { parseRawOptions } from '../../../pipeline/index.js';
import type { Attachment, ChallengeCommand, ImageRef, Reply } from '../contract.js';
import { requesterOf, type Handler, type HandlerDeps } from '../handlers/context.js';
import { downloadPicture } from '../handlers/download.js';
import { acceptedReply } from '../handlers/stylize.js';
import { optionProblems, pictureSubject, privateProblem, TEXT, TITLES } from '../messages/index.js';
import { announcement, CHALLENGE_TEXT, CHALLENGE_TITLES, challengeErrorTitle, describeChallengeError, leaderboardMessage, listMessage } from './messages.js';
import type { ChallengesPort } from './ports.js';

/**
 * `/challenge start|submit|vote|leaderboard|end|list`. A refusal of the challenge service becomes a private
 * sentence here; a job refusal of a submission (limits, budgets) goes on to the core's job-error replies.
 */
export function challengeHandler(service: ChallengesPort): Handler<'challenge'> {
  return async (command, actor, deps) => {
    try {
      return await run(command, actor, deps, service);
    } catch (error) {
      if (isChallengeError(error)) return privateProblem(challengeErrorTitle(error.details), describeChallengeError(error.details, deps.timers.now(), actor.platform));
      throw error;
    }
  };
}

type Actor = Parameters<Handler<'challenge'>>[1];

async function run(command: ChallengeCommand, actor: Actor, deps: HandlerDeps, service: ChallengesPort): Promise<Reply> {
  const requester = { ...requesterOf(actor), isModerator: actor.isModerator };
  const now = deps.timers.now();
  switch (command.op) {
    case 'start': {
      // refused before any byte is downloaded
      if (!actor.isAdmin) return privateProblem(CHALLENGE_TITLES.notAllowed, describeChallengeError({ code: 'NOT_ADMIN' }, now, actor.platform));
      const { patch, violations } = parseRawOptions(command.options);
      if (violations.length > 0) return privateProblem(TITLES.cannotStart, TEXT.optionsInvalid(optionProblems(violations)), Object.fromEntries(violations.map((v) => [v.name, v.message])));
      const style = await download('style', command.style, deps);
      if ('problem' in style) return privateProblem(TITLES.cannotStart, style.problem, { style: style.problem });
      const started = await service.startChallenge({
        ...requester,
        channelId: actor.channelId,
        title: command.title,
        duration: command.duration,
        style: { bytes: style.bytes, contentType: style.contentType },
        options: patch,
        ...(command.preset !== undefined && command.preset.trim() !== '' ? { presetName: command.preset } : {}),
        replyRef: command.replyRef,
      });
      return { visibility: 'public', message: announcement(started, now), challengeId: started.id };
    }
    case 'submit': {
      const content = await download('content', command.content, deps);
      if ('problem' in content) return privateProblem(TITLES.cannotStart, content.problem, { content: content.problem });
      const outcome = await service.submit({
        ...requester,
        ...(command.challengeId === undefined ? {} : { challengeId: command.challengeId }),
        channelId: actor.channelId,
        threadId: actor.threadId,
        content: content.bytes,
        replyRef: command.replyRef,
        ...(actor.uploadLimitBytes === undefined ? {} : { uploadLimitBytes: actor.uploadLimitBytes }),
      });
      deps.expectBind(outcome.job.job.id, command.replyRef);
      const accepted = acceptedReply(outcome.job.job, outcome.job.position, outcome.job.etaSeconds);
      const notes = [CHALLENGE_TEXT.submitted(outcome.challenge), ...(outcome.replaces ? [CHALLENGE_TEXT.willReplace(outcome.replaces.entry, outcome.replaces.votes)] : [])];
      return { ...accepted, message: { ...accepted.message, body: [accepted.message.body, ...notes].filter(Boolean).join('\n') } };
    }
    case 'vote': {
      const result = await service.vote(requester, command.entryId);
      const body = result.unchanged ? CHALLENGE_TEXT.voteUnchanged(result.entry.id) : CHALLENGE_TEXT.voted(result.entry.id, result.previousEntryId);
      return { visibility: 'private', message: { tone: 'success', title: `Vote — ${result.challenge.title}`, body } };
    }
    case 'leaderboard': {
      const board = await service.leaderboard({ ...requester, channelId: actor.channelId }, command.challengeId);
      return { visibility: 'public', message: leaderboardMessage(board, now) };
    }
    case 'end': {
      const ended = await service.end(requester, command.challengeId, actor.channelId);
      return { visibility: 'private', message: { tone: 'success', title: `Ended: ${ended.challenge.title}`, body: 'The winners are announced in the challenge\'s conversation.' } };
    }
    case 'list': {
      // the local web page hosts no challenge of its own: its operator sees every server's, read only
      const everywhere = actor.platform === 'web';
      const { open, past } = everywhere ? await service.listEverywhere() : await service.list(actor);
      return { visibility: 'private', message: listMessage(actor.platform, open, past, now, everywhere) };
    }
  }
}

type Download = { readonly bytes: Uint8Array; readonly contentType: ImageRef['contentType'] } | { readonly problem: string };

const TYPES: Readonly<Record<string, ImageRef['contentType']>> = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif' };

async function download(field: 'style' | 'content', attachment: Attachment | undefined, deps: HandlerDeps): Promise<Download> {
  if (!attachment) return { problem: field === 'style' ? CHALLENGE_TEXT.styleMissing : CHALLENGE_TEXT.contentMissing };
  const picture = await downloadPicture(attachment, pictureSubject(field, 1), deps);
  return 'problem' in picture ? picture : { bytes: picture.bytes, contentType: TYPES[String(picture.header.format)] ?? 'image/jpeg' };
}
