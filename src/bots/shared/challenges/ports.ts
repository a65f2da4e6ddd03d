import type { ChallengeService } from '../../../challenges/index.js';

/** The part of the challenge service the bot layer uses; the composition root passes the service itself. */
export type ChallengesPort = Pick<
  ChallengeService,
  'events' | 'startChallenge' | 'setReplyRef' | 'submit' | 'vote' | 'voteOf' | 'leaderboard' | 'votesOf' | 'end' | 'list' | 'listEverywhere' | 'get' | 'getEntry' | 'winners' | 'setEntryMessage'
>;
