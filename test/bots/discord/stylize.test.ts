import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EPHEMERAL } from './fake/discord.js';
import { as, button, buttonIds, DiscordHarness, embedText, USERS } from './harness.js';

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
});
