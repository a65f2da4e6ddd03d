import { pino } from 'pino';
import { ChallengeService, type ChallengeEventMap, type ChallengeEventName, type ChallengeEventSource, type ChallengeRequester } from '../../src/challenges/index.js';
import type { JobServiceDeps } from '../../src/jobs/index.js';
import { createChallengeFeature } from '../../src/bots/shared/challenges/index.js';
import { createBotCore, type BotCoreHandle } from '../../src/bots/shared/index.js';
import { FakeTimers, FakeTransport } from '../bots/shared/support.js';
import { FakeClock, startHarness, type Harness } from '../jobs/support.js';

const NAMES: readonly ChallengeEventName[] = ['entered', 'notEntered', 'voted', 'closed'];

/** Records every challenge event; `waitFor` resolves with the first match, past or future. */
export function recordChallengeEvents(source: ChallengeEventSource) {
  const log: Array<{ name: ChallengeEventName; event: ChallengeEventMap[ChallengeEventName] }> = [];
  const waiters: Array<{ name: ChallengeEventName; match: (e: never) => boolean; resolve: (e: never) => void }> = [];
  for (const name of NAMES) {
    source.on(name, (event) => {
      log.push({ name, event });
      for (const w of [...waiters]) {
        if (w.name === name && w.match(event as never)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event as never);
        }
      }
    });
  }
  return {
    log,
    of<K extends ChallengeEventName>(name: K): Array<ChallengeEventMap[K]> {
      return log.filter((e) => e.name === name).map((e) => e.event as ChallengeEventMap[K]);
    },
    waitFor<K extends ChallengeEventName>(name: K, match: (event: ChallengeEventMap[K]) => boolean = () => true): Promise<ChallengeEventMap[K]> {
      const past = log.find((e) => e.name === name && match(e.event as ChallengeEventMap[K]));
      if (past) return Promise.resolve(past.event as ChallengeEventMap[K]);
      return new Promise((resolve) => waiters.push({ name, match: match as (e: never) => boolean, resolve: resolve as (e: never) => void }));
    },
  };
}

export interface ChallengeHarness {
  readonly jobs: Harness;
  readonly challenges: ChallengeService;
  readonly events: ReturnType<typeof recordChallengeEvents>;
  readonly timers: FakeTimers;
  close(): Promise<void>;
}

/**
 * The real job service (fake runner) and the challenge service on one SQLite file in `dir`, both on the
 * fake clock. Starting a second harness on the same `dir` is a restart.
 */
export async function startChallenges(dir: string, options: { clock?: FakeClock; deps?: Partial<JobServiceDeps>; start?: boolean } = {}): Promise<ChallengeHarness> {
  const clock = options.clock ?? new FakeClock();
  const timers = new FakeTimers(clock);
  let challenges: ChallengeService | undefined;
  const jobs = await startHarness(dir, {
    clock,
    concurrency: 1,
    limits: { maxWaitingPerUser: 5, maxRunningPerUser: 1 },
    deps: { protectedJobIds: (ids: readonly string[]) => challenges!.protectedJobIds(ids), ...options.deps },
  });
  challenges = new ChallengeService({ store: jobs.store.challenges, jobs: jobs.service, logger: pino({ level: 'silent' }), timers, minDurationMs: 60_000 });
  const events = recordChallengeEvents(challenges.events);
  if (options.start !== false) await challenges.start();
  return {
    jobs,
    challenges,
    events,
    timers,
    close: async () => {
      challenges.close();
      await jobs.close();
    },
  };
}

export const admin = (userId = 'mod'): ChallengeRequester => ({ platform: 'discord', serverId: 'guild-1', userId, isAdmin: true, isModerator: true });
export const member = (userId: string): ChallengeRequester => ({ platform: 'discord', serverId: 'guild-1', userId, isAdmin: false, isModerator: false });

export const STYLE = { bytes: Buffer.from('the style picture'), contentType: 'image/jpeg' };

/** Finishes the n-th run of the fake runner (after `steps` steps). */
export async function finishRun(h: ChallengeHarness, index: number, steps = 3): Promise<string> {
  const run = await h.jobs.fake.run(index);
  run.advance(steps);
  run.finish();
  return run.job.id;
}

export interface BotHarness extends ChallengeHarness {
  readonly core: BotCoreHandle;
  readonly transport: FakeTransport;
  /** lets I/O run, then waits until the core and the challenge posts are idle */
  settle(): Promise<void>;
}

/** The challenge harness behind the real bot core (challenges plugged in), a fake transport attached. */
export async function startBot(dir: string, options: { clock?: FakeClock } = {}): Promise<BotHarness> {
  // the challenge service starts last, as in the composition root: what it announces at start has listeners
  const h = await startChallenges(dir, { ...options, start: false });
  const logger = pino({ level: 'silent' });
  const feature = createChallengeFeature({ challenges: h.challenges, jobs: h.jobs.service, logger, timers: h.timers, voteEditIntervalMs: 10_000 });
  const core = feature.wrap(createBotCore({ jobs: h.jobs.service, logger, timers: h.timers, handlers: feature.handlers, bindChallenge: feature.bindChallenge }));
  const transport = new FakeTransport('discord');
  const detach = core.attach(transport);
  await h.challenges.start();
  return {
    ...h,
    core,
    transport,
    settle: async () => {
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await core.idle();
      }
    },
    close: async () => {
      detach();
      core.close();
      await h.close();
    },
  };
}
