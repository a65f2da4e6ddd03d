import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeAction } from '../../src/bots/shared/actions.js';
import { createChallengeFeature } from '../../src/bots/shared/challenges/index.js';
import { createBotCore, type BotCoreHandle } from '../../src/bots/shared/index.js';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../../src/bots/slack/index.js';
import { CHALLENGE_SUBMIT_CALLBACK } from '../../src/bots/slack/challenge-modal.js';
import { CONTENT_BLOCK, INPUT_ACTION } from '../../src/bots/slack/modal.js';
import { appMention, blockAction, buttonsOf, fileValue, slashCommand, viewSubmission } from '../bots/slack/fake/payloads.js';
import { SlackSender } from '../bots/slack/fake/signed.js';
import { FakeSlack, type Message } from '../bots/slack/fake/web-api.js';
import { APP_TOKEN, BOT_TOKEN, picture, SIGNING_SECRET, TestTimers } from '../bots/slack/support.js';
import { FakeClock } from '../jobs/support.js';
import { tempDir } from '../store/support.js';
import { startChallenges, type ChallengeHarness } from './support.js';

const CHANNEL = 'C0GENERAL';
const HOUR = 3_600_000;
/** the challenge user group (SLACK_CHALLENGE_GROUP); U0HOST is its member */
const HOSTS = 'S0HOSTS';

/**
 * The Slack adapter (Bolt over HTTP, signed requests) against the local fake Slack Web API, over the real
 * core with challenges plugged in and the real job service on SQLite with the driven fake runner.
 */
