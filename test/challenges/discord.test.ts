import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter, type DiscordAdapter } from '../../src/bots/discord/index.js';
import { createChallengeFeature } from '../../src/bots/shared/challenges/index.js';
import { createBotCore, type BotCoreHandle } from '../../src/bots/shared/index.js';
import { ChallengeService } from '../../src/challenges/index.js';
import { createImageInputCheck, createJobService, JobFiles, type JobService } from '../../src/jobs/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { FakeTimers } from '../bots/shared/support.js';
import { EPHEMERAL, FakeDiscord, PERMISSIONS, type FakeMessage } from '../bots/discord/fake/discord.js';
import { as, button, COMMANDS, embedText, picture, USERS } from '../bots/discord/harness.js';
import { FakeClock, FakeRunner, OPERATOR_LIMITS } from '../jobs/support.js';
import { tempDir } from '../store/support.js';
import { recordChallengeEvents } from './support.js';

const HOUR = 3_600_000;
const ADMIN = PERMISSIONS.ManageGuild | PERMISSIONS.SendMessages | PERMISSIONS.ViewChannel;

interface Bot {
  readonly store: Store;
  readonly service: JobService;
  readonly challenges: ChallengeService;
  readonly events: ReturnType<typeof recordChallengeEvents>;
  readonly core: BotCoreHandle;
  readonly adapter: DiscordAdapter;
}

/**
 * The Discord adapter logged in to the local fake Discord, over the real core with challenges plugged in,
 * the real job service on SQLite with the driven fake runner. Deadlines run on a clock the test moves.
 */
