import type { Attachment, Command, ReplyRef } from '../shared/contract.js';
import { mentionText, splitArguments } from './text.js';

/**
 * Challenges on Slack. Slash commands carry no files, so starting and entering go by mention with the
 * picture attached (`@Stylebot challenge start title="Waves" duration=2d steps=200`, `@Stylebot challenge
 * submit`); voting is the entry's button, and the rest is `/stylize-challenge vote|leaderboard|end|list`.
 */
export const CHALLENGE_SLASH_COMMAND = '/stylize-challenge';

/** `/stylize-challenge submit [id]`, which opens the entry form: the challenge id, if any; undefined for other text. */
export function parseChallengeSubmit(text: string): { readonly challengeId?: string } | undefined {
  const { words, pairs } = splitArguments(text);
  if (words[0]?.toLowerCase() !== 'submit' || words.length > 2 || Object.keys(pairs).length > 0) return undefined;
  return words[1] ? { challengeId: words[1] } : {};
}

/** `/stylize-challenge vote <entry> | leaderboard [id] | end [id] | list` */
export function parseChallengeText(text: string): Command | undefined {
  const { words, pairs } = splitArguments(text);
  if (Object.keys(pairs).length > 0) return undefined;
  const [op, id, ...rest] = words;
  if (rest.length > 0) return undefined;
  const withId = id ? { challengeId: id } : {};
  switch (op?.toLowerCase()) {
    case 'vote':
      return id ? { kind: 'challenge', op: 'vote', entryId: id } : undefined;
    case 'leaderboard':
      return { kind: 'challenge', op: 'leaderboard', ...withId };
    case 'end':
      return { kind: 'challenge', op: 'end', ...withId };
    case 'list':
      return id ? undefined : { kind: 'challenge', op: 'list' };
    default:
      return undefined;
  }
}

export type ChallengeMention =
  | { readonly op: 'start'; readonly title: string; readonly duration: string; readonly preset?: string; readonly options: Record<string, string> }
  | { readonly op: 'submit'; readonly challengeId?: string }
  /** a challenge mention without what it needs */
  | { readonly op: 'usage' };

/** A mention that begins with the word `challenge`; undefined for every other mention. */
export function parseChallengeMention(text: string): ChallengeMention | undefined {
  const { words, pairs } = splitArguments(mentionText(text));
  if (words[0]?.toLowerCase() !== 'challenge') return undefined;
  const op = words[1]?.toLowerCase();
  if (op === 'submit' && words.length <= 3 && Object.keys(pairs).length === 0) return words[2] ? { op: 'submit', challengeId: words[2] } : { op: 'submit' };
  if (op === 'start' && words.length === 2) {
    const { title, duration, preset, ...options } = pairs;
    if (!title || !duration) return { op: 'usage' };
    return { op: 'start', title, duration, ...(preset ? { preset } : {}), options };
  }
  return { op: 'usage' };
}

/** The core command of a challenge mention with its picture. */
export function challengeMentionCommand(mention: Exclude<ChallengeMention, { op: 'usage' }>, picture: Attachment, replyRef: ReplyRef): Command {
  if (mention.op === 'submit') return { kind: 'challenge', op: 'submit', content: picture, ...(mention.challengeId ? { challengeId: mention.challengeId } : {}), replyRef };
  return { kind: 'challenge', op: 'start', style: picture, title: mention.title, duration: mention.duration, options: mention.options, ...(mention.preset ? { preset: mention.preset } : {}), replyRef };
}