describe('challenges on Slack, through the local fake Slack', () => {
  let tmp: ReturnType<typeof tempDir>;
  let fake: FakeSlack;
  let h: ChallengeHarness;
  let core: BotCoreHandle;
  let adapter: SlackAdapter;
  let sender: SlackSender;

  beforeEach(async () => {
    tmp = tempDir();
    fake = new FakeSlack({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
    fake.userGroups.set(HOSTS, ['U0HOST']);
    await fake.start();
    h = await startChallenges(tmp.dir, { clock: new FakeClock(Date.now()), start: false });
    const logger = pino({ level: 'silent' });
    const feature = createChallengeFeature({ challenges: h.challenges, jobs: h.jobs.service, logger, timers: h.timers });
    core = feature.wrap(createBotCore({ jobs: h.jobs.service, logger, timers: new TestTimers(), editIntervalMs: 0, handlers: feature.handlers, bindChallenge: feature.bindChallenge }));
    adapter = createSlackAdapter({ core, logger, config: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: undefined, apiUrl: fake.apiUrl, port: 0, challengeGroup: HOSTS } });
    await adapter.start();
    await h.challenges.start();
    sender = new SlackSender(`http://127.0.0.1:${adapter.port() ?? 0}${SLACK_EVENTS_PATH}`, SIGNING_SECRET);
  });
  afterEach(async () => {
    await adapter.stop();
    core.close();
    await h.close();
    await fake.close();
    tmp.cleanup();
  });

  const file = (name: string, relative: string) => fake.fileObject(fake.hostFile(name, 'image/jpeg', picture(relative)));
  const threadMessages = (ts: string) => fake.messages.filter((m) => m.channel === CHANNEL && m.threadTs === ts);
  const text = (m: Message) => JSON.stringify(m.blocks) + m.text;

  /** a slash command's answer (what the app posted to its response_url) */
  async function slash(commandText: string, user: string): Promise<Record<string, unknown>> {
    const count = fake.responses.length;
    expect((await sender.command(slashCommand(fake, '/stylize-challenge', commandText, { user }))).status).toBe(200);
    await fake.waitUntil(() => fake.responses.length > count || undefined);
    return fake.responses[count]!.body;
  }

  async function startChallenge(user = 'UADMIN'): Promise<string> {
    const event = appMention(fake, '<@U0BOT> challenge start title="Great waves" duration=1h size=32 steps=10', [file('wave.jpg', 'style/hokusai_great_wave.jpg')], { user, channel: CHANNEL });
    expect((await sender.event(event)).status).toBe(200);
    const ts = (event.event as { ts: string }).ts;
    await fake.waitUntil(() => threadMessages(ts).find((m) => text(m).includes('Style challenge: Great waves')));
    return ts;
  }

  async function enter(user: string, runIndex: number, thread: string): Promise<Message> {
    const event = appMention(fake, '<@U0BOT> challenge submit', [file(`${user}.jpg`, 'content/chelsea_cat.jpg')], { user, channel: CHANNEL });
    expect((await sender.event(event)).status).toBe(200);
    const run = await h.jobs.fake.run(runIndex);
    run.advance(10);
    run.finish();
    const entered = await h.events.waitFor('entered', (e) => e.entry.jobId === run.job.id);
    // Slack shows files in a message of their own, the entry's card (with its Vote button) after them
    await fake.waitUntil(() => threadMessages(thread).find((m) => m.files.map((f) => f.name).join() === `entry-${entered.entry.id}.png,entry-${entered.entry.id}.gif`));
    return fake.waitUntil(() => threadMessages(thread).find((m) => buttonsOf(m).length > 0 && text(m).includes(entered.entry.id)));
  }

  it('start by mention: refused to members, allowed to workspace admins, announced in the mention\'s thread', async () => {
    const refused = appMention(fake, '<@U0BOT> challenge start title=x duration=1h', [file('wave.jpg', 'style/hokusai_great_wave.jpg')], { user: 'U0ADA', channel: CHANNEL });
    await sender.event(refused);
    const ephemeral = await fake.waitUntil(() => fake.ephemerals.find((e) => e.user === 'U0ADA'));
    expect(JSON.stringify(ephemeral.blocks) + ephemeral.text).toMatch(/Only server admins/);

    const thread = await startChallenge();
    const announcement = threadMessages(thread)[0]!;
    expect(text(announcement)).toMatch(/One entry per member/);
    // the rules name Slack's command, not Discord's
    expect(text(announcement)).toContain('`/stylize-challenge submit`');
    expect(text(announcement)).not.toContain('`/challenge');
    expect(text(announcement)).toMatch(/in 1 hour/);
    await fake.waitUntil(() => threadMessages(thread).find((m) => m.files.some((f) => /style\.jpg$/.test(f.name))));
    expect(JSON.stringify((await slash('', 'U0ADA')).blocks)).toMatch(/How to use challenges/);
  });

  it('entries with Vote buttons in the challenge thread, own vote refused, votes counted, leaderboard, early end with the winners', async () => {
    const thread = await startChallenge();
    const ada = await enter('U0ADA', 0, thread);
    const bob = await enter('U0BOB', 1, thread);
    const adaEntry = h.events.of('entered').find((e) => e.entry.userId === 'U0ADA')!.entry;
    const adaVote = buttonsOf(ada).find((b) => b.action_id === encodeAction('vote', adaEntry.id))!;
    expect(adaVote).toBeDefined();

    await sender.interactive(blockAction(fake, ada, adaVote.action_id, { user: 'U0ADA' }));
    const own = await fake.waitUntil(() => fake.ephemerals.find((e) => e.user === 'U0ADA' && (JSON.stringify(e.blocks) + e.text).includes('own entry')));
    expect(own.threadTs).toBe(thread);
    await sender.interactive(blockAction(fake, ada, adaVote.action_id, { user: 'U0BOB' }));
    await fake.waitUntil(() => fake.ephemerals.find((e) => e.user === 'U0BOB' && (JSON.stringify(e.blocks) + e.text).includes('You voted')));
    h.timers.advance(10_000);
    await core.idle();
    await fake.waitUntil(() => (ada.versions.some((v) => JSON.stringify(v.blocks).includes('1 vote')) || text(ada).includes('· 1 vote')) || undefined);

    const board = JSON.stringify(await slash('leaderboard', 'U0CY'));
    expect(board).toMatch(/🥇 <@U0ADA> — 1 vote[\s\S]*🥈 <@U0BOB> — 0 votes/);
    expect(JSON.stringify(await slash('end', 'U0ADA'))).toMatch(/Only moderators and admins/);
    await slash('end', 'UADMIN');
    await core.idle();
    const closing = await fake.waitUntil(() => threadMessages(thread).find((m) => text(m).includes('Challenge closed: Great waves')));
    expect(text(closing)).toMatch(/ended it early/);
    const pictures = threadMessages(thread).find((m) => m.files.some((f) => f.name.startsWith('place-')));
    expect(pictures?.files.map((f) => f.name)).toEqual([expect.stringMatching(/^place-1-/), expect.stringMatching(/^place-2-/)]);
    void bob;
  });

  it('submit through the entry form: one file input, a bad file and no open challenge shown on the field, a good one entered in the thread', async () => {
    /** `/stylize-challenge submit`, then the form submitted with `f`: Bolt's answer to the submission */
    async function submitForm(f: Record<string, unknown>, user: string): Promise<{ status: number; text: string }> {
      const opened = fake.calls.length;
      await sender.command(slashCommand(fake, '/stylize-challenge', 'submit', { user, channel: CHANNEL }));
      const call = await fake.waitUntil(() => fake.calls.slice(opened).find((c) => c.method === 'views.open'));
      const view = call.response.view as { id: string; callback_id: string; blocks: Array<{ block_id: string; element: { type: string; max_files: number } }> };
      expect(view.callback_id).toBe(CHALLENGE_SUBMIT_CALLBACK);
      expect(view.blocks.map((b) => [b.block_id, b.element.type, b.element.max_files])).toEqual([[CONTENT_BLOCK, 'file_input', 1]]);
      return sender.interactive(viewSubmission(fake, view.id, { [CONTENT_BLOCK]: { [INPUT_ACTION]: fileValue(f).value } }, { user }));
    }
    const errorsOf = (answer: { status: number; text: string }) => {
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.text) as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe('errors');
      expect(Object.keys(body.errors)).toEqual([CONTENT_BLOCK]);
      return body.errors[CONTENT_BLOCK]!;
    };

    const noChallenge = errorsOf(await submitForm(file('ada.jpg', 'content/chelsea_cat.jpg'), 'U0ADA'));
    expect(noChallenge).toMatch(/no open challenge/);
    expect(noChallenge).toContain('/stylize-challenge list');
    expect(noChallenge).not.toMatch(/[^-]\/challenge list/);
    expect(JSON.stringify(await slash('list', 'U0ADA'))).toContain('`@Stylebot challenge start` with the style picture attached');
    const thread = await startChallenge();
    const notAPicture = fake.fileObject(fake.hostFile('notes.jpg', 'image/jpeg', Buffer.from('just some text, not a picture')));
    expect(errorsOf(await submitForm(notAPicture, 'U0ADA'))).toMatch(/picture/i);
    expect(h.jobs.fake.runs).toHaveLength(0);

    const posted = fake.messages.length;
    const accepted = await submitForm(file('ada.jpg', 'content/chelsea_cat.jpg'), 'U0ADA');
    expect(accepted).toMatchObject({ status: 200, text: '' });
    const root = await fake.waitUntil(() => fake.messages.slice(posted).find((m) => m.channel === CHANNEL && m.threadTs === null));
    expect(text(root)).toMatch(/Great waves/);
    const run = await h.jobs.fake.run(0);
    run.advance(10);
    run.finish();
    const entered = await h.events.waitFor('entered', (e) => e.entry.jobId === run.job.id);
    expect(entered.entry.userId).toBe('U0ADA');
    await fake.waitUntil(() => threadMessages(thread).find((m) => buttonsOf(m).some((b) => b.action_id === encodeAction('vote', entered.entry.id))));
  });

  it('a member of the challenge user group may start a challenge (and gets no other admin right)', async () => {
    const thread = await startChallenge('U0HOST');
    expect(text(threadMessages(thread)[0]!)).toMatch(/Style challenge: Great waves/);
    expect(fake.calls.filter((c) => c.method === 'usergroups.users.list').map((c) => c.args.usergroup)).toEqual([HOSTS]);
    expect(JSON.stringify(await slash('end', 'U0HOST'))).toMatch(/Only moderators and admins/);
  });

  it('closes by itself at the deadline and posts the winner in the thread', async () => {
    const thread = await startChallenge();
    await enter('U0ADA', 0, thread);
    h.timers.advance(HOUR);
    await h.events.waitFor('closed');
    await core.idle();
    const closing = await fake.waitUntil(() => threadMessages(thread).find((m) => text(m).includes('Challenge closed: Great waves')));
    expect(text(closing)).toMatch(/The deadline has passed[\s\S]*<@U0ADA>/);
  });
});
