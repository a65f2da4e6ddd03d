// Community style challenges: start, submit, vote, leaderboard, close on time. The bot layer renders them.
export { Deadlines, systemDeadlineTimers, type DeadlineTimers } from './deadlines.js';
export { MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from './duration.js';
export { ChallengeError, isChallengeError, type ChallengeErrorCode, type ChallengeErrorDetails } from './errors.js';
export { ChallengeEvents, type ChallengeEventMap, type ChallengeEventName, type ChallengeEventSource, type ChallengeListener } from './events.js';
export {
  ChallengeService,
  MAX_TITLE_LENGTH,
  type ChallengeJobs,
  type ChallengeRequester,
  type ChallengeServiceDeps,
  type EntryRequest,
  type Leaderboard,
  type Standing,
  type StartRequest,
  type SubmitOutcome,
  type VoteResult,
} from './service.js';
export { WINNER_PLACES, type ChallengeRecord, type EntryRecord, type RankedEntry } from '../store/index.js';
