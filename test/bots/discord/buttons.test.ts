import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EPHEMERAL } from './fake/discord.js';
import { as, asModerator, button, DiscordHarness, embedText, USERS, type BotProcess } from './harness.js';

/** a finished job of alice's, with its thread and result message */
async function finishedJob(h: DiscordHarness, index = 0) {
  const started = await h.stylize(as(USERS.alice));
  const run = await h.runner.run(index);
  run.advance(10);
  run.finish();
  const result = await h.resultMessage(started.reply.id);
  return { ...started, result };
}

const activeJobs = (bot: BotProcess, guild: string) => bot.service.list({ platform: 'discord', serverId: guild });

describe('buttons, cancel, presets and autocomplete', () => {
  let h: DiscordHarness;
  beforeEach(async () => {
    h = await DiscordHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  for (const action of ['seed', 'style', 'content', 'upscale'] as const) {
    it(`"${action}" under a result queues a follow-up job whose story goes on in the same thread`, async () => {
      const { reply, result, jobId } = await finishedJob(h);
      const click = h.fake.click(result, button(result, action), as(USERS.alice));
      expect((await h.fake.acknowledged(click)).type).toBe(5);
      const answer = await h.publicReply(click);
      expect(answer.channelId).toBe(reply.id);
      const run = await h.runner.run(1);
      expect(run.job.id).not.toBe(jobId);
      expect(run.job.id).toBe(h.bot.service.list({ platform: 'discord', serverId: h.fake.guildId })[0]!.job.id);
      run.advance(run.totalSteps);
      run.finish();
      const second = await h.fake.message((m) => m.channelId === reply.id && m.files.length === 3 && m.id !== result.id, 'the follow-up result in the same thread');
      expect(embedText(second)).toContain(run.job.id);
      // no second thread: the follow-up lives in the first one
      expect(h.fake.log.filter((e) => e.kind === 'thread')).toHaveLength(1);
    });
  }

  it('"Save as preset" asks for the name in a modal and saves the job\'s settings; autocomplete offers it', async () => {
    const { result } = await finishedJob(h);
    const click = h.fake.click(result, button(result, 'save'), as(USERS.alice));
    const modal = await h.fake.acknowledged(click);
    expect(modal.type).toBe(9);
    const submit = h.fake.submitModal(click, { value: 'soft-waves' }, as(USERS.alice));
    const saved = await h.privateReply(submit);
    expect(embedText(saved)).toContain('soft-waves');
    expect(await h.fake.autocomplete('stylize', 'preset', 'so', as(USERS.alice))).toEqual([expect.objectContaining({ value: 'soft-waves' })]);
    expect(await h.fake.autocomplete('preset show', 'name', '', as(USERS.alice))).toEqual([expect.objectContaining({ value: 'soft-waves' })]);
    // presets are per user
    expect(await h.fake.autocomplete('stylize', 'preset', 'so', as(USERS.bob))).toEqual([]);
  });

  it('"Card" shows the full reproducibility card privately', async () => {
    const { result, jobId } = await finishedJob(h);
    const click = h.fake.click(result, button(result, 'card'), as(USERS.bob));
    const card = await h.privateReply(click);
    expect(embedText(card)).toContain(jobId);
    expect(embedText(card)).toMatch(/seed/i);
    expect(h.fake.messagesOf(click).every((m) => (m.flags & EPHEMERAL) !== 0)).toBe(true);
  });

  it('/job brings the card and the follow-up buttons back in public', async () => {
    const { jobId } = await finishedJob(h);
    const job = h.fake.slash('job', { id: jobId }, as(USERS.bob));
    const answer = await h.publicReply(job);
    expect(embedText(answer)).toContain(jobId);
    expect(button(answer, 'seed')).toContain(jobId);
  });

  it('the owner cancels a waiting job with its Cancel button; a moderator cancels a running one with /cancel', async () => {
    const running = await h.stylize(as(USERS.bob));
    const run = await h.runner.run(0);
    run.advance(2);
    const waiting = await h.stylize(as(USERS.alice));
    const status = await h.statusMessage(waiting.reply.id, (m) => /Queued/.test(embedText(m)));

    // someone else may not cancel alice's job
    const foreign = h.fake.click(status, button(status, 'cancel'), as(USERS.bob));
    expect(embedText(await h.privateReply(foreign))).toMatch(/not|only/i);
    expect(activeJobs(h.bot, h.fake.guildId)).toHaveLength(2);

    const own = h.fake.click(status, button(status, 'cancel'), as(USERS.alice));
    await h.fake.acknowledged(own);
    await h.statusMessage(waiting.reply.id, (m) => /cancel/i.test(embedText(m)) && m.components.length === 0, 'the waiting job cancelled in place');
    expect(activeJobs(h.bot, h.fake.guildId).map((p) => p.job.id)).toEqual([running.jobId]);

    h.runner.stepOnAbort = true;
    const cancel = h.fake.slash('cancel', { id: running.jobId }, asModerator());
    await h.fake.acknowledged(cancel);
    await h.statusMessage(running.reply.id, (m) => /cancel|stopped/i.test(embedText(m)) && m.components.length === 0, 'the running job stopped in place');
    expect(activeJobs(h.bot, h.fake.guildId)).toHaveLength(0);
    expect(h.runner.runs).toHaveLength(1);
  });

  it('/queue shows a second user their position; moderators see the server', async () => {
    await h.stylize(as(USERS.alice));
    const run = await h.runner.run(0);
    run.advance(1);
    const bobs = await h.stylize(as(USERS.bob));
    const mine = await h.privateReply(h.fake.slash('queue', {}, as(USERS.bob)));
    expect(embedText(mine)).toContain(bobs.jobId);
    expect(embedText(mine)).not.toMatch(new RegExp(h.runner.runs[0]!.job.id));
    const server = await h.privateReply(h.fake.slash('queue', { scope: 'server' }, asModerator()));
    expect(embedText(server)).toContain(bobs.jobId);
    expect(embedText(server)).toContain(h.runner.runs[0]!.job.id);
  });

  it('/preset save, list, default and share, and /history', async () => {
    const save = await h.privateReply(h.fake.slash('preset save', { name: 'tiny', size: 48, style_weight: 1000 }, as(USERS.alice)));
    expect(embedText(save)).toContain('tiny');
    expect(embedText(await h.privateReply(h.fake.slash('preset list', {}, as(USERS.alice))))).toContain('tiny');
    expect(embedText(await h.privateReply(h.fake.slash('preset default', { name: 'tiny' }, as(USERS.alice))))).toContain('tiny');
    const share = await h.privateReply(h.fake.slash('preset share', { name: 'tiny' }, as(USERS.alice)));
    // share codes start with their version (sb1.); the sentence also names `/preset import`
    const code = /`(sb1\.[^`]+)`/.exec(embedText(share))?.[1];
    expect(code).toBeDefined();
    expect(embedText(await h.privateReply(h.fake.slash('preset import', { code: code!, name: 'from-alice' }, as(USERS.bob))))).toContain('from-alice');
    const { jobId } = await finishedJob(h);
    expect(embedText(await h.privateReply(h.fake.slash('history', {}, as(USERS.alice))))).toContain(jobId);
  });

  it('/settings is for admins', async () => {
    const refused = await h.privateReply(h.fake.slash('settings set', { max_steps: '50' }, as(USERS.bob)));
    expect(embedText(refused)).toMatch(/admin/i);
    const admin = { user: USERS.mod, permissions: 1n << 5n };
    const saved = await h.privateReply(h.fake.slash('settings set', { max_steps: '50', size: 48 }, admin));
    expect(embedText(saved)).toMatch(/50/);
  });
});

describe('/history pages', () => {
  let h: DiscordHarness;
  beforeEach(async () => {
    h = await DiscordHarness.start({ core: { historyPageSize: 1 } });
  });
  afterEach(async () => {
    await h.close();
  });

  it('says how to get the next page, and the cursor option gets it', async () => {
    const older = await finishedJob(h, 0);
    const newer = await finishedJob(h, 1);
    const first = embedText(await h.privateReply(h.fake.slash('history', {}, as(USERS.alice))));
    expect(first).toContain(newer.jobId);
    expect(first).not.toContain(older.jobId);
    const cursor = /\/history cursor: (\S+?)`/.exec(first)?.[1];
    expect(cursor).toBeDefined();
    const second = embedText(await h.privateReply(h.fake.slash('history', { cursor: cursor! }, as(USERS.alice))));
    expect(second).toContain(older.jobId);
  });
});
