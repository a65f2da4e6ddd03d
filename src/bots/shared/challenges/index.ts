// Challenges in the bot layer: the /challenge handler, its sentences, and the posts to a challenge's conversation.
export { createChallengeFeature, type ChallengeFeature, type ChallengeFeatureDeps } from './feature.js';
export { challengeHandler } from './handler.js';
export * as challengeMessages from './messages.js';
export type { ChallengesPort } from './ports.js';
export { ChallengeUpdates, type ChallengeUpdatesDeps } from './updates.js';