describe('/challenge on Discord, through the local fake Discord', () => {
  const logger = pino({ level: 'silent' });
  let tmp: ReturnType<typeof tempDir>;
  let fake: FakeDiscord;
  let runner: FakeRunner;
  let clock: FakeClock;
  let timers: FakeTimers;
  let bot: Bot;

  async function startBot(): Promise<Bot> {
    const store = await openStore({ databasePath: path.join(tmp.dir, 'stylebot.db') });
    let challenges: ChallengeService | undefined;
    const service = createJobService({
      store,
      files: new JobFiles(path.join(tmp.dir, 'data')),
      runner: runner.runner,
      checkInputs: createImageInputCheck(),
      logger,
      operatorLimits: { ...OPERATOR_LIMITS, maxWaitingPerUser: 5 },
      sweepIntervalMs: 0,
      protectedJobIds: (ids) => challenges!.protectedJobIds(ids),
    });
    challenges = new ChallengeService({ store: store.challenges, jobs: service, logger, timers });
    const events = recordChallengeEvents(challenges.events);
    const feature = createChallengeFeature({ challenges, jobs: service, logger, timers });
    const core = feature.wrap(createBotCore({ jobs: service, logger, editIntervalMs: 0, handlers: feature.handlers, bindChallenge: feature.bindChallenge }));
    const adapter = createDiscordAdapter({ core, logger, config: { token: fake.token, applicationId: fake.applicationId, guildId: undefined, apiUrl: fake.apiUrl }, restTimeoutMs: 5000, restRetries: 1 });
    // as in the composition root: transports first, then the jobs, then the challenges (which may announce winners at once)
    await adapter.start();
    await service.start();
    await challenges.start();
    return { store, service, challenges, events, core, adapter };
  }

  async function stopBot(b: Bot): Promise<void> {
    runner.stepOnAbort = true;
    b.challenges.close();
    await b.adapter.stop();
    await b.service.close();
    await b.core.idle();
    b.core.close();
    await b.store.close();
    runner.stepOnAbort = false;
  }

  beforeEach(async () => {
    tmp = tempDir('stylebot-challenge-discord-');
    clock = new FakeClock(Date.now());
    timers = new FakeTimers(clock);
    runner = new FakeRunner(new FakeClock());
    fake = await new FakeDiscord({ commands: COMMANDS }).start();
    bot = await startBot();
  });
  afterEach(async () => {
    await stopBot(bot);
    await fake.close();
    tmp.cleanup();
  });

  const publicReply = (interactionId: string) => fake.message((m) => m.interactionId === interactionId && (m.flags & EPHEMERAL) === 0 && m.embeds.length > 0, `the public reply to ${interactionId}`);
  const privateReply = (interactionId: string) => fake.message((m) => m.interactionId === interactionId && (m.flags & EPHEMERAL) !== 0 && m.embeds.length > 0, `the private reply to ${interactionId}`);
  const attachment = (file: string) => fake.attachment(path.basename(file), picture(file), 'image/jpeg');

  async function startChallenge(): Promise<FakeMessage> {
    const start = fake.slash('challenge start', { style: attachment('style/hokusai_great_wave.jpg'), title: 'Great waves', duration: '1h', size: 32, steps: 10 } as never, as(USERS.mod, { permissions: ADMIN }));
    return publicReply(start.id);
  }

  /** `user` submits; the run finishes; resolves with the entry's message in the challenge thread */
  async function enter(user: (typeof USERS)[keyof typeof USERS], runIndex: number, thread: string): Promise<FakeMessage> {
    const submit = fake.slash('challenge submit', { content: attachment('content/chelsea_cat.jpg') } as never, as(user));
    await publicReply(submit.id);
    const run = await runner.run(runIndex);
    run.advance(10);
    run.finish();
    const entered = await bot.events.waitFor('entered', (e) => e.entry.jobId === run.job.id);
    return fake.message((m) => m.channelId === thread && m.files.length === 2 && embedText(m).includes(entered.entry.id), `the entry of ${user.username}`);
  }

  it('start: refused to members, allowed with Manage Server: the announcement with the style, rules and deadline, and a thread', async () => {
    const refused = fake.slash('challenge start', { style: attachment('style/hokusai_great_wave.jpg'), title: 'x', duration: '1h' } as never, as(USERS.alice));
    expect(embedText(await privateReply(refused.id))).toMatch(/Only server admins/);

    const announcement = await startChallenge();
    const text = embedText(announcement);
    expect(text).toContain('Style challenge: Great waves');
    expect(text).toMatch(/One entry per member/);
    expect(text).toMatch(/Closes .* \(in 1 hour\)/);
    // the rules name the command as Discord members type it
    expect(text).toContain('`/challenge submit`');
    expect(announcement.files.map((f) => f.filename)).toEqual([expect.stringMatching(/style\.jpg$/)]);
  });

  it('entries land in the challenge thread with a Vote button; own vote refused, a vote counted, and the challenge closes at its deadline across a restart', async () => {
    const announcement = await startChallenge();
    const thread = announcement.id;
    const alice = await enter(USERS.alice, 0, thread);
    const bob = await enter(USERS.bob, 1, thread);
    expect(fake.log.filter((e) => e.kind === 'thread').length).toBeGreaterThanOrEqual(1);
    expect(embedText(alice)).toMatch(/By <@100000000000000001> · 0 votes/);

    const own = fake.click(alice, button(alice, 'vote'), as(USERS.alice, { channel: thread }));
    expect(embedText(await privateReply(own.id))).toMatch(/cannot vote for your own entry/);
    const vote = fake.click(alice, button(alice, 'vote'), as(USERS.bob, { channel: thread }));
    expect(embedText(await privateReply(vote.id))).toMatch(/You voted for entry/);
    timers.advance(10_000);
    await bot.core.idle();
    await fake.message((m) => m.id === alice.id && embedText(m).includes('· 1 vote'), 'the vote count edited into alice\'s entry');
    expect(embedText(bob)).toMatch(/0 votes/);

    const board = fake.slash('challenge leaderboard', {}, as(USERS.bob));
    expect(embedText(await publicReply(board.id))).toMatch(/🥇 <@100000000000000001> — 1 vote[\s\S]*🥈 <@100000000000000002> — 0 votes[\s\S]*came in first/);

    // the bot is down over the deadline; at start it closes the challenge and posts the winners in its thread
    await stopBot(bot);
    clock.advance(2 * HOUR);
    bot = await startBot();
    const closing = await fake.message((m) => m.channelId === thread && embedText(m).includes('Challenge closed: Great waves'), 'the closing announcement');
    expect(embedText(closing)).toMatch(/The deadline has passed[\s\S]*🥇 <@100000000000000001>/);
    expect(closing.files.map((f) => f.filename)).toEqual([expect.stringMatching(/^place-1-/), expect.stringMatching(/^place-2-/)]);
    const late = fake.click(bob, button(bob, 'vote'), as(USERS.alice, { channel: thread }));
    expect(embedText(await privateReply(late.id))).toMatch(/closed/);
  });
});
