import type { Logger } from 'pino';
import type { BotCoreHandle } from '../core.js';
import type { ReplyRef, Transport } from '../contract.js';
import type { Handler } from '../handlers/context.js';
import type { JobsPort } from '../ports.js';
import { systemTimers, type Timers } from '../timers.js';
import type { RetryPolicy } from '../transport-retry.js';
import { challengeHandler } from './handler.js';
import type { ChallengesPort } from './ports.js';
import { ChallengeUpdates } from './updates.js';

export interface ChallengeFeatureDeps {
  readonly challenges: ChallengesPort;
  readonly jobs: Pick<JobsPort, 'resultFiles'>;
  readonly logger: Logger;
  readonly timers?: Timers;
  readonly retry?: RetryPolicy;
  readonly voteEditIntervalMs?: number;
}

/**
 * Challenges plugged into the bot core without the core knowing them: the `/challenge` handler and the
 * challenge's `bindChallenge` go into createBotCore's deps, and `wrap` makes the core's `attach`, `idle`
 * and `close` cover the challenge posts too. The composition root does:
 *
 *   const feature = createChallengeFeature({ challenges, jobs, logger });
 *   const core = feature.wrap(createBotCore({ ..., handlers: feature.handlers, bindChallenge: feature.bindChallenge }));
 */
export function createChallengeFeature(deps: ChallengeFeatureDeps) {
  const updates = new ChallengeUpdates({ ...deps, timers: deps.timers ?? systemTimers });
  const handlers: { readonly challenge: Handler<'challenge'> } = { challenge: challengeHandler(deps.challenges) };
  return {
    handlers,
    updates,
    bindChallenge: (challengeId: string, conversation: ReplyRef) => updates.bind(challengeId, conversation),
    wrap(core: BotCoreHandle): BotCoreHandle {
      return {
        ...core,
        attach(transport: Transport) {
          const detach = [core.attach(transport), updates.attach(transport)];
          return () => detach.forEach((d) => d());
        },
        async idle() {
          await core.idle();
          await updates.idle();
        },
        close() {
          updates.close();
          core.close();
        },
      };
    },
  };
}

export type ChallengeFeature = ReturnType<typeof createChallengeFeature>;
