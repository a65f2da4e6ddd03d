import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EPHEMERAL } from './fake/discord.js';
import { as, button, buttonIds, DiscordHarness, embedText, picture, USERS } from './harness.js';

describe('/stylize on the fake Discord', () => {
  let h: DiscordHarness;
  beforeEach(async () => {
    h = await DiscordHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('defers at once, answers publicly, starts a thread with one status message and ends with the three files and the buttons', async () => {
    const { interaction, reply, jobId } = await h.stylize(as(USERS.alice));
    const ack = await h.fake.acknowledged(interaction);
    expect(ack.type).toBe(5);
    expect(ack.latencyMs).toBeLessThan(1000);
    expect(embedText(reply)).toMatch(/Queued/);

    const thread = await h.fake.log.waitFor((e) => e.kind === 'thread');
    expect(thread.kind === 'thread' && thread.channel.id).toBe(reply.id);
    // named for the job, not after the reply's first status ("Queued — next, about 22 s"), which goes stale
    expect(thread.kind === 'thread' && thread.channel.name).toBe(`Stylebot job ${jobId} — chelsea_cat.jpg`);
    const status = await h.statusMessage(reply.id);
    expect(buttonIds(status)).toEqual([button(status, 'cancel')]);

    const run = await h.runner.run(0);
    run.advance(5);
    await h.statusMessage(reply.id, (m) => /step 5\/10/.test(embedText(m)), 'progress at step 5');
    run.advance(5);
    run.finish();
    const result = await h.resultMessage(reply.id);
    expect(result.files.map((f) => f.contentType)).toEqual(['image/png', 'image/gif', 'image/png']);
    expect(buttonIds(result).map((id) => id.split(':')[1])).toEqual(['seed', 'style', 'content', 'upscale', 'save', 'card']);
    expect(embedText(result)).toContain(jobId);
    // one status message in the thread, edited in place, then the result
    expect(h.fake.messagesIn(reply.id).filter((m) => m.via === 'bot')).toHaveLength(2);
    // the private placeholder of the deferral is gone; no message of the interaction is ephemeral
    expect(h.fake.messagesOf(interaction).every((m) => (m.flags & EPHEMERAL) === 0)).toBe(true);
  });

  it('edits the public reply to a final line without the Cancel button once the job is done', async () => {
    const { reply, jobId } = await h.stylize(as(USERS.alice));
    expect(buttonIds(reply)).toEqual([button(reply, 'cancel')]);
    const run = await h.runner.run(0);
    await h.fake.log.waitFor((e) => e.kind === 'edit' && e.message.id === reply.id, 'the reply edited at start');
    run.advance(10);
    run.finish();
    await h.resultMessage(reply.id);
    const done = await h.fake.log.waitFor((e) => e.kind === 'edit' && e.message.id === reply.id && e.message.embeds[0]?.['title'] === 'Done — the result is in the thread', 'the reply edited at the end');
    expect(done.kind === 'edit' && done.message.components).toEqual([]);
    expect(embedText(reply)).toContain(`Job ${jobId}`);
    expect(embedText(reply)).not.toMatch(/Queued/);
    // once at start, once at the end; through the bot's channel route, so an expired token does not matter
    expect(reply.edits).toBe(2);
  });
});

describe('/stylize while the queue is busy, and refusals', () => {
  let h: DiscordHarness;
  beforeEach(async () => {
    h = await DiscordHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('acknowledges within a second while another job runs, and tells the second user their place', async () => {
    const first = await h.stylize(as(USERS.alice));
    const run = await h.runner.run(0);
    run.advance(3);
    const second = await h.stylize(as(USERS.bob));
    expect((await h.fake.acknowledged(second.interaction)).latencyMs).toBeLessThan(1000);
    expect(embedText(second.reply)).toMatch(/position 2|next/);
    const bobStatus = await h.statusMessage(second.reply.id);
    expect(embedText(bobStatus)).toMatch(/Queued/);
    run.advance(7);
    run.finish();
    await h.resultMessage(first.reply.id);
    // bob's job starts once alice's is done, and its status says so in bob's thread
    const bobRun = await h.runner.run(1);
    expect(bobRun.job.id).toBe(second.jobId);
    bobRun.advance(1);
    await h.statusMessage(second.reply.id, (m) => /Running/.test(embedText(m)), "bob's job running");
  });

  it('keeps the outputs under the upload limit Discord sends with the interaction, 10 MiB when it sends none', async () => {
    await h.stylize(as(USERS.alice, { attachmentSizeLimit: 25 * 1024 * 1024 }));
    await h.stylize(as(USERS.bob, { attachmentSizeLimit: null }));
    const first = await h.runner.run(0);
    expect(first.job.maxUploadBytes).toBe(25 * 1024 * 1024);
    first.advance(10);
    first.finish();
    expect((await h.runner.run(1)).job.maxUploadBytes).toBe(10 * 1024 * 1024);
  });

  const bad = (name: string, make: (h: DiscordHarness) => Record<string, unknown>, reason: RegExp) =>
    it(`refuses ${name} privately with the reason, and starts no job`, async () => {
      const good = h.images();
      const interaction = h.fake.slash('stylize', { content: good.content, style: good.style, ...make(h) } as never, as(USERS.alice));
      const reply = await h.privateReply(interaction);
      expect((await h.fake.acknowledged(interaction)).latencyMs).toBeLessThan(3000);
      expect(embedText(reply)).toMatch(reason);
      expect(h.fake.messagesOf(interaction).filter((m) => (m.flags & EPHEMERAL) === 0)).toHaveLength(0);
      expect(h.fake.log.filter((e) => e.kind === 'thread')).toHaveLength(0);
      expect(h.bot.service.list({ platform: 'discord', serverId: h.fake.guildId })).toHaveLength(0);
    });

  bad('a text file named .jpg', (h) => ({ content: h.fake.attachment('cat.jpg', picture('bad/text_not_an_image.jpg'), 'image/jpeg') }), /text|not a picture|not an image/i);
  // the CDN sends 40% of what the attachment declares
  bad('a truncated download', (h) => ({ content: h.fake.attachment('cat.jpg', picture('bad/truncated_40pct_chelsea.jpg'), 'image/jpeg', { size: picture('content/chelsea_cat.jpg').byteLength }) }), /truncated|incomplete|cut off|only part/i);
  // the whole file arrives, but the JPEG itself was cut off after its header
  bad('a truncated photo', (h) => ({ content: h.fake.attachment('cat.jpg', picture('bad/truncated_40pct_chelsea.jpg'), 'image/jpeg') }), /truncated|incomplete|cut off|damaged/i);
  bad('a pixel bomb', (h) => ({ style: h.fake.attachment('bomb.png', picture('bad/bomb_60000x60000_rgb_header_only.png'), 'image/png') }), /pixels|too (big|large)|60000/i);
  bad('a picture declared too large', (h) => ({ content: h.fake.attachment('huge.jpg', picture('content/chelsea_cat.jpg'), 'image/jpeg', { size: 300 * 1024 * 1024 }) }), /MB|large|big/i);
  bad('a foreign host', (h) => ({ content: h.fake.attachment('cat.jpg', picture('content/chelsea_cat.jpg'), 'image/jpeg', { url: 'https://evil.example.com/cat.jpg' }) }), /evil\.example\.com|host|Discord/i);
  bad('bad options', () => ({ style_weight: -5 }), /style_weight/);
});

describe('/stylize in a DM', () => {
  let h: DiscordHarness;
  beforeEach(async () => {
    h = await DiscordHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs the same flow without a thread, in a server of its own', async () => {
    const { reply, jobId } = await h.stylize(as(USERS.alice, { guild: null }));
    const dm = reply.channelId;
    expect(h.fake.channels.get(dm)?.type).toBe(1);
    const status = await h.statusMessage(dm);
    expect(embedText(status)).toContain(jobId);
    const run = await h.runner.run(0);
    run.advance(10);
    run.finish();
    await h.resultMessage(dm);
    expect(h.fake.log.filter((e) => e.kind === 'thread')).toHaveLength(0);
    // the DM's jobs are not the guild's
    expect(h.bot.service.list({ platform: 'discord', serverId: h.fake.guildId })).toHaveLength(0);
  });
});

describe('/stylize inside a job thread', () => {
  let h: DiscordHarness;
  beforeEach(async () => {
    h = await DiscordHarness.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers in the thread and tells the new job there, without a thread in the thread', async () => {
    const first = await h.stylize(as(USERS.alice));
    await h.statusMessage(first.reply.id);
    const second = await h.stylize(as(USERS.bob, { channel: first.reply.id }));
    expect(second.reply.channelId).toBe(first.reply.id);
    const status = await h.statusMessage(first.reply.id, (m) => embedText(m).includes(second.jobId), "the second job's status in the same thread");
    expect(status.channelId).toBe(first.reply.id);
    expect(h.fake.log.filter((e) => e.kind === 'thread')).toHaveLength(1);
  });
});
